"""Small helpers the casework services share."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker.cases.tables import Case, CaseSurvivor
from legal_tracker.errors import Invalid, NotFound


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


async def require_case_of_survivor(case_id: int | None, survivor_id: int, field: str = "case_id") -> None:
    """A record of a survivor may name one of the survivor's cases, no other."""
    if case_id is None:
        return
    if not await CaseSurvivor.exists().where(
        (CaseSurvivor.case == case_id) & (CaseSurvivor.survivor == survivor_id)
    ):
        raise Invalid(field, "must be a case this survivor is part of")


async def gate(fetch: Any, entity: str) -> Any:
    """Runs a visibility check; a record behind an invisible parent is itself not found."""
    try:
        return await fetch
    except NotFound:
        raise NotFound(entity) from None


async def case_reference(case_id: int | None) -> str | None:
    if case_id is None:
        return None
    row = await Case.select(Case.reference).where(Case.id == case_id).first()
    return row["reference"] if row else None
