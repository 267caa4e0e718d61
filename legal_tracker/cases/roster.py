"""The office's court roster: who is in which court when, for a day or an ISO week.

This is the one exception to need-to-know (DESIGN.md): everyone in an office sees when and
where the office's hearings sit and who accompanies, so cover can be planned. For a hearing of
a case the person may not see (``access.hearing_scope``), the entry carries only court,
courtroom, time, kind, whether a survivor attends or testifies, and who accompanies — no
hearing or case id, no case reference, no survivor code. The rule lives here only; the API's
``GET /api/roster`` and the web app's court day both call :func:`office_roster`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker.access import Actor, hearing_scope, office_visible
from legal_tracker.cases.hearings import day_bounds
from legal_tracker.cases.tables import CaseSurvivor, Hearing, HearingStaff
from legal_tracker.errors import FieldProblem, Invalid, NotFound
from legal_tracker.organisation.tables import Court, Office

ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# Fields every member of the office may see of any of its hearings.
OPEN_FIELDS = ("court_id", "court_name", "court_timezone", "courtroom", "starts_at", "ends_at",
               "local_date", "kind", "status", "survivor_attends", "survivor_testifies",
               "accompanying_staff")


@dataclass(frozen=True, slots=True)
class Roster:
    office_id: int
    office_name: str
    office_timezone: str
    first_day: date
    last_day: date
    items: list[dict[str, Any]]

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i)
                for i in range((self.last_day - self.first_day).days + 1)]


def parse_week(value: str) -> date:
    """The Monday of an ISO week written ``2026-W49``."""
    match = ISO_WEEK.match(value.strip())
    if not match:
        raise Invalid(problems=[FieldProblem("week", "must be an ISO week such as 2026-W49", "query")])
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise Invalid(problems=[FieldProblem("week", "no such ISO week", "query")]) from exc


async def resolve_office(actor: Actor, office_id: int | None) -> dict[str, Any]:
    """The office whose roster is asked for: the person's own unless they are an
    organisation-wide admin, who must name one."""
    if office_id is None:
        office_id = actor.office_id
    if office_id is None:
        raise Invalid(problems=[FieldProblem("office_id", "required for an organisation-wide admin",
                                             "query")])
    if not office_visible(actor, office_id) or (not actor.is_org_admin and actor.office_id is None):
        raise NotFound("office")
    row = await Office.select(Office.id, Office.name, Office.timezone).where(
        Office.id == office_id).first()
    if row is None:
        raise NotFound("office")
    return row


async def _local_range(first: date, days: int) -> Any:
    """Hearings starting on ``first`` … ``first + days`` in their court's own zone: one time
    range per zone in use, so the start-time index serves the query."""
    zones = sorted({r["timezone"] for r in await Court.select(Court.timezone).distinct()})
    clause: Any = None
    for tz in zones:
        start, _ = day_bounds(first, tz)
        _, end = day_bounds(first + timedelta(days=days - 1), tz)
        part = (Hearing.court.timezone == tz) & (Hearing.starts_at >= start) & (Hearing.starts_at < end)
        clause = part if clause is None else clause | part
    return clause if clause is not None else (Hearing.id < 0)


COLUMNS = (
    Hearing.id, Hearing.case, Hearing.court, Hearing.courtroom, Hearing.starts_at,
    Hearing.duration_minutes, Hearing.kind, Hearing.status, Hearing.survivor_attends,
    Hearing.survivor_testifies, Hearing.case.reference.as_alias("case_reference"),
    Hearing.court.name.as_alias("court_name"), Hearing.court.timezone.as_alias("court_timezone"),
)


async def office_roster(actor: Actor, office_id: int | None = None, *, day: date | None = None,
                        week: str | None = None) -> Roster:
    if (day is None) == (week is None):
        raise Invalid(problems=[FieldProblem("day", "give either day (YYYY-MM-DD) or week "
                                                    "(YYYY-Www), not both and not neither", "query")])
    office = await resolve_office(actor, office_id)
    first = day if day is not None else parse_week(week or "")
    count = 1 if day is not None else 7
    where = (Hearing.case.office == office["id"]) & await _local_range(first, count)
    rows = await Hearing.select(*COLUMNS).where(where).order_by(Hearing.starts_at).order_by(Hearing.id)
    # Which of these the person may see in full: the same query under their scope (no id lists).
    scope = hearing_scope(actor)
    if scope is None:
        visible = {r["id"] for r in rows}
    else:
        visible = {r["id"] for r in await Hearing.select(Hearing.id).where(where & scope)}
    codes: dict[int, list[str]] = defaultdict(list)
    if visible:
        cases = Hearing.select(Hearing.case).where(where if scope is None else where & scope)
        for r in await CaseSurvivor.select(
            CaseSurvivor.case, CaseSurvivor.survivor.code.as_alias("code")
        ).where(CaseSurvivor.case.is_in(cases)).order_by(CaseSurvivor.survivor):
            codes[r["case"]].append(r["code"])
    staff = await _staff_of(where)
    items = []
    for row in rows:
        zone = ZoneInfo(row["court_timezone"])
        starts = row["starts_at"].astimezone(zone)
        people = staff.get(row["id"], [])
        item: dict[str, Any] = {
            "court_id": row["court"], "court_name": row["court_name"],
            "court_timezone": row["court_timezone"], "courtroom": row["courtroom"],
            "starts_at": starts, "ends_at": starts + timedelta(minutes=row["duration_minutes"]),
            "local_date": starts.date(), "kind": row["kind"], "status": row["status"],
            "survivor_attends": row["survivor_attends"],
            "survivor_testifies": row["survivor_testifies"],
            "accompanying_staff": people,
            "restricted": row["id"] not in visible,
            "hearing_id": None, "case_id": None, "case_reference": None, "survivor_codes": [],
            "mine": any(p["id"] == actor.staff_id for p in people),
            "unaccompanied": (row["survivor_attends"] or row["survivor_testifies"])
            and not people and row["status"] == "scheduled",
            "double_booked_staff": [],
            "_id": row["id"],
        }
        if not item["restricted"]:
            item.update(hearing_id=row["id"], case_id=row["case"],
                        case_reference=row["case_reference"], survivor_codes=codes[row["case"]])
        items.append(item)
    _flag_double_bookings(items)
    for item in items:
        del item["_id"]
    items.sort(key=lambda i: (i["local_date"], i["court_name"], i["court_id"], i["starts_at"]))
    return Roster(office["id"], office["name"], office["timezone"], first,
                  first + timedelta(days=count - 1), items)


async def _staff_of(where: Any) -> dict[int, list[dict[str, Any]]]:
    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in await HearingStaff.select(
        HearingStaff.hearing, HearingStaff.staff, HearingStaff.staff.name.as_alias("name")
    ).where(HearingStaff.hearing.is_in(Hearing.select(Hearing.id).where(where))).order_by(
        HearingStaff.staff
    ):
        people[r["hearing"]].append({"id": r["staff"], "name": r["name"]})
    return people


def _flag_double_bookings(items: list[dict[str, Any]]) -> None:
    """A person accompanying two scheduled hearings whose times overlap: both are flagged."""
    by_staff: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        if item["status"] == "scheduled":
            for person in item["accompanying_staff"]:
                by_staff[person["id"]].append(item)
    for staff_id, hearings in by_staff.items():
        hearings.sort(key=lambda i: i["starts_at"])
        for i, first in enumerate(hearings):
            for second in hearings[i + 1:]:
                if second["starts_at"] >= first["ends_at"]:
                    break
                for item in (first, second):
                    if staff_id not in item["double_booked_staff"]:
                        item["double_booked_staff"].append(staff_id)


def today_in(tz: str, now: datetime | None = None) -> date:
    return (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).date()
