"""Real ``legal-tracker serve`` processes for tests of the shape users deploy: each its own OS
process with its own data directory, all on one database, reached over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen
    log: Path


def server_env(database_url: str, data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update({
        "LEGAL_TRACKER_DATABASE_URL": database_url, "LEGAL_TRACKER_SECRET_KEY": TEST_KEY,
        "LEGAL_TRACKER_ENV": "test", "LEGAL_TRACKER_DATA_DIR": str(data_dir),
        "LEGAL_TRACKER_PORT": str(port), "LEGAL_TRACKER_HOST": "127.0.0.1",
        "LEGAL_TRACKER_PUBLIC_URL": "https://tracker.example.org",
        "LEGAL_TRACKER_LOG_LEVEL": "WARNING",
        # The servers' admins sign in with a password alone, as in tests/conftest.py: the
        # two-factor step has tests of its own (tests/accounts/test_two_factor.py).
        "LEGAL_TRACKER_REQUIRE_2FA": "off",
    })
    env.update({f"LEGAL_TRACKER_{k.upper()}": v for k, v in extra.items()})
    return env


@contextmanager
def serving(database_url: str, root: Path, count: int = 3, *, workers: int = 1,
            **extra: str) -> Iterator[list[Server]]:
    """``count`` server processes (already migrated database), each with ``<root>/server-N``."""
    servers: list[Server] = []
    try:
        for n in range(count):
            data_dir = root / f"server-{n}"
            port = free_port()
            log = root / f"server-{n}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "legal_tracker.cli", "serve", "--no-migrate",
                 "--workers", str(workers)],
                cwd=ROOT, env=server_env(database_url, data_dir, port, **extra),
                stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
            servers.append(Server(f"http://127.0.0.1:{port}", data_dir, process, log))
        deadline = time.monotonic() + 60
        for server in servers:
            while True:
                if server.process.poll() is not None:
                    raise RuntimeError(f"server exited: {server.log.read_text()[-3000:]}")
                try:
                    if httpx.get(server.url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {server.log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                os.killpg(server.process.pid, signal.SIGTERM)
        for server in servers:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait()
