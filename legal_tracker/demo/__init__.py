"""Realistic, clearly fictional demo data for ``legal-tracker seed-demo``.

One package, seeded in ONE transaction (a failed run leaves nothing behind):

- :mod:`legal_tracker.demo.organisation`: two offices (Nairobi, Manila), their courts, staff of
  every role, survivors with families, 36 cases across every status and 230-odd hearings with
  adjournment chains, played through the real services;
- :mod:`legal_tracker.demo.casework`: statements, identity documents with chains of custody,
  immigration applications and deadlines;
- reminders: planned by the reminder hooks (:func:`legal_tracker.bootstrap.bootstrap` must
  have run) as hearings and contacts are created, so the outbox is that of a live system.

Deterministic: seeded random generators, and every date relative to one ``now``. Idempotent:
a second run finds the demo admin (and the casework) and adds nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from legal_tracker import db
from legal_tracker.common import utcnow
from legal_tracker.demo.casework import KEYS as CASEWORK_KEYS
from legal_tracker.demo.casework import seed_casework
from legal_tracker.demo.organisation import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    SUMMARY_KEYS,
    demo_logins,
    seed_organisation,
)
from legal_tracker.organisation.tables import Staff

__all__ = ["ADMIN_EMAIL", "CASEWORK_KEYS", "DEMO_PASSWORD", "SUMMARY_KEYS", "demo_logins",
           "seed_demo"]


async def seed_demo(now: datetime | None = None) -> dict[str, int]:
    """Adds the demo data set unless it is there already; returns what it added.

    ``now`` is for tests that seed twice and compare: the services check the real clock, so it
    must be the present."""
    now = (now or utcnow()).astimezone(UTC).replace(second=0, microsecond=0)
    summary = dict.fromkeys((*SUMMARY_KEYS, *CASEWORK_KEYS), 0)
    async with db.transaction():  # all or nothing: a failed run leaves no half data set
        if not await Staff.exists().where(Staff.email == ADMIN_EMAIL):
            await seed_organisation(summary, now)
        await seed_casework(summary, now)
    return summary
