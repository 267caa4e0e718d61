"""The office roster (GET /api/roster): who is in which court when, under the roster rule
(legal_tracker/cases/roster.py). Entries of cases the caller is not on carry no hearing or
case id, no reference and no survivor codes."""

from __future__ import annotations

from datetime import date, datetime

from msgspec import Struct

from api.schemas.cases import StaffRef


class RosterEntry(Struct):
    court_id: int
    court_name: str
    court_timezone: str
    courtroom: str
    starts_at: datetime
    ends_at: datetime
    local_date: date
    kind: str
    status: str
    survivor_attends: bool
    survivor_testifies: bool
    accompanying_staff: list[StaffRef]
    # True when the caller may not see the case: the fields below are then empty.
    restricted: bool
    hearing_id: int | None
    case_id: int | None
    case_reference: str | None
    survivor_codes: list[str]
    # The caller accompanies this hearing.
    mine: bool
    # A survivor attends or testifies and nobody accompanies.
    unaccompanied: bool
    # Staff who accompany another scheduled hearing at an overlapping time.
    double_booked_staff: list[int]


class RosterRead(Struct):
    office_id: int
    office_name: str
    office_timezone: str
    first_day: date
    last_day: date
    items: list[RosterEntry]
    total: int
