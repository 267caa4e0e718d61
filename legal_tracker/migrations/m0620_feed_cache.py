"""Issue 14: each hearing's rendered calendar event kept across restarts (so a cold feed is a
concatenation), when a subscription's content last changed (Last-Modified that never runs
ahead of Date), and the language an office files in."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE feed_event (
            id {d.pk},
            hearing {d.fk('hearing', 'CASCADE')} NOT NULL,
            privacy VARCHAR(16) NOT NULL,
            hearing_version INTEGER NOT NULL,
            renderer VARCHAR(120) NOT NULL,
            digest VARCHAR(32) NOT NULL,
            body TEXT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            UNIQUE (hearing, privacy)
        )""",
        "ALTER TABLE calendar_subscription ADD COLUMN feed_etag VARCHAR(64)",
        "ALTER TABLE calendar_subscription ADD COLUMN feed_modified_at TIMESTAMPTZ",
        "ALTER TABLE office ADD COLUMN language VARCHAR(16) NOT NULL DEFAULT 'en'",
    ]
