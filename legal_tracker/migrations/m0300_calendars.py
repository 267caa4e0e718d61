"""Calendar subscriptions (feed tokens stored as SHA-256 digests)."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE calendar_subscription (
            id {d.pk},
            owner {d.fk('staff', 'CASCADE')} NOT NULL,
            scope VARCHAR(8) NOT NULL,
            target_id INTEGER NOT NULL,
            privacy VARCHAR(16) NOT NULL DEFAULT 'standard',
            token_hash VARCHAR(64) NOT NULL UNIQUE,
            name VARCHAR(120) NOT NULL DEFAULT '',
            created_at TIMESTAMPTZ NOT NULL,
            revoked_at TIMESTAMPTZ,
            last_fetched_at TIMESTAMPTZ
        )""",
        "CREATE INDEX calendar_subscription_owner_idx ON calendar_subscription (owner)",
    ]
