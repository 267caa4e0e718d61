"""Headers on every response, including errors and the docs UI: the security headers (HSTS
when the public address is https), and an ``Allow`` that names every method of the path."""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

API_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cache-control", b"no-store"),
]
# Browsers that reached us over https keep to https for a year (RFC 6797). Sent only when the
# configured public address (LEGAL_TRACKER_PUBLIC_URL) is https: a plain-http installation
# (development, a test server) must not pin browsers to an https that is not there.
HSTS = b"max-age=31536000; includeSubDomains"

# The interactive docs (Swagger UI, api/docs_ui.py) load their files from this site only; the
# page starts Swagger UI with an inline script and Swagger UI sets inline styles.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    b"form-action 'self'; frame-ancestors 'none'"
)

# The staff web app (/app/): its own files only, no inline script or style, forms post back
# to this site only.
APP_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it sees every response, including those an exception in a
    middleware (e.g. a refused bearer token) turns into an error."""
    if message["type"] != "http.response.start":
        return
    path = scope.get("path", "")
    docs = path.startswith("/schema") and not path.endswith((".json", ".yaml"))
    app = path == "/" or path.startswith("/app")
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    for name, value in API_HEADERS:
        if name in present:
            continue
        if name == b"content-security-policy" and docs:
            value = DOCS_CSP
        elif name == b"content-security-policy" and app:
            value = APP_CSP
        headers.append((name, value))
    if b"strict-transport-security" not in present and _public_https(scope):
        headers.append((b"strict-transport-security", HSTS))
    message["headers"] = headers


def _public_https(scope: Scope) -> bool:
    settings = scope["app"].state.settings
    return bool(settings.public_url[:8].lower() == "https://")


def _methods_by_path(app: Any) -> dict[str, bytes]:
    cached = app.state.get("_allow_by_path")
    if cached is None:
        cached = {route.path_format: ", ".join(sorted(route.methods)).encode()
                  for route in app.routes if isinstance(route, HTTPRoute)}
        app.state["_allow_by_path"] = cached
    return cached


async def complete_allow(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook. Litestar's automatic OPTIONS answer names only the methods of
    the first handler registered on a path (a controller's ``GET /`` and ``POST /`` are two
    handlers): any answer carrying ``Allow`` names every method of its route's path."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    if not any(name.lower() == b"allow" for name, _ in headers):
        return
    allow = _methods_by_path(scope["app"]).get(scope.get("path_template", ""))
    if allow is None:
        return
    message["headers"] = [(n, v) for n, v in headers if n.lower() != b"allow"] + [(b"allow", allow)]
