"""Rate-limit counters shared by every app server (issue 15; legal_tracker.rate_limit):
one row per limiter, hashed key and one-minute window."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        f"""CREATE TABLE rate_limit_hit (
            bucket VARCHAR(16) NOT NULL,
            key_digest VARCHAR(64) NOT NULL,
            window_start {d.bigint} NOT NULL,
            hits INTEGER NOT NULL,
            PRIMARY KEY (bucket, key_digest, window_start)
        )""",
        "CREATE INDEX rate_limit_hit_window_idx ON rate_limit_hit (window_start)",
    ]
