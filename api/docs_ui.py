"""The interactive API documentation (``/schema``, ``/schema/swagger``) without the internet.

Swagger UI's script, style sheet and icon come from the pinned ``swagger-ui-bundle-v2``
package (``pyproject.toml``, ``requirements.lock``) and are served by the app itself under
``/schema/assets/swagger-ui-<version>/``: a docs page loads nothing from another host, and the
docs' Content-Security-Policy (``api/security.py``) names none. The version is in the path, so
the files can be cached for a year. Litestar's other renderers (Scalar, ReDoc, RapiDoc,
Stoplight Elements) have no packaged copy and are not offered.
"""

from __future__ import annotations

import gzip
from functools import cache

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin, SwaggerRenderPlugin
from litestar.params import FromPath
from litestar.response import Response
from swagger_ui_bundle import swagger_ui_path

BUNDLE = swagger_ui_path.name  # "swagger-ui-5.31.0"
ASSETS_PATH = f"/schema/assets/{BUNDLE}/"
# Only what the page loads, with the type each is served as (``nosniff`` is on everywhere;
# Litestar adds ``charset=utf-8`` to text types).
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@cache
def _asset(name: str, compressed: bool) -> bytes:
    body = (swagger_ui_path / name).read_bytes()
    return gzip.compress(body, compresslevel=9, mtime=0) if compressed else body


def _accepts_gzip(request: Request) -> bool:
    return any(part.split(";")[0].strip().lower() == "gzip"
               and part.replace(" ", "").lower() not in ("gzip;q=0", "gzip;q=0.0")
               for part in request.headers.get("accept-encoding", "").split(","))


# In a worker thread: the first request for a file reads and compresses it (0.1-0.3 s for the
# script), which must not hold up the event loop.
@get("/assets/{bundle:str}/{name:str}", include_in_schema=False, cache_control=None,
     sync_to_thread=True)
def docs_asset(request: Request, bundle: FromPath[str], name: FromPath[str]) -> Response[bytes]:
    """One of Swagger UI's files, gzipped when the client accepts it (the script is 1.5 MB,
    about 450 kB compressed)."""
    media_type = ASSET_TYPES.get(name)
    if media_type is None or bundle != BUNDLE:
        raise NotFoundException()
    compressed = not name.endswith(".png") and _accepts_gzip(request)
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if compressed:
        headers["Content-Encoding"] = "gzip"
    return Response(_asset(name, compressed), media_type=media_type, headers=headers)


def docs_render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI at ``/schema`` and ``/schema/swagger``, on the files served above."""
    return [SwaggerRenderPlugin(
        path=["/", "/swagger"],
        js_url=ASSETS_PATH + "swagger-ui-bundle.js",
        css_url=ASSETS_PATH + "swagger-ui.css",
        standalone_preset_js_url=ASSETS_PATH + "swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}favicon-32x32.png'>",
    )]
