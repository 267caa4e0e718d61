"""No personal data in any log line: every logger of the process (root at DEBUG, Litestar,
uvicorn, httpx, Piccolo, the database drivers, ours) is captured while a full scenario runs
against a real uvicorn server, and the text is searched for the names and numbers used.
Whatever reaches standard output or standard error is searched as well."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import uvicorn

from api.app import create_app
from tests.conftest import bootstrap_admin
from tests.security import scenario
from tests.security.scenario import CONTACT_NAME, SECRETS


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is still worth searching
            message = f"{record.msg!r} {record.args!r}"
        parts = [record.name, record.levelname, message, repr(record.args)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            parts.append(record.stack_info)
        self.lines.append(" ".join(parts))


def _everything_at_debug(handler: Capture) -> list[tuple[logging.Logger, int, bool]]:
    saved = []
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in
        ("litestar", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "piccolo",
         "asyncpg", "aiosqlite", "legal_tracker", "api", "calendars", "documents", "asyncio",
         "apscheduler")]
    loggers += [value for value in logging.root.manager.loggerDict.values()
                if isinstance(value, logging.Logger)]
    for logger in dict.fromkeys(loggers):
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.DEBUG)
        if not logger.propagate or logger is logging.getLogger():
            logger.addHandler(handler)
    return saved


class _Admin:
    def __init__(self, headers: dict[str, str]) -> None:
        self.admin = headers


async def test_no_personal_data_in_any_log_line(database, capfd):
    app = create_app(database, manage_database=False)
    handler = Capture()
    saved = _everything_at_debug(handler)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # As `legal-tracker serve` runs it (no access log), but with every logger at DEBUG.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        await bootstrap_admin(database)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            login = await client.post("/api/auth/login", json={
                "email": "admin@example.org", "password": "correct horse battery"})
            token = login.json()["token"]
            await scenario.run(_Admin({"Authorization": f"Bearer {token}"}), client)
            # An internal error, logged by the error handler, must not carry values either.
            await client.get("/api/offices/not-a-number", headers={"Authorization": "Bearer x"})
    finally:
        server.should_exit = True
        await task
        for logger, level, _ in saved:
            logger.setLevel(level)
            if handler in logger.handlers:
                logger.removeHandler(handler)
    out, err = capfd.readouterr()
    text = "\n".join(handler.lines) + "\n" + out + "\n" + err
    # The capture worked: the libraries did log, at DEBUG, during the scenario.
    assert len(handler.lines) > 50
    assert {"httpx", "uvicorn.error"} <= handler.names, handler.names
    assert any(" DEBUG " in line for line in handler.lines)
    for secret in (*SECRETS, CONTACT_NAME, "Nyambura"):
        assert secret not in text, f"{secret!r} leaked into the logs"
