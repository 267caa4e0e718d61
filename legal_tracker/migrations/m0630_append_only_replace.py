"""Append-only tables refuse REPLACE too (issue 16 item 18).

SQLite runs ``INSERT OR REPLACE`` / ``REPLACE INTO`` by deleting the conflicting row without
firing its DELETE trigger, so an audit row or a custody entry (evidence) could be rewritten.
A BEFORE INSERT guard refuses any insert that collides with an existing row (by id, or by
``(document, seq)`` for custody entries); an ordinary append collides with nothing, and a
race on the next ``seq`` still fails as a constraint error (409 in ``append_custody``).
PostgreSQL has no REPLACE and its UPSERT fires the UPDATE trigger: nothing to add there.
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    if d.name != "sqlite":
        return []
    return [
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_replace BEFORE INSERT ON audit_event "
        "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS custody_entry_no_replace BEFORE INSERT ON custody_entry "
        "WHEN EXISTS (SELECT 1 FROM custody_entry WHERE id = NEW.id "
        "OR (document = NEW.document AND seq = NEW.seq)) "
        "BEGIN SELECT RAISE(ABORT, 'custody_entry is append-only'); END",
    ]
