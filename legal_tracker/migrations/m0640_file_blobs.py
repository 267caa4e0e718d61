"""Templates, filings and their PDFs stored in the database (issue 15: app servers share
nothing but the database). SQLite BLOB, PostgreSQL bytea; see documents.storage."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    blob = "BLOB" if d.name == "sqlite" else "BYTEA"
    return [
        f"""CREATE TABLE template_blob (
            sha256 VARCHAR(64) PRIMARY KEY,
            content {blob} NOT NULL,
            size_bytes INTEGER NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        )""",
        f"""CREATE TABLE filing_blob (
            id {d.pk},
            filing {d.fk('filing', 'CASCADE')} NOT NULL,
            format VARCHAR(8) NOT NULL,
            version INTEGER NOT NULL,
            sha256 VARCHAR(64) NOT NULL,
            size_bytes INTEGER NOT NULL,
            content {blob} NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            UNIQUE (filing, format, version)
        )""",
    ]
