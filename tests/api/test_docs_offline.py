"""The interactive docs work without the internet (issue 16 item 21): every file a docs page
loads is served by the app itself, and the docs' Content-Security-Policy names no other host.
(The browser test with other hosts blocked: tests/web/test_browser_docs.py.)"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from api.docs_ui import ASSETS_PATH

DOCS_PAGES = ("/schema", "/schema/swagger")
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class _References(HTMLParser):
    """Every URL the page makes the browser fetch: scripts, style sheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.urls.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"] or "")


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


async def test_docs_pages_load_only_files_the_app_serves(client: httpx.AsyncClient) -> None:
    seen: set[str] = set()
    for page in DOCS_PAGES:
        r = await client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), page
        # Swagger UI, started on the app's own OpenAPI document.
        assert "SwaggerUIBundle(" in r.text and "/api/auth/login" in r.text
        urls = _references(r.text)
        assert len(urls) >= 4, urls  # style sheet, icon, two scripts
        for url in urls:
            absolute = urljoin(str(r.url), url)
            assert urlsplit(absolute).netloc == urlsplit(str(r.url)).netloc, (page, url)
            assert url.startswith(ASSETS_PATH), url
            seen.add(url)
        # Nothing names another host for the browser to fetch (the spec's examples aside).
        head = r.text.split("<body", 1)[0]
        assert not re.search(r"https?://", head), head
        _assert_docs_csp(r.headers["content-security-policy"])

    for url in sorted(seen):
        suffix = url[url.rindex("."):]
        r = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith(TYPES[suffix]), (url, r.headers["content-type"])
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in r.headers["cache-control"] and "max-age=31536000" in r.headers[
            "cache-control"], url
        assert len(r.content) > 500, url
        if suffix in (".js", ".css"):
            # Compressed on the wire (httpx decodes it): the 1.5 MB script is far smaller.
            assert r.headers["content-encoding"] == "gzip", url
            assert r.headers["vary"] == "Accept-Encoding"
            raw = await client.get(url, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in raw.headers and raw.content == r.content
            assert int(r.headers["content-length"]) < len(gzip.compress(raw.content)) * 1.1
        if suffix == ".css":
            # Every image or font the style sheet names is inline (data:), none from elsewhere.
            targets = re.findall(r"url\(\s*['\"]?([^'\")]+)", r.text)
            assert targets and all(t.startswith("data:") for t in targets), targets


def _assert_docs_csp(csp: str) -> None:
    """Each source of each directive is this site, none, inline or data: — no host at all."""
    allowed = {"'self'", "'none'", "'unsafe-inline'", "data:"}
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'" and directives["connect-src"] == "'self'"
    for name, sources in directives.items():
        assert set(sources.split()) <= allowed, (name, sources)
    assert "http" not in csp and "unsafe-eval" not in csp


async def test_only_packaged_renderers_and_files_are_offered(client: httpx.AsyncClient) -> None:
    """Scalar, ReDoc, RapiDoc and Elements have no packaged copy: not offered (404 problem);
    the asset route serves only the files the page needs, of the packaged version."""
    for path in ("/schema/scalar", "/schema/redoc", "/schema/rapidoc", "/schema/elements",
                 ASSETS_PATH + "index.html", ASSETS_PATH + "swagger-ui-bundle.js.map",
                 ASSETS_PATH + "..%2F__init__.py", "/schema/assets/swagger-ui-4.0.0/swagger-ui.css"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json"), path
