"""The SMS gateway's health, shared by every process (issue 16 item 4).

An account problem at the provider (a wrong token, an empty balance, a refused sender id)
pauses sending for everyone: one row per provider says since when, why, and when the next
single probe message may try again.
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE sms_gateway_state (
            id {d.pk},
            provider VARCHAR(16) NOT NULL UNIQUE,
            degraded_since TIMESTAMPTZ,
            reason VARCHAR(200),
            error_code VARCHAR(32),
            failures INTEGER NOT NULL DEFAULT 0,
            next_try_at TIMESTAMPTZ,
            updated_at TIMESTAMPTZ NOT NULL
        )""",
    ]
