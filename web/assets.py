"""Static files (CSS, the small optional script, icons) served by the app itself.

Each file is published under a name carrying a hash of its content (``app.3f9c1a2b.css``), so
it can be cached for a year: a changed file gets a new name. Templates ask for
``{{ static("app.css") }}``. Nothing is fetched from another host.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/app/static/"
LONG_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Asset:
    name: str           # as published, with the hash
    body: bytes
    gzipped: bytes
    media_type: str


class Assets:
    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self._by_source: dict[str, Asset] = {}
        self._by_published: dict[str, Asset] = {}
        for path in sorted(directory.rglob("*")):
            if not path.is_file():
                continue
            source = path.relative_to(directory).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:10]
            stem, dot, ext = source.rpartition(".")
            published = f"{stem}.{digest}.{ext}" if dot else f"{source}.{digest}"
            media = mimetypes.guess_type(source)[0] or "application/octet-stream"
            if media.startswith("text/") or media in {"application/javascript", "image/svg+xml"}:
                media += "; charset=utf-8" if "charset" not in media else ""
            asset = Asset(published, body, gzip.compress(body, 9, mtime=0), media)
            self._by_source[source] = asset
            self._by_published[published] = asset

    def url(self, source: str) -> str:
        return PREFIX + self._by_source[source].name

    def published(self, name: str) -> Asset | None:
        return self._by_published.get(name)


ASSETS = Assets()
