"""GET /api/roster: an office's hearings for a day or an ISO week, under the roster rule."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import get
from litestar.params import Parameter

from api.controllers.common import ACTOR, READ_ERRORS, CurrentActor, OptId
from api.schemas.roster import RosterRead
from legal_tracker.cases.roster import office_roster

Week = Annotated[str | None, Parameter(max_length=8, pattern=r"^\d{4}-W\d{2}$",
                                       description="ISO week, e.g. 2026-W49 (Monday to Sunday)")]
RosterDay = Annotated[date | None, Parameter(description="a date (YYYY-MM-DD), in each court's zone")]


@get("/api/roster", tags=["hearings"], responses=READ_ERRORS,
     dependencies=ACTOR)
async def roster(actor: CurrentActor, office_id: OptId = None, day: RosterDay = None,
                 week: Week = None) -> RosterRead:
    """The office's hearings on ``day`` or in ``week`` (exactly one), in each court's local
    time, ordered by day, court and time. Everyone in the office sees every hearing so cover
    can be planned; for a case the caller is not assigned to an entry is ``restricted``: only
    court, courtroom, time, kind, whether a survivor attends or testifies, and who accompanies
    (no hearing or case id, reference or survivor code). ``office_id`` defaults to the
    caller's office (an organisation-wide admin must give one)."""
    result = await office_roster(actor, office_id, day=day, week=week)
    return msgspec.convert({
        "office_id": result.office_id, "office_name": result.office_name,
        "office_timezone": result.office_timezone, "first_day": result.first_day,
        "last_day": result.last_day, "items": result.items, "total": len(result.items),
    }, RosterRead)
