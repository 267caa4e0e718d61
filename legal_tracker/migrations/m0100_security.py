"""Security: the audit trail is append-only in the database itself, not only in the API. An
UPDATE or DELETE of an audit row fails, whoever issues it (and TRUNCATE on PostgreSQL).

The statements are idempotent: databases that ran the earlier ``m0101_audit_append_only``
(superseded by this migration) already have the same triggers.
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect

MESSAGE = "audit_event is append-only"


def statements(d: Dialect) -> list[str]:
    index = "CREATE INDEX IF NOT EXISTS audit_event_office_idx ON audit_event (office, id)"
    if d.name == "sqlite":
        return [
            "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            index,
        ]
    return [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
        "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
        index,
    ]
