"""Strict-Transport-Security (issue 16 item 22): on every response when the public address
(LEGAL_TRACKER_PUBLIC_URL) is https, never when it is http."""

from __future__ import annotations

import httpx

from api.app import create_app
from legal_tracker.settings import Settings

HSTS = "max-age=31536000; includeSubDomains"
# A page, an API answer, a refusal, an unknown path, the docs and one of their files, a feed 404.
PATHS = ("/app/login", "/health", "/api/offices", "/no/such/page", "/schema",
         "/schema/openapi.json", "/calendars/" + "x" * 30 + ".ics")


async def _headers(settings: Settings, public_url: str) -> dict[str, httpx.Headers]:
    app = create_app(settings.with_overrides(public_url=public_url), manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return {path: (await client.get(path)).headers for path in PATHS}


async def test_hsts_on_every_response_when_the_public_url_is_https(database: Settings) -> None:
    answers = await _headers(database, "https://tracker.example.org")
    for path, headers in answers.items():
        assert headers.get("strict-transport-security") == HSTS, path
    # Refusals too: 401 without a token, 404 for an unknown feed or path.
    assert {p for p, h in answers.items() if h.get("content-type", "").startswith(
        "application/problem+json")} >= {"/api/offices", "/no/such/page"}


async def test_no_hsts_when_the_public_url_is_http(database: Settings) -> None:
    for url in ("http://127.0.0.1:8000", "http://tracker.internal"):
        for path, headers in (await _headers(database, url)).items():
            assert "strict-transport-security" not in headers, (url, path)
