"""Reading what a calendar feed shows, straight from the database, for one subscription.

One query fetches the feed's hearings with their case, court and adjournment links; a second
the names of accompanying staff. From those rows a fingerprint is computed before anything
is built, so an unchanged feed answers 304 (or its cached bytes) without serialising a thing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from calendars.subscriptions import FeedRequest
from legal_tracker import db
from legal_tracker.cases.tables import Case, Hearing, HearingStaff
from legal_tracker.common import utcnow
from legal_tracker.organisation.tables import Staff

# How far back a feed reaches: enough for "what happened last month", small enough to stay
# fast. Cancelled hearings stay visible for 30 days after they were cancelled.
PAST_WINDOW = timedelta(days=90)
CANCELLED_WINDOW = timedelta(days=30)


def _hearing_query(feed: FeedRequest, now: datetime, *columns: Any) -> Any:
    """The feed's hearings: every column the feed shows, or only ``columns`` (a subquery)."""
    query = Hearing.select(*columns) if columns else Hearing.select(
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
        query = query.where(Hearing.office == feed.target_id)
    return query if columns else query.order_by(Hearing.starts_at).order_by(Hearing.id)


async def load_feed_rows(feed: FeedRequest, now: datetime | None = None) -> dict[str, Any]:
    """Everything the feed shows, as plain rows. Also what the fingerprint is made of."""
    now = now or utcnow()
    rows = [
        r for r in await _hearing_query(feed, now)
        if r["status"] != "cancelled" or r["updated_at"] >= now - CANCELLED_WINDOW
    ]
    staff: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
    linked_starts: dict[int, datetime] = {}
    if rows:
        # The feed's hearings as a subquery, never as a list of ids: an office feed may hold
        # more hearings than a query may carry parameters.
        in_feed = _hearing_query(feed, now, Hearing.id)
        for s in await HearingStaff.select(
            HearingStaff.hearing, HearingStaff.staff.id.as_alias("staff_id"),
            HearingStaff.staff.name.as_alias("name"),
            HearingStaff.staff.updated_at.as_alias("updated_at"),
        ).where(HearingStaff.hearing.is_in(in_feed)).order_by(HearingStaff.staff.name):
            staff[s["hearing"]].append((s["staff_id"], s["name"], s["updated_at"]))
        linked = {r["adjourned_to"] for r in rows if r["adjourned_to"]} | {
            r["adjourned_from"] for r in rows if r["adjourned_from"]}
        if linked:
            for link in await Hearing.select(Hearing.id, Hearing.starts_at).where(
                    db.any_of('"hearing"."id"', sorted(linked))):
                linked_starts[link["id"]] = link["starts_at"]
    for row in rows:
        row["staff"] = staff[row["id"]]
        row["adjourned_to_starts_at"] = linked_starts.get(row["adjourned_to"])
        row["adjourned_from_starts_at"] = linked_starts.get(row["adjourned_from"])
    return {"hearings": rows, "deadlines": await load_deadlines(feed, now)}


def _deadline_source() -> Any:
    """The casework area's deadline service, looked up once (a failed import is not cached
    by Python, and feeds are polled often)."""
    global _DEADLINES
    if _DEADLINES is None:
        try:
            from legal_tracker.casework.deadlines import (  # type: ignore[import-not-found]
                deadlines_for_feed,
            )
        except ImportError:
            _DEADLINES = False
        else:
            _DEADLINES = deadlines_for_feed
    return _DEADLINES or None


_DEADLINES: Any = None


async def load_deadlines(feed: FeedRequest, now: datetime) -> list[dict[str, Any]]:
    """Deadlines for case feeds, and staff feeds of lawyers (their own cases)."""
    deadlines_for_feed = _deadline_source()
    if deadlines_for_feed is None or not (
        feed.scope == "case" or (feed.scope == "staff" and feed.owner.role == "lawyer")
    ):
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


def _scope_sql(feed: FeedRequest) -> tuple[str, list[Any]]:
    if feed.scope == "staff":
        return ('h.id IN (SELECT hs.hearing FROM hearing_staff hs WHERE hs.staff = ?) '
                'AND (lc.office = (SELECT st.office FROM staff st WHERE st.id = ?) '
                'OR (SELECT st.office FROM staff st WHERE st.id = ?) IS NULL)',
                [feed.target_id, feed.target_id, feed.target_id])
    if feed.scope == "case":
        return 'h."case" = ?', [feed.target_id]
    return "h.office = ?", [feed.target_id]


async def feed_state(feed: FeedRequest, now: datetime | None = None) -> tuple[Any, ...]:
    """A summary that changes whenever anything the feed shows changes: which hearings are in
    it (count, id sum), their versions and last changes, and the last change to any court,
    case or accompanying member of staff they show. One aggregate query, no rows loaded:
    this is what lets an unchanged feed answer 304 in a millisecond or two."""
    now = now or utcnow()
    where, args = _scope_sql(feed)
    sql = (
        "SELECT COUNT(*) AS n, SUM(h.id) AS ids, SUM(h.version) AS versions, "
        "MAX(h.updated_at) AS hearing_at, MAX(c.updated_at) AS court_at, "
        "MAX(lc.updated_at) AS case_at, "
        "(SELECT MAX(s.updated_at) FROM hearing_staff x JOIN staff s ON s.id = x.staff "
        " JOIN hearing h2 ON h2.id = x.hearing JOIN legal_case lc2 ON lc2.id = h2.\"case\" "
        " WHERE " + where.replace("h.", "h2.").replace("lc.", "lc2.") +
        " AND h2.starts_at >= ?) AS staff_at "
        'FROM hearing h JOIN court c ON c.id = h.court JOIN legal_case lc ON lc.id = h."case" '
        "WHERE " + where + " AND h.starts_at >= ? AND (h.status <> 'cancelled' OR h.updated_at >= ?)"
    )
    window = now - PAST_WINDOW
    rows = await db.fast_read(sql, *args, window, *args, window, now - CANCELLED_WINDOW)
    row = rows[0] if rows else {}
    deadlines = await load_deadlines(feed, now)
    return (
        row.get("n"), row.get("ids"), row.get("versions"), str(row.get("hearing_at")),
        str(row.get("court_at")), str(row.get("case_at")), str(row.get("staff_at")),
        tuple(sorted((d["key"], str(d["due_date"]), str(d.get("updated_at")), d.get("title"),
                      d.get("what_to_do")) for d in deadlines)),
    )


def state_last_modified(state: tuple[Any, ...], fallback: datetime) -> datetime:
    stamps = [fallback]
    for text in state[3:7]:
        if text and text != "None":
            try:
                stamp = datetime.fromisoformat(str(text))
            except ValueError:
                continue
            stamps.append(stamp if stamp.tzinfo else stamp.replace(tzinfo=fallback.tzinfo))
    return max(s.astimezone(fallback.tzinfo) for s in stamps).replace(microsecond=0)


