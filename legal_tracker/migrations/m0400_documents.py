"""Filing templates uploaded by the organisation (versioned) and drafted filings (versioned
per case and template). Their bytes live in the database (m0640_file_blobs)."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE filing_template (
            id {d.pk},
            template_key VARCHAR(64) NOT NULL,
            version INTEGER NOT NULL,
            title VARCHAR(200) NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            sha256 VARCHAR(64) NOT NULL,
            size_bytes INTEGER NOT NULL,
            required {d.json} NOT NULL DEFAULT '[]',
            optional {d.json} NOT NULL DEFAULT '[]',
            uploaded_by {d.fk('staff', 'SET NULL')},
            created_at TIMESTAMPTZ NOT NULL,
            UNIQUE (template_key, version)
        )""",
        f"""CREATE TABLE filing (
            id {d.pk},
            "case" {d.fk('legal_case', 'RESTRICT')} NOT NULL,
            version INTEGER NOT NULL,
            template_key VARCHAR(64) NOT NULL,
            template_version INTEGER NOT NULL,
            template_sha256 VARCHAR(64) NOT NULL,
            template_title VARCHAR(200) NOT NULL,
            hearing {d.fk('hearing', 'SET NULL')},
            survivor {d.fk('survivor', 'SET NULL')},
            court {d.fk('court', 'SET NULL')},
            field_names {d.json} NOT NULL DEFAULT '[]',
            fields_enc TEXT,
            legal_name_revealed BOOLEAN NOT NULL DEFAULT FALSE,
            author {d.fk('staff', 'SET NULL')},
            locale VARCHAR(16) NOT NULL DEFAULT 'en',
            drafted_on DATE NOT NULL,
            sha256 VARCHAR(64) NOT NULL,
            size_bytes INTEGER NOT NULL,
            stored_name VARCHAR(80) NOT NULL,
            file_key_enc TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            UNIQUE ("case", template_key, version)
        )""",
        'CREATE INDEX filing_case_idx ON filing ("case", created_at)',
    ]
