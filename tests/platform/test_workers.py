"""``legal-tracker serve --workers N`` starts N server processes on one port, each with its
own database pool and ticker (issue 15: before, the option was parsed and ignored)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from tests.platform.servers import ROOT, free_port, server_env, serving


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _workers(pid: int) -> list[int]:
    """Uvicorn's worker processes (spawned children running the app), not helpers such as
    multiprocessing's resource tracker."""
    out = []
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            out.append(child)
    return out


async def test_serve_with_three_workers_runs_three_processes(database, tmp_path):
    with serving(database.database_url, tmp_path, 1, workers=3, scheduler="on") as servers:
        server = servers[0]
        for _ in range(100):  # the workers start one after the other
            if len(_workers(server.process.pid)) == 3:
                break
            await asyncio.sleep(0.2)
        assert len(_workers(server.process.pid)) == 3
        # A generous timeout: three workers just started (each migrating nothing, but starting
        # its scheduler) answer thirty requests at once on a machine that may be busy.
        async with httpx.AsyncClient(timeout=30) as client:
            answers = await asyncio.gather(*[client.get(server.url + "/health") for _ in range(30)])
        assert {a.status_code for a in answers} == {200}
        assert "with 3 worker(s)" in server.log.read_text()


def test_serve_refuses_a_nonsense_worker_count(database, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "legal_tracker.cli", "serve", "--no-migrate", "--workers", "0"],
        cwd=ROOT, env=server_env(database.database_url, tmp_path, free_port()),
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers must be between 1 and 64" in done.stderr
