"""The web app's routes, mounted by ``api.app.create_app``.

Every signed-in page takes ``me: Me`` (the dependency in :mod:`web.session`) and calls the
same services as the API with ``me.actor``, so need-to-know is enforced exactly once, in
``legal_tracker.access``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.params import FromPath

from legal_tracker.settings import Settings
from web.assets import ASSETS, LONG_CACHE
from web.errors import EXCEPTION_HANDLERS, not_found
from web.pages import PAGE_HANDLERS, filings
from web.render import see_other
from web.session import CurrentMe, provide_me, secure_cookies, signed_in

# Paths that never carry a CSRF token: bearer-token API calls, feeds, gateway callbacks.
CSRF_EXCLUDE = ["/api", "/calendars", "/webhooks", "/health", "/schema"]


def csrf_secret(settings: Settings) -> str:
    """Derived from the installation's secret key, so every process agrees; a development
    run without a key gets a random one per process."""
    if settings.secret_key:
        return hmac.new(settings.secret_key.encode(), b"web-csrf", hashlib.sha256).hexdigest()
    return secrets.token_hex(32)


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(secret=csrf_secret(settings), exclude=CSRF_EXCLUDE,
                      cookie_name="lt_csrf", cookie_httponly=True, cookie_samesite="lax",
                      cookie_secure=secure_cookies(settings))


@get("/", include_in_schema=False)
async def root(request: Request) -> Response:
    return see_other("/app/" if await signed_in(request) else "/app/login")


@get("/app/static/{name:path}", include_in_schema=False, cache=False)
async def static_file(request: Request, name: FromPath[str]) -> Response:
    asset = ASSETS.published(name.lstrip("/"))
    if asset is None:
        return not_found(request)
    gzip_ok = "gzip" in request.headers.get("accept-encoding", "")
    headers = {"cache-control": LONG_CACHE, "vary": "accept-encoding"}
    body = asset.body
    if gzip_ok and len(asset.gzipped) < len(asset.body):
        body = asset.gzipped
        headers["content-encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


@get("/app/{rest:path}", include_in_schema=False)
async def unknown_page(request: Request, rest: FromPath[str], me: CurrentMe) -> Any:
    """Any other /app/ address: sign in first, then an ordinary "not found"."""
    return not_found(request)


def web_router(settings: Settings | None = None) -> Router:
    # Template uploads (multipart) may be as large as max_upload_bytes, plus the form around
    # the file; every other page keeps the app's body limit.
    upload_limit = (settings or Settings()).max_upload_bytes + filings.MULTIPART_OVERHEAD
    return Router(
        path="/",
        route_handlers=[root, static_file, *PAGE_HANDLERS,
                        Router(path="/", route_handlers=filings.UPLOAD_HANDLERS,
                               request_max_body_size=upload_limit),
                        unknown_page],
        dependencies={"me": Provide(provide_me)},
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
        # Pages gzipped for slow, expensive mobile data (static files carry their own gzip).
        middleware=[DefineMiddleware(CompressionMiddleware, config=CompressionConfig(
            backend="gzip", minimum_size=1000, gzip_compress_level=6, exclude=["/app/static/"]))],
    )
