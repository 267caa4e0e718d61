"""Reading what a calendar feed shows, straight from the database, for one subscription.

One query fetches the feed's hearings with their case, court and adjournment links; a second
the names of accompanying staff. From those rows a fingerprint is computed before anything
is built, so an unchanged feed answers 304 (or its cached bytes) without serialising a thing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from calendars.subscriptions import FeedRequest
from legal_tracker import db
from legal_tracker.cases.tables import Case
from legal_tracker.casework.deadlines import deadlines_for_feed
from legal_tracker.common import utcnow

# How far back a feed reaches: enough for "what happened last month", small enough to stay
# fast. Cancelled hearings stay visible for 30 days after they were cancelled.
PAST_WINDOW = timedelta(days=90)
CANCELLED_WINDOW = timedelta(days=30)


def _scope_sql(feed: FeedRequest) -> tuple[str, list[Any]]:
    """Which hearings a feed shows, written once for both the ETag state and the rows (with
    ``h`` the hearing and ``lc`` its case), so the two can never disagree.

    A staff feed shows the hearings the member of staff accompanies *and may see*: an
    organisation-wide admin every one, an office admin their office's, anyone else only
    those of cases they are assigned to. Someone removed from a case drops out of its
    hearings' events at once, even where an accompaniment link remains.
    """
    if feed.scope == "staff":
        return ('h.id IN (SELECT hs.hearing FROM hearing_staff hs WHERE hs.staff = ?) '
                'AND EXISTS (SELECT 1 FROM staff st WHERE st.id = ? AND ('
                "(st.role = 'admin' AND (st.office IS NULL OR st.office = lc.office)) "
                'OR h."case" IN (SELECT cs."case" FROM case_staff cs WHERE cs.staff = st.id)))',
                [feed.target_id, feed.target_id])
    if feed.scope == "case":
        return 'h."case" = ?', [feed.target_id]
    # hearing.office (m0643) is indexed with the start time: an office feed reads only its own.
    return "h.office = ?", [feed.target_id]


def _scoped(feed: FeedRequest, now: datetime) -> tuple[str, list[Any]]:
    """FROM/WHERE of the hearings in the feed now: in scope, not older than the past window,
    cancelled ones only for 30 days after they were cancelled."""
    where, args = _scope_sql(feed)
    return (
        'FROM hearing h JOIN legal_case lc ON lc.id = h."case" '
        "WHERE " + where + " AND h.starts_at >= ? "
        "AND (h.status <> 'cancelled' OR h.updated_at >= ?)",
        [*args, now - PAST_WINDOW, now - CANCELLED_WINDOW],
    )


def _aware(value: Any) -> Any:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


async def load_feed_rows(feed: FeedRequest, now: datetime | None = None,
                         privacy: str = "standard") -> dict[str, Any]:
    """Everything the feed shows, as plain rows, with each hearing's stored event (``body``,
    ``digest``) for ``privacy`` when there is one. Three queries whatever the feed's size,
    none with a list of ids."""
    now = now or utcnow()
    scoped, args = _scoped(feed, now)
    # One query: a hearing with several accompanying staff comes back once per person
    # (grouped below), which is cheaper than a second query over the same scope.
    found = await db.fast_read(
        "SELECT h.id, h.version, h.updated_at, h.starts_at, h.duration_minutes, h.kind, "
        "h.status, h.courtroom, h.survivor_testifies, h.family_attends, h.what_to_bring, "
        "lc.reference AS case_reference, c.name AS court_name, c.address AS court_address, "
        "c.timezone AS court_timezone, c.updated_at AS court_updated_at, "
        "l1.starts_at AS adjourned_to_starts_at, l2.starts_at AS adjourned_from_starts_at, "
        "fe.digest AS stored_digest, fe.body AS stored_body, "
        "st.id AS staff_id, st.name AS staff_name, st.updated_at AS staff_updated_at "
        + scoped.replace("WHERE", "JOIN court c ON c.id = h.court "
                         "LEFT JOIN hearing l1 ON l1.id = h.adjourned_to "
                         "LEFT JOIN hearing l2 ON l2.id = h.adjourned_from "
                         "LEFT JOIN feed_event fe ON fe.hearing = h.id AND fe.privacy = ? "
                         "LEFT JOIN hearing_staff x ON x.hearing = h.id "
                         "LEFT JOIN staff st ON st.id = x.staff "
                         "WHERE", 1)
        + " ORDER BY h.starts_at, h.id, st.name, st.id", privacy, *args)
    rows: list[dict[str, Any]] = []
    for row in found:
        staff_id, name, staff_at = (row.pop("staff_id"), row.pop("staff_name"),
                                    row.pop("staff_updated_at"))
        if not rows or rows[-1]["id"] != row["id"]:
            for key in ("updated_at", "starts_at", "court_updated_at", "adjourned_to_starts_at",
                        "adjourned_from_starts_at"):
                row[key] = _aware(row[key])
            row["staff"] = []
            rows.append(row)
        if staff_id is not None:
            rows[-1]["staff"].append((staff_id, name, _aware(staff_at)))
    return {"hearings": rows, "deadlines": await load_deadlines(feed, now)}


async def load_deadlines(feed: FeedRequest, now: datetime) -> list[dict[str, Any]]:
    """Deadlines for case feeds, and staff feeds of lawyers (their own cases). Every table
    read here, as in the queries above, must move the feeds' change counter
    (``FEED_TABLES`` of migration m0655), or an unchanged counter would hide its changes."""
    if not (
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


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


async def feed_state(feed: FeedRequest, now: datetime | None = None) -> tuple[Any, ...]:
    """A summary that changes whenever anything the feed shows changes: which hearings are in
    it (count, id sums), their versions and last changes, the last change to any court, case
    or accompanying member of staff they show, and the versions of the hearings they were
    adjourned to or from (whose dates the events name). One aggregate query, no rows loaded:
    this is what lets an unchanged feed answer 304 in a millisecond or two."""
    now = now or utcnow()
    scoped, args = _scoped(feed, now)
    sql = (
        "WITH s AS MATERIALIZED (SELECT h.id, h.version, h.updated_at, h.court, h.\"case\", h.adjourned_to, "
        "h.adjourned_from " + scoped + ") "
        "SELECT (SELECT COUNT(*) FROM s) AS n, (SELECT SUM(id) FROM s) AS ids, "
        # Squared as a 64-bit value: ``id * id`` of two 32-bit ids overflows on PostgreSQL
        # ("integer out of range") once a hearing id in the feed passes 46,340.
        "(SELECT SUM(CAST(id AS BIGINT) * id) FROM s) AS id_squares, "
        "(SELECT SUM(version) FROM s) AS versions, "
        "(SELECT MAX(updated_at) FROM s) AS hearing_at, "
        "(SELECT MAX(c.updated_at) FROM court c WHERE c.id IN (SELECT court FROM s)) AS court_at, "
        "(SELECT MAX(lc.updated_at) FROM legal_case lc WHERE lc.id IN (SELECT \"case\" FROM s)) "
        "AS case_at, "
        "(SELECT MAX(st.updated_at) FROM hearing_staff x JOIN staff st ON st.id = x.staff "
        " WHERE x.hearing IN (SELECT id FROM s)) AS staff_at, "
        "(SELECT COUNT(*) FROM hearing_staff x WHERE x.hearing IN (SELECT id FROM s)) AS links, "
        # The linked hearings as one UNION probed by primary key: with ``IN (…) OR IN (…)``
        # PostgreSQL scanned every hearing of the installation twice (370 ms of a cold
        # 500-event feed at a million hearings).
        "(SELECT SUM(l.version) FROM hearing l WHERE l.id IN (SELECT adjourned_to FROM s "
        " UNION SELECT adjourned_from FROM s)) AS linked_versions, "
        "(SELECT MAX(l.updated_at) FROM hearing l WHERE l.id IN (SELECT adjourned_to FROM s "
        " UNION SELECT adjourned_from FROM s)) AS linked_at"
    )
    rows = await db.fast_read(sql, *args)
    row = rows[0] if rows else {}
    deadlines = await load_deadlines(feed, now)
    return (
        row.get("n"), row.get("ids"), row.get("versions"), str(row.get("hearing_at")),
        str(row.get("court_at")), str(row.get("case_at")), str(row.get("staff_at")),
        # PostgreSQL sums a BIGINT as NUMERIC (a Decimal): an int, as SQLite gives, keeps the
        # state (and so the ETag) the same whichever engine and driver computed it.
        str(row.get("linked_at")), _int(row.get("id_squares")), row.get("links"),
        row.get("linked_versions"),
        tuple(sorted((d["key"], str(d["due_date"]), str(d.get("updated_at")), d.get("title"),
                      d.get("what_to_do")) for d in deadlines)),
    )
