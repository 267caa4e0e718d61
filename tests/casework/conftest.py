"""Helpers for the casework tests: a court whose local time is around noon now (so "today"
and "an hour ago" are the same local day whenever the suite runs), and a case with a survivor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest


def midday_zone(now: datetime | None = None) -> str:
    """A fixed-offset zone in which it is between 11:30 and 12:30 now."""
    now = now or datetime.now(UTC)
    offset = 12 - round(now.hour + now.minute / 60)
    offset = max(-12, min(14, offset))
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def ago(**kw: Any) -> str:
    return iso(datetime.now(UTC) - timedelta(**kw))


def ahead(**kw: Any) -> str:
    return iso(datetime.now(UTC) + timedelta(**kw))


@dataclass
class Setting:
    office: dict[str, Any]
    court: dict[str, Any]
    survivor: dict[str, Any]
    case: dict[str, Any]
    lawyer_id: int
    lawyer: dict[str, str]
    worker_id: int
    worker: dict[str, str]
    viewer: dict[str, str]
    outsider: dict[str, str]


@pytest.fixture
async def setting(world) -> Setting:
    office = await world.office()
    court = await world.court(timezone=midday_zone(), office_id=office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"], name="Wanjiru Lawyer")
    worker_id, worker = await world.user("caseworker", office["id"], name="Baraka Worker")
    viewer_id, viewer = await world.user("viewer", office["id"])
    _, outsider = await world.user("lawyer", office["id"], name="Not Assigned")
    survivor = await world.survivor(office["id"], legal_name="Amina Example")
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]],
                            staff_ids=[lawyer_id, worker_id, viewer_id])
    return Setting(office, court, survivor, case, lawyer_id, lawyer, worker_id, worker, viewer, outsider)
