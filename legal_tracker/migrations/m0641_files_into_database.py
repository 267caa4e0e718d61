"""Moves the template and filing files of an installation that kept them on disk (under
``LEGAL_TRACKER_FILINGS_DIR``, default ``<data dir>/filings``) into ``template_blob`` and
``filing_blob`` (m0640). The only place that setting is still read.

Each file is checked against its row's digests before it is copied; a row whose file is
missing or altered stops the migration (nothing is applied, the service does not start with
filings that cannot be downloaded) and the message names the rows. The files are left where
they were: delete the directory once the service runs on the new version.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from legal_tracker.migrations import Dialect

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_STORED = re.compile(r"^[0-9a-f]{64}\.docx\.enc$")


def statements(d: Dialect) -> list[str]:
    return []


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


async def apply(execute: Any, legacy_files_dir: Path | None) -> None:
    """``execute(sql, *args)`` runs inside the migration's transaction (``{}`` placeholders)."""
    from legal_tracker.common import utcnow

    root = legacy_files_dir
    problems: list[str] = []
    templates = await execute("SELECT DISTINCT sha256 FROM filing_template")
    for row in templates:
        digest = row["sha256"]
        data = _read(root / "templates" / f"{digest}.docx") if root and _HEX64.match(digest) else None
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            problems.append(f"template file {digest[:12]}…")
            continue
        await execute(
            "INSERT INTO template_blob (sha256, content, size_bytes, created_at) "
            "VALUES ({}, {}, {}, {}) ON CONFLICT (sha256) DO NOTHING",
            digest, data, len(data), utcnow())
    filings = await execute("SELECT id, stored_name, sha256, size_bytes FROM filing ORDER BY id")
    for row in filings:
        name = row["stored_name"]
        data = (_read(root / name[:2] / name) if root and _STORED.match(name) else None)
        if data is None or hashlib.sha256(data).hexdigest() != name[:64]:
            problems.append(f"filing #{row['id']}")
            continue
        await execute(
            "INSERT INTO filing_blob (filing, format, version, sha256, size_bytes, content, "
            "created_at) VALUES ({}, 'docx', 1, {}, {}, {}, {}) "
            "ON CONFLICT (filing, format, version) DO NOTHING",
            row["id"], row["sha256"], row["size_bytes"], data, utcnow())
    if problems:
        shown = ", ".join(problems[:20]) + (f" and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise RuntimeError(
            f"m0641: {len(problems)} stored file(s) missing or altered under "
            f"{root or '(no filings directory)'}: {shown}. Set LEGAL_TRACKER_FILINGS_DIR to the "
            "directory that holds them (or restore it from a backup) and migrate again.")
