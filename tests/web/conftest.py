"""Fixtures for the web app's tests.

* ``web``: an httpx client speaking to the real app in-process over "https" (the test settings'
  public URL is https, so session and CSRF cookies are Secure), for tests that read HTML and
  headers without a browser;
* ``live``, ``browser``: a real uvicorn server in a child process on a free port and a headless
  Debian Chromium driven by Playwright, for tests of what a person sees (see browser.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from legal_tracker.settings import Settings
from tests.web.browser import *  # noqa: F403 - the browser fixtures live there


@pytest.fixture
async def web(database: Settings, world) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    app = create_app(database, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as c:
        yield c
