"""Reading what a calendar feed shows, straight from the database, for one subscription.

One query fetches the feed's hearings with their case, court and adjournment links; a second
the names of accompanying staff. From those rows a fingerprint is computed before anything
is built, so an unchanged feed answers 304 (or its cached bytes) without serialising a thing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from calendars.subscriptions import FeedRequest
from legal_tracker.services.common import utcnow
from legal_tracker.tables import Case, Hearing, HearingStaff, Staff

# How far back a feed reaches: enough for "what happened last month", small enough to stay
# fast. Cancelled hearings stay visible for 30 days after they were cancelled.
PAST_WINDOW = timedelta(days=90)
CANCELLED_WINDOW = timedelta(days=30)


def _hearing_query(feed: FeedRequest, now: datetime) -> Any:
    query = Hearing.select(
        Hearing.id, Hearing.version, Hearing.updated_at, Hearing.starts_at,
        Hearing.duration_minutes, Hearing.kind, Hearing.status, Hearing.courtroom,
        Hearing.survivor_attends, Hearing.survivor_testifies, Hearing.family_attends,
        Hearing.what_to_bring, Hearing.adjourned_to, Hearing.adjourned_from,
        Hearing.case.reference.as_alias("case_reference"),
        Hearing.case.office.as_alias("office_id"),
        Hearing.court.name.as_alias("court_name"),
        Hearing.court.address.as_alias("court_address"),
        Hearing.court.timezone.as_alias("court_timezone"),
        Hearing.court.updated_at.as_alias("court_updated_at"),
    ).where(Hearing.starts_at >= now - PAST_WINDOW)
    if feed.scope == "staff":
        query = query.where(Hearing.id.is_in(
            HearingStaff.select(HearingStaff.hearing).where(HearingStaff.staff == feed.target_id)))
        # Another office's hearings never appear, even if a link slipped through.
        staff_office = Staff.select(Staff.office).where(Staff.id == feed.target_id)
        query = query.where(Hearing.case.office.is_in(staff_office) | Hearing.case.office.is_null())
    elif feed.scope == "case":
        query = query.where(Hearing.case == feed.target_id)
    else:
        query = query.where(Hearing.case.office == feed.target_id)
    return query.order_by(Hearing.starts_at).order_by(Hearing.id)


async def load_feed_rows(feed: FeedRequest, now: datetime | None = None) -> dict[str, Any]:
    """Everything the feed shows, as plain rows. Also what the fingerprint is made of."""
    now = now or utcnow()
    rows = [
        r for r in await _hearing_query(feed, now)
        if r["status"] != "cancelled" or r["updated_at"] >= now - CANCELLED_WINDOW
    ]
    ids = [r["id"] for r in rows]
    staff: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
    linked_starts: dict[int, datetime] = {}
    if ids:
        for s in await HearingStaff.select(
            HearingStaff.hearing, HearingStaff.staff.id.as_alias("staff_id"),
            HearingStaff.staff.name.as_alias("name"),
            HearingStaff.staff.updated_at.as_alias("updated_at"),
        ).where(HearingStaff.hearing.is_in(ids)).order_by(HearingStaff.staff.name):
            staff[s["hearing"]].append((s["staff_id"], s["name"], s["updated_at"]))
        linked = {r["adjourned_to"] for r in rows if r["adjourned_to"]} | {
            r["adjourned_from"] for r in rows if r["adjourned_from"]}
        if linked:
            for link in await Hearing.select(Hearing.id, Hearing.starts_at).where(
                    Hearing.id.is_in(sorted(linked))):
                linked_starts[link["id"]] = link["starts_at"]
    for row in rows:
        row["staff"] = staff[row["id"]]
        row["adjourned_to_starts_at"] = linked_starts.get(row["adjourned_to"])
        row["adjourned_from_starts_at"] = linked_starts.get(row["adjourned_from"])
    return {"hearings": rows, "deadlines": await load_deadlines(feed, now)}


async def load_deadlines(feed: FeedRequest, now: datetime) -> list[dict[str, Any]]:
    """Deadlines for case feeds, and staff feeds of lawyers (their own cases)."""
    try:
        from legal_tracker.casework.deadlines import deadlines_for_feed  # type: ignore[import-not-found]
    except ImportError:
        return []
    if feed.scope == "case":
        return await deadlines_for_feed(case_ids=[feed.target_id], today=now)
    if feed.scope == "staff" and feed.owner.role == "lawyer" and feed.owner.staff_id == feed.target_id:
        cases = Case.select(Case.id)
        from legal_tracker.access import case_scope

        scope = case_scope(feed.owner)
        if scope is not None:
            cases = cases.where(scope)
        ids = [r["id"] for r in await cases]
        return await deadlines_for_feed(case_ids=ids, today=now)
    return []


def feed_day(value: datetime | date) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else value.date()


