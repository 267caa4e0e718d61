"""What the benchmarks share: a free port, waiting for a server, and a server process that
is stopped however the benchmark ends. Imported as ``_common`` (the benchmarks are run as
scripts, ``python bench/bench_*.py``, so this directory is on ``sys.path``)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 180.0) -> None:
    """Until ``url`` answers anything but a 5xx."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Server:
    """``with Server(argv, env, health_url):`` starts a process in the repository root, waits
    until ``health`` answers, and stops it (SIGINT, then kill) on the way out. Output goes
    to ``log`` when given."""

    def __init__(self, argv: list[str], env: dict[str, str], health: str,
                 log: Path | None = None) -> None:
        self.argv, self.env, self.health, self.log = argv, env, health, log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        out = self.log.open("wb") if self.log else None
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, start_new_session=True,
                                     stdout=out, stderr=subprocess.STDOUT if out else None)
        try:
            wait_for(self.health)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
