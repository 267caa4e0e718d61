"""Casework: statements, identity documents with an append-only chain of custody, immigration
applications and deadlines entered by hand."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    ts = "TIMESTAMPTZ NOT NULL"
    out = [
        f"""CREATE TABLE statement (
            id {d.pk},
            "case" {d.fk('legal_case', 'CASCADE')} NOT NULL,
            survivor {d.fk('survivor')} NOT NULL,
            kind VARCHAR(32) NOT NULL,
            status VARCHAR(16) NOT NULL DEFAULT 'planned',
            taken_at TIMESTAMPTZ,
            taken_by VARCHAR(200) NOT NULL DEFAULT '',
            taken_by_staff {d.fk('staff', 'SET NULL')},
            language VARCHAR(16) NOT NULL DEFAULT 'en',
            interpreter_name VARCHAR(200),
            interpreter_language VARCHAR(16),
            support_person_present BOOLEAN NOT NULL DEFAULT FALSE,
            support_person VARCHAR(200),
            video_recorded BOOLEAN NOT NULL DEFAULT FALSE,
            location VARCHAR(200) NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            created_by INTEGER,
            created_at {ts},
            updated_at {ts}
        )""",
        'CREATE INDEX statement_case_idx ON statement ("case", taken_at)',
        f"""CREATE TABLE identity_document (
            id {d.pk},
            survivor {d.fk('survivor')} NOT NULL,
            "case" {d.fk('legal_case', 'SET NULL')},
            kind VARCHAR(24) NOT NULL,
            issuing_country VARCHAR(2) NOT NULL,
            number_enc TEXT,
            expires_on DATE,
            status VARCHAR(24) NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            created_by INTEGER,
            created_at {ts},
            updated_at {ts}
        )""",
        "CREATE INDEX identity_document_survivor_idx ON identity_document (survivor)",
        "CREATE INDEX identity_document_expiry_idx ON identity_document (expires_on)",
        f"""CREATE TABLE custody_entry (
            id {d.pk},
            document {d.fk('identity_document')} NOT NULL,
            seq INTEGER NOT NULL,
            at {ts},
            released_by VARCHAR(200) NOT NULL,
            received_by VARCHAR(200) NOT NULL,
            purpose VARCHAR(500) NOT NULL DEFAULT '',
            location VARCHAR(200) NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            resulting_status VARCHAR(24),
            recorded_by INTEGER,
            recorded_at {ts},
            UNIQUE (document, seq)
        )""",
        f"""CREATE TABLE immigration_application (
            id {d.pk},
            survivor {d.fk('survivor')} NOT NULL,
            "case" {d.fk('legal_case', 'SET NULL')},
            kind VARCHAR(24) NOT NULL,
            jurisdiction VARCHAR(64) NOT NULL DEFAULT '',
            receipt_number VARCHAR(64),
            prepared_on DATE,
            filed_on DATE,
            receipt_on DATE,
            biometrics_on DATE,
            rfe_received_on DATE,
            rfe_due_on DATE,
            rfe_answered_on DATE,
            bona_fide_on DATE,
            reasonable_grounds_on DATE,
            reasonable_grounds_outcome VARCHAR(16),
            conclusive_grounds_on DATE,
            conclusive_grounds_outcome VARCHAR(16),
            decision_on DATE,
            outcome VARCHAR(24),
            certification_requested_on DATE,
            certification_signed_on DATE,
            notes TEXT NOT NULL DEFAULT '',
            created_by INTEGER,
            created_at {ts},
            updated_at {ts}
        )""",
        "CREATE INDEX immigration_application_survivor_idx ON immigration_application (survivor)",
        f"""CREATE TABLE deadline (
            id {d.pk},
            "case" {d.fk('legal_case', 'CASCADE')} NOT NULL,
            kind VARCHAR(24) NOT NULL DEFAULT 'filing',
            due_on DATE NOT NULL,
            title VARCHAR(200) NOT NULL,
            what_to_do TEXT NOT NULL DEFAULT '',
            done_at TIMESTAMPTZ,
            created_by INTEGER,
            created_at {ts},
            updated_at {ts}
        )""",
        'CREATE INDEX deadline_case_idx ON deadline ("case", due_on)',
    ]
    # The chain of custody is evidence: entries are appended, never changed or removed.
    if d.name == "sqlite":
        out += [
            "CREATE TRIGGER custody_entry_no_update BEFORE UPDATE ON custody_entry "
            "BEGIN SELECT RAISE(ABORT, 'custody_entry is append-only'); END",
            "CREATE TRIGGER custody_entry_no_delete BEFORE DELETE ON custody_entry "
            "BEGIN SELECT RAISE(ABORT, 'custody_entry is append-only'); END",
        ]
    else:
        out += [
            "CREATE FUNCTION custody_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'custody_entry is append-only'; END $$",
            "CREATE TRIGGER custody_entry_no_change BEFORE UPDATE OR DELETE ON custody_entry "
            "FOR EACH ROW EXECUTE FUNCTION custody_entry_append_only()",
        ]
    return out
