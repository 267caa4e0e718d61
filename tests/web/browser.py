"""A real server and a real browser for the web app's tests.

* ``live`` (one per test session): ``legal-tracker serve`` in a child process on a free
  loopback port, on its own SQLite file, or on its own PostgreSQL database when
  ``LEGAL_TRACKER_TEST_DATABASE_URL`` is set; an organisation-wide admin made with
  ``legal-tracker create-user``; :class:`Live` seeds records through the real JSON API.
* ``chromium`` (one per session): Debian's ``/usr/bin/chromium`` driven by Playwright
  (``LEGAL_TRACKER_CHROMIUM`` overrides the path). Without a browser the tests are skipped with
  a loud reason on a developer's machine and FAIL in CI (``CI`` set).
* :func:`check_axe` runs axe-core (axe-playwright-python) and fails on any serious or critical
  violation; :func:`shoot` writes full-page screenshots at 360 and 1280 px wide into
  ``LEGAL_TRACKER_SCREENSHOT_DIR`` (default ``build/screenshots``; ``make screenshots`` writes
  ``docs/screenshots``); :func:`transferred` counts bytes over the wire for the page budgets.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PG_URL, TEST_KEY, _with_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LEGAL_TRACKER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("LEGAL_TRACKER_SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
PASSWORD = "correct horse battery"
PHONE = 360
DESKTOP = 1280

__all__ = ["chromium", "live"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "legal-tracker"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "legal_tracker.cli"]


async def _pg_admin_async(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_admin(sql: str) -> None:
    """In a thread of its own: a server may start while Playwright's loop runs in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_admin_async(sql)).result()


@dataclass
class Live:
    """The running server and a JSON-API client signed in as the organisation admin."""

    url: str
    api: httpx.Client
    admin: dict[str, str] = field(default_factory=dict)
    # On a server that requires two-factor sign-in: each account's TOTP secret, set up through
    # the API at its first sign-in, and the time step of its last code (used once only).
    secrets: dict[str, str] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)

    def login(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        r = self.api.post("/api/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        body = r.json()
        if body.get("mfa_required"):
            body = self._second_factor(email, body)
        return {"Authorization": f"Bearer {body['token']}"}

    def _second_factor(self, email: str, challenge: dict[str, Any]) -> dict[str, Any]:
        """Finishes an API sign-in with a code from pyotp, as an authenticator app would."""
        import pyotp

        if challenge["enrolment_required"]:
            r = self.api.post("/api/auth/login/mfa/enrol",
                              json={"mfa_token": challenge["mfa_token"]})
            assert r.status_code == 200, r.text
            self.secrets[email] = r.json()["secret"]
        totp = pyotp.TOTP(self.secrets[email])
        step = max(totp.timecode(datetime.now(UTC)), self.steps.get(email, 0) + 1)
        self.steps[email] = step
        while step > totp.timecode(datetime.now(UTC)) + 1:  # a third sign-in within 30 s
            time.sleep(1)
        r = self.api.post("/api/auth/login/mfa", json={"mfa_token": challenge["mfa_token"],
                                                       "code": totp.generate_otp(step)})
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None,
             expect: int = 201) -> dict[str, Any]:
        r = self.api.post(path, json=body, headers=headers or self.admin)
        assert r.status_code == expect, r.text
        return r.json()

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        r = self.api.get(path, params=params, headers=headers or self.admin)
        assert r.status_code == 200, r.text
        return r.json()

    def office(self, name: str | None = None, timezone: str = "Africa/Nairobi") -> dict[str, Any]:
        return self.post("/api/offices", {"name": name or f"Office {uuid.uuid4().hex[:6]}",
                                          "country": "KE", "timezone": timezone,
                                          "phone": "+254700000000"})

    def court(self, office_id: int, name: str = "Kibera Law Courts",
              timezone: str = "Africa/Nairobi") -> dict[str, Any]:
        return self.post("/api/courts", {"name": name, "timezone": timezone,
                                         "address": "Kibera Drive, Nairobi", "office_id": office_id})

    def user(self, role: str, office_id: int | None, name: str) -> tuple[int, str, dict[str, str]]:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        staff = self.post("/api/staff", {"name": name, "email": email, "role": role,
                                         "password": PASSWORD, "office_id": office_id})
        return staff["id"], email, self.login(email)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serve(tmp_path_factory.mktemp("live")) as server:
        yield server


@contextmanager
def serve(data: Path, **settings: str) -> Iterator[Live]:
    """A server of its own (``legal-tracker serve``) on ``data``; ``settings`` are extra
    ``LEGAL_TRACKER_*`` variables (``REQUIRE_2FA="all"``)."""
    pg_name = None
    if PG_URL:
        pg_name = f"lt_web_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        url = _with_db(PG_URL, pg_name)
    else:
        url = f"sqlite:///{data / 'web.sqlite'}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LEGAL_TRACKER_DATABASE_URL": url, "LEGAL_TRACKER_DATA_DIR": str(data),
           "LEGAL_TRACKER_SECRET_KEY": TEST_KEY, "LEGAL_TRACKER_ENV": "test",
           "LEGAL_TRACKER_PORT": str(port), "LEGAL_TRACKER_HOST": "127.0.0.1",
           "LEGAL_TRACKER_PUBLIC_URL": base, "LEGAL_TRACKER_SCHEDULER": "off",
           "LEGAL_TRACKER_LOGIN_RATE_PER_MINUTE": "1000", "LEGAL_TRACKER_LOG_LEVEL": "WARNING",
           # Sign-in with a password alone; the two-factor pages have tests of their own.
           "LEGAL_TRACKER_REQUIRE_2FA": "off",
           **{f"LEGAL_TRACKER_{name}": value for name, value in settings.items()}}
    made = subprocess.run([*_cli(), "create-user", "--email", "admin@example.org", "--role", "admin",
                           "--name", "Org Admin"], input=PASSWORD + "\n", text=True, env=env,
                          capture_output=True, timeout=120, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    log = (data / "server.log").open("w")
    server = subprocess.Popen([*_cli(), "serve", "--no-migrate"], env=env, stdout=log,
                              stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + (data / "server.log").read_text())
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as api:
            live = Live(base, api)
            live.admin = live.login("admin@example.org")
            yield live
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Per module: Playwright's sync API keeps an event loop running while it is open, which
    would stop pytest-asyncio's tests in later modules from starting their own."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = (f"NO BROWSER at {CHROMIUM}: the web app's browser tests did NOT run. "
                  "Install it: apt-get install -y chromium (as root).")
        if os.environ.get("CI"):
            pytest.fail(reason + " In CI this is a failure, not a skip.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def new_page(chromium: Any, *, width: int = PHONE, javascript: bool = True) -> Any:
    context = chromium.new_context(viewport={"width": width, "height": 800},
                                   java_script_enabled=javascript, locale="en-GB")
    return context.new_page()


def sign_in(page: Any, live: Live, email: str, password: str = PASSWORD) -> None:
    page.goto(live.url + "/app/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def check_axe(page: Any, what: str = "") -> None:
    """No serious or critical axe-core violation on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {what or page.url}: {bad}"


def no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px"


def shoot(page: Any, name: str) -> None:
    """Full-page screenshots at phone and laptop width: ``<name>-360.png``, ``<name>-1280.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        if width == PHONE:
            no_horizontal_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


class Transfer:
    """Bytes over the wire (headers and encoded bodies) of every response a page loads."""

    def __init__(self, page: Any) -> None:
        self.total = 0
        self.urls: list[str] = []
        page.on("requestfinished", self._count)

    def _count(self, request: Any) -> None:
        sizes = request.sizes()
        self.total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        self.urls.append(request.url)

    def reset(self) -> None:
        self.total = 0
        self.urls.clear()
