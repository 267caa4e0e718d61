"""The interactive API docs in a real browser with every other host unreachable (issue 16
item 21): Swagger UI loads from the app itself and lists the operations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.web.browser import DESKTOP, SCREENSHOTS, Live, Transfer, new_page


def test_swagger_ui_works_with_other_hosts_blocked(live: Live, chromium: Any) -> None:
    page = new_page(chromium, width=DESKTOP)
    outside: list[str] = []
    csp: list[str] = []

    def only_this_server(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
            outside.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.context.route("**/*", only_this_server)
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    transfer = Transfer(page)
    for path in ("/schema/swagger", "/schema"):
        transfer.reset()
        page.goto(live.url + path, timeout=90_000)
        login = page.locator(".opblock-post .opblock-summary-path[data-path='/api/auth/login']")
        login.wait_for(timeout=60_000)
        assert page.locator(".opblock").count() > 50
        assert "Court accompaniment and legal case tracker" in page.locator(".info .title").inner_text()
        assert transfer.urls and all(u.startswith(live.url) for u in transfer.urls), transfer.urls
    # Opening an operation shows its request body and answers, rendered from the schema.
    login.click()
    body = page.locator(".opblock-post.is-open")
    body.get_by_text("Request body").first.wait_for()
    assert body.get_by_text("Responses").first.is_visible()
    assert outside == [], outside
    assert csp == [], csp
    # The page (the OpenAPI document inline, about 230 kB) and Swagger UI's files gzipped
    # (1.7 MB as about 450 kB).
    print(f"\n/schema transferred {transfer.total / 1024:.0f} kB")
    assert transfer.total < 1024 * 1024, transfer.total
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs-offline-1280.png"))
    page.context.close()
