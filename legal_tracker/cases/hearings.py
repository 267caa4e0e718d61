"""Hearings and their lifecycle.

A hearing is scheduled, then held, adjourned or cancelled. Rescheduling before the date moves
the same hearing (its version rises, so calendars update the event in place); an adjournment
on the day closes this hearing as ``adjourned`` and creates the next one, linked both ways.
Every change is one transaction, runs the in-transaction hooks (reminders) and is kept in
``hearing_history``.
"""

from __future__ import annotations

import base64
import operator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from piccolo.query import WhereRaw
from piccolo.querystring import QueryString

from legal_tracker import audit, db, hooks
from legal_tracker.access import Actor, hearing_scope, require_write
from legal_tracker.cases.cases import check_court_of_office, fetch_case
from legal_tracker.cases.tables import Case, Hearing, HearingHistory, HearingStaff
from legal_tracker.common import PageRequest, check_id, page_of, to_utc, utcnow
from legal_tracker.domain import ADJOURNMENT_REASONS, MAX_ID
from legal_tracker.errors import Conflict, FieldProblem, Invalid, NotFound
from legal_tracker.organisation.tables import Court, Staff
from legal_tracker.validation import Checks

# Fields whose change a calendar subscriber or a family must see: they raise the version.
VISIBLE_FIELDS = frozenset({
    "court", "courtroom", "kind", "duration_minutes", "survivor_attends", "survivor_testifies",
    "family_attends", "what_to_bring", "staff_ids",
})

COLUMNS = (
    Hearing.id, Hearing.case, Hearing.court, Hearing.courtroom, Hearing.starts_at,
    Hearing.duration_minutes, Hearing.kind, Hearing.status, Hearing.survivor_attends,
    Hearing.survivor_testifies, Hearing.family_attends, Hearing.what_to_bring, Hearing.notes,
    Hearing.outcome_notes, Hearing.next_steps, Hearing.adjournment_reason,
    Hearing.adjournment_note, Hearing.cancel_reason, Hearing.adjourned_to,
    Hearing.adjourned_from, Hearing.version, Hearing.created_at, Hearing.updated_at,
    Hearing.case.reference.as_alias("case_reference"),
    Hearing.case.office.as_alias("office_id"),
    Hearing.court.name.as_alias("court_name"),
    Hearing.court.timezone.as_alias("court_timezone"),
)

# The accompanying staff of each hearing, as one column of the same statement (one round trip
# for a page and its staff, issue 15): ``[[id, name], ...]`` as JSON text (NULL or ``[]`` when
# nobody accompanies). SQLite 3.40 has no ORDER BY inside an aggregate: sorted in Python.
_STAFF_SQL = {
    "postgres": "(SELECT json_agg(json_build_array(hs.staff, s.name)) FROM hearing_staff hs"
                ' JOIN staff s ON s.id = hs.staff WHERE hs.hearing = "hearing"."id") AS "staff"',
    "sqlite": "(SELECT json_group_array(json_array(hs.staff, s.name)) FROM hearing_staff hs"
              ' JOIN staff s ON s.id = hs.staff WHERE hs.hearing = "hearing"."id") AS "staff"',
}
_SELECT: dict[str, str] = {}


def _select_sql() -> str:
    """``SELECT <COLUMNS>, <staff> FROM hearing LEFT JOIN legal_case, court``: Piccolo's own SQL
    for ``Hearing.select(*COLUMNS)`` (so its WHERE clauses, the need-to-know scope included,
    apply as they are), built once per engine instead of on every request: Piccolo's query
    building walked every joined column (``dir()`` included) each time."""
    kind = "sqlite" if db.is_sqlite() else "postgres"
    sql = _SELECT.get(kind)
    if sql is None:
        (querystring,) = Hearing.select(*COLUMNS).querystrings
        base, args = querystring.compile_string(engine_type=kind)
        head, sep, tail = base.partition(' FROM "hearing" ')
        if args or not sep or "{" in base or "}" in base:
            raise RuntimeError("unexpected SQL for the hearing columns")
        sql = _SELECT[kind] = f"{head}, {_STAFF_SQL[kind]}{sep}{tail}"
    return sql


async def _select(where: Any, tail: str = "", *args: Any) -> list[dict[str, Any]]:
    """The hearings matching ``where`` (a Piccolo condition or None) with their accompanying
    staff, ``tail`` (ORDER BY, LIMIT with ``{}`` placeholders for ``args``) after the WHERE.
    On the fast read path outside a transaction, on the transaction's connection inside one."""
    template = _select_sql().replace("{", "{{").replace("}", "}}")  # no braces (checked)
    if where is not None:
        querystring = QueryString(template + " WHERE {}" + tail, where.querystring, *args)
    else:
        querystring = QueryString(template + tail, *args)
    return [_with_staff(row) for row in await db.fast_query(querystring)]


def _scope(actor: Actor | None) -> Any:
    return hearing_scope(actor) if actor is not None else None


# Per process: a handful of zones and of durations, each made once (ZoneInfo's own cache and
# building a timedelta cost more per row than the rest of the row, issue 15).
_ZONES: dict[str, ZoneInfo] = {}
_DURATIONS: dict[int, timedelta] = {}


def _with_staff(row: dict[str, Any]) -> dict[str, Any]:
    staff = row.pop("staff")
    pairs = msgspec.json.decode(staff) if staff else []
    if len(pairs) > 1:
        pairs.sort()
    # Who accompanies: ids (API.md) and names, for "who is in court today".
    row["accompanying_staff"] = [{"id": i, "name": name} for i, name in pairs]
    row["staff_ids"] = [i for i, _ in pairs]
    tz = row["court_timezone"]
    zone = _ZONES.get(tz) or _ZONES.setdefault(tz, ZoneInfo(tz))
    minutes = row["duration_minutes"]
    duration = _DURATIONS.get(minutes) or _DURATIONS.setdefault(minutes, timedelta(minutes=minutes))
    # Durations are absolute: add them to the instant, not to the wall-clock time (a
    # 3-hour hearing across the night clocks go forward ends 4 wall-clock hours later).
    starts_at = row["starts_at"]
    if starts_at.tzinfo is not UTC:
        starts_at = to_utc(starts_at)
    row["starts_at"] = starts_at.astimezone(zone)
    row["ends_at"] = (starts_at + duration).astimezone(zone)
    return row


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, datetime.min.time(), zone)
    return to_utc(start), to_utc(start + timedelta(days=1))


async def list_hearings(actor: Actor, page: PageRequest, *, starts_from: datetime | None = None,
                        starts_to: datetime | None = None, court_id: int | None = None,
                        staff_id: int | None = None, status: str | None = None,
                        case_id: int | None = None, office_id: int | None = None,
                        kind: str | None = None, day: date | None = None,
                        cursor: str | None = None) -> Any:
    """``day`` is a calendar date in each court's own time zone: the hearings that sit on
    that date wherever they are ("who is in court today").

    ``cursor`` (the ``next_cursor`` of the page before) continues after the last hearing
    shown: keyset paging on ``(starts_at, id)``, as fast for the ten-thousandth page as for the
    first, where ``offset`` makes the database walk every skipped row."""
    page = page.clamp()
    conditions: list[Any] = []
    scope = _scope(actor)
    if scope is not None:
        conditions.append(scope)
    if cursor is not None:
        if page.offset:
            raise Invalid(problems=[FieldProblem("cursor", "give either cursor or offset, not both",
                                                 "query")])
        after_at, after_id = decode_cursor(cursor)
        # A row-value comparison, which the (starts_at, id) index serves directly (an OR of
        # the two conditions made PostgreSQL walk the index from the start: 371 ms half-way
        # through a million hearings).
        conditions.append(WhereRaw('("hearing"."starts_at", "hearing"."id") > ({}, {})',
                                   after_at, after_id))
    if day is not None:
        conditions.append(await _on_local_day(day))
    if starts_from is not None:
        conditions.append(Hearing.starts_at >= to_utc(starts_from))
    if starts_to is not None:
        conditions.append(Hearing.starts_at < to_utc(starts_to))
    if court_id is not None:
        conditions.append(Hearing.court == court_id)
    if case_id is not None:
        conditions.append(Hearing.case == case_id)
    if status is not None:
        conditions.append(Hearing.status == status)
    if kind is not None:
        conditions.append(Hearing.kind == kind)
    if office_id is not None:
        conditions.append(Hearing.office == office_id)
    if staff_id is not None:
        conditions.append(Hearing.id.is_in(
            HearingStaff.select(HearingStaff.hearing).where(HearingStaff.staff == staff_id)))
    where = reduce(operator.and_, conditions) if conditions else None
    rows = await _select(where, ' ORDER BY "hearing"."starts_at", "hearing"."id" LIMIT {} OFFSET {}',
                         page.limit + 1, page.offset)
    result = page_of(rows, page)
    if result.next_offset is not None and result.items:
        last = result.items[-1]
        result = replace(result, next_cursor=encode_cursor(last["starts_at"], last["id"]))
    return result


def encode_cursor(starts_at: datetime, hearing_id: int) -> str:
    text = f"{to_utc(starts_at).isoformat()}|{hearing_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, ident = text.partition("|")
        starts_at = datetime.fromisoformat(at)
        hearing_id = int(ident)
        if starts_at.tzinfo is None or not 0 < hearing_id <= MAX_ID:
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise Invalid(problems=[FieldProblem(
            "cursor", "is not a cursor this list gave (use next_cursor as it came)", "query")]) from None
    return to_utc(starts_at), hearing_id


async def _on_local_day(day: date) -> Any:
    """A WHERE clause: the hearing starts on ``day`` in its court's zone. One range per zone
    in use (a handful), so the start-time index still serves the query."""
    zones = sorted({r["timezone"] for r in await Court.select(Court.timezone).distinct()})
    clause: Any = None
    for tz in zones:
        start, end = day_bounds(day, tz)
        part = ((Hearing.court.timezone == tz) & (Hearing.starts_at >= start)
                & (Hearing.starts_at < end))
        clause = part if clause is None else clause | part
    return clause if clause is not None else (Hearing.id < 0)


async def get_hearing(actor: Actor | None, hearing_id: int) -> dict[str, Any]:
    check_id("hearing", hearing_id)
    scope = _scope(actor)
    where = Hearing.id == hearing_id
    rows = await _select(where if scope is None else scope & where)
    if not rows:
        raise NotFound("hearing")
    return rows[0]


async def _check_staff(case: dict[str, Any], staff_ids: list[int], checks: Checks) -> None:
    if not staff_ids:
        return
    rows = await Staff.select(Staff.id, Staff.office, Staff.active).where(
        Staff.id.is_in([check_id("staff", s) for s in set(staff_ids)])
    )
    found = {r["id"]: r for r in rows}
    for sid in staff_ids:
        row = found.get(sid)
        if row is None or row["office"] not in (case["office"], None) or not row["active"]:
            checks.add("staff_ids", f"staff {sid} does not exist or is not active in this office")


async def _check_court(court_id: int | None, office_id: int, checks: Checks) -> None:
    if court_id is not None:
        await check_court_of_office(court_id, office_id, checks)


async def overlapping_accompaniments(hearing_id: int, staff_ids: list[int]) -> list[dict]:
    """Other scheduled hearings the same staff accompany that overlap this one in time."""
    if not staff_ids:
        return []
    me = await Hearing.select(Hearing.starts_at, Hearing.duration_minutes).where(
        Hearing.id == hearing_id).first()
    if me is None:
        return []
    start = me["starts_at"]
    end = start + timedelta(minutes=me["duration_minutes"])
    # Hearings rarely run past a day; bound the scan, then test the overlap exactly.
    rows = await HearingStaff.select(
        HearingStaff.staff, HearingStaff.hearing,
        HearingStaff.hearing.starts_at.as_alias("starts_at"),
        HearingStaff.hearing.duration_minutes.as_alias("duration_minutes"),
    ).where(
        HearingStaff.staff.is_in(staff_ids)
        & (HearingStaff.hearing != hearing_id)
        & (HearingStaff.hearing.status == "scheduled")
        & (HearingStaff.hearing.starts_at < end)
        & (HearingStaff.hearing.starts_at > start - timedelta(days=1))
    )
    warnings = []
    for r in rows:
        other_end = r["starts_at"] + timedelta(minutes=r["duration_minutes"])
        if r["starts_at"] < end and other_end > start:
            warnings.append({"staff_id": r["staff"], "hearing_id": r["hearing"],
                             "message": f"staff {r['staff']} already accompanies hearing "
                                        f"{r['hearing']} at an overlapping time"})
    return warnings


async def _history(hearing_id: int, actor: Actor | None, action: str, version: int, *,
                   from_starts_at: datetime | None = None, to_starts_at: datetime | None = None,
                   reason: str | None = None, note: str | None = None) -> None:
    await HearingHistory.insert(HearingHistory(
        hearing=hearing_id, at=utcnow(), actor=actor.staff_id if actor else None, action=action,
        version=version, from_starts_at=from_starts_at, to_starts_at=to_starts_at, reason=reason,
        note=note,
    ))


async def _set_staff(hearing_id: int, staff_ids: list[int]) -> None:
    await HearingStaff.delete().where(HearingStaff.hearing == hearing_id)
    if staff_ids:
        await HearingStaff.insert(*[
            HearingStaff(hearing=hearing_id, staff=s) for s in sorted(set(staff_ids))
        ])


async def release_accompaniments(actor: Actor, case_id: int, staff_ids: set[int]) -> list[int]:
    """Inside the caller's transaction: people just removed from a case stop accompanying
    its coming hearings, so the link never outlives their access (feeds, roster, lists).
    Admins keep theirs: they still see the case. Each hearing changed gets a new version
    (calendars update) and a history entry. Returns the hearings changed."""
    if not staff_ids:
        return []
    losing = [r["id"] for r in await Staff.select(Staff.id).where(
        Staff.id.is_in(sorted(staff_ids)) & (Staff.role != "admin"))]
    if not losing:
        return []
    rows = await HearingStaff.select(HearingStaff.hearing).where(
        HearingStaff.staff.is_in(losing) & (HearingStaff.hearing.case == case_id)
        & (HearingStaff.hearing.status == "scheduled")
        & (HearingStaff.hearing.starts_at >= utcnow()))
    changed = sorted({r["hearing"] for r in rows})
    now = utcnow()
    for hearing_id in changed:
        await HearingStaff.delete().where(
            (HearingStaff.hearing == hearing_id) & HearingStaff.staff.is_in(losing))
        version = await _bump(hearing_id, now)
        await _history(hearing_id, actor, "updated", version,
                       note="staff_ids (removed from the case)")
    return changed


async def _bump(hearing_id: int, now: datetime) -> int:
    """Raises a hearing's version by one in place (no lost update: one statement)."""
    await Hearing.update({Hearing.version: Hearing.version + 1, Hearing.updated_at: now}).where(
        Hearing.id == hearing_id)
    row = await Hearing.select(Hearing.version).where(Hearing.id == hearing_id).first()
    assert row is not None  # updated just above, in the caller's transaction
    return row["version"]


async def create_hearing(actor: Actor, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    case = await fetch_case(actor, case_id)
    require_write(actor)
    values = dict(data)
    if values.get("court") is None:
        values["court"] = case["court"]
    checks = Checks()
    if values["court"] is None:
        checks.add("court_id", "required when the case has no court")
    if values["court"] is not None:
        await _check_court(values["court"], case["office"], checks)
    staff_ids = values.pop("staff_ids", None) or []
    await _check_staff(case, staff_ids, checks)
    checks.instant("starts_at", values["starts_at"])
    checks.raise_if_any()
    values["starts_at"] = to_utc(values["starts_at"])
    now = utcnow()
    async with db.transaction():
        rows = await Hearing.insert(Hearing(
            **values, case=case_id, status="scheduled", version=1, created_at=now, updated_at=now,
        )).returning(Hearing.id)
        hearing_id = rows[0]["id"]
        await _set_staff(hearing_id, staff_ids)
        await _history(hearing_id, actor, "created", 1, to_starts_at=values["starts_at"])
        await audit.record(actor.staff_id, "create", "hearing", hearing_id, office_id=case["office"],
                           detail={"case_id": case_id})
        hearing = await get_hearing(None, hearing_id)
        await hooks.hearing_changed(hooks.HearingChange("created", hearing, actor=actor))
    hearing["warnings"] = await overlapping_accompaniments(hearing_id, staff_ids)
    return hearing


async def update_hearing(actor: Actor, hearing_id: int, changes: dict[str, Any],
                         expected_version: int | None = None) -> dict[str, Any]:
    current = await get_hearing(actor, hearing_id)
    require_write(actor)
    _check_expected(current, expected_version)
    values = dict(changes)
    if "starts_at" in values:
        raise Invalid("starts_at", "use POST /api/hearings/{id}/reschedule or /adjourn to move a hearing")
    case = await Case.select(Case.id, Case.office).where(Case.id == current["case"]).first()
    assert case is not None  # the hearing's foreign key
    checks = Checks()
    await _check_court(values.get("court"), case["office"], checks)
    staff_ids = values.pop("staff_ids", None)
    if staff_ids is not None:
        await _check_staff(case, staff_ids, checks)
    checks.raise_if_any()
    changed = {k for k, v in values.items() if current.get(k) != v}
    if staff_ids is not None and sorted(set(staff_ids)) != current["staff_ids"]:
        changed.add("staff_ids")
    if changed & VISIBLE_FIELDS and current["status"] != "scheduled":
        raise Conflict(f"a {current['status']} hearing cannot be changed; only its notes can")
    bump = bool(changed & VISIBLE_FIELDS)
    async with db.transaction():
        version = await _conditional(current, {**values, Hearing.updated_at: utcnow()}, bump=bump)
        if staff_ids is not None:
            await _set_staff(hearing_id, staff_ids)
        if changed:
            await _history(hearing_id, actor, "updated", version,
                           note=", ".join(sorted(changed)))
        await audit.record(actor.staff_id, "update", "hearing", hearing_id, office_id=case["office"],
                           detail={"fields": sorted(changes)})
        hearing = await get_hearing(None, hearing_id)
        if changed:
            await hooks.hearing_changed(hooks.HearingChange(
                "updated", hearing, previous=current, actor=actor, changed_fields=frozenset(changed)))
    hearing["warnings"] = await overlapping_accompaniments(hearing_id, hearing["staff_ids"])
    return hearing


async def _lifecycle_target(actor: Actor, hearing_id: int,
                            expected_version: int | None = None) -> dict[str, Any]:
    current = await get_hearing(actor, hearing_id)
    require_write(actor)
    _check_expected(current, expected_version)
    return current


def _require_scheduled(current: dict[str, Any], verb: str) -> None:
    if current["status"] != "scheduled":
        raise Conflict(f"a {current['status']} hearing cannot be {verb}")


def _check_expected(current: dict[str, Any], expected_version: int | None) -> None:
    """``If-Match``: the caller changes the version they read, or nothing."""
    if expected_version is not None and expected_version != current["version"]:
        raise Conflict(f"the hearing is at version {current['version']}, not {expected_version}:"
                       " reload it and try again")


async def _conditional(current: dict[str, Any], values: dict[Any, Any], *,
                       bump: bool = True) -> int:
    """Inside the caller's transaction: one UPDATE of the hearing that applies only if it is
    still in the status and at the version the caller read (the race's loser changes
    nothing and gets 409, like ``append_custody``). Returns the new version."""
    version = current["version"] + (1 if bump else 0)
    rows = await Hearing.update({**values, Hearing.version: version}).where(
        (Hearing.id == current["id"]) & (Hearing.status == current["status"])
        & (Hearing.version == current["version"])).returning(Hearing.id)
    if not rows:
        raise Conflict("the hearing was changed by someone else meanwhile: reload it and try again")
    return version


async def reschedule_hearing(actor: Actor, hearing_id: int, starts_at: datetime,
                             reason: str | None, expected_version: int | None = None,
                             ) -> dict[str, Any]:
    current = await _lifecycle_target(actor, hearing_id, expected_version)
    _require_scheduled(current, "rescheduled")
    now = utcnow()
    if current["starts_at"] <= now:
        raise Conflict("the hearing has already started; adjourn it or record its outcome")
    checks = Checks()
    checks.instant("starts_at", starts_at)
    checks.raise_if_any()
    new_start = to_utc(starts_at)
    if new_start <= now:
        raise Invalid("starts_at", "must be in the future")
    async with db.transaction():
        version = await _conditional(current, {Hearing.starts_at: new_start,
                                               Hearing.updated_at: now})
        await _history(hearing_id, actor, "rescheduled", version,
                       from_starts_at=current["starts_at"], to_starts_at=new_start, note=reason)
        await audit.record(actor.staff_id, "reschedule", "hearing", hearing_id,
                           office_id=current["office_id"])
        hearing = await get_hearing(None, hearing_id)
        await hooks.hearing_changed(hooks.HearingChange(
            "rescheduled", hearing, previous=current, actor=actor,
            changed_fields=frozenset({"starts_at"})))
    return hearing


async def adjourn_hearing(actor: Actor, hearing_id: int, next_starts_at: datetime, reason: str,
                          note: str | None = None, expected_version: int | None = None, *,
                          at: datetime | None = None) -> dict[str, Any]:
    """Closes the hearing as adjourned and returns the new, linked hearing.

    ``at`` is for recording history only (the demo seeder): the adjournment happened then,
    so the next date need only be after it, and no hooks run (there is nothing left to
    remind anyone of)."""
    current = await _lifecycle_target(actor, hearing_id, expected_version)
    _require_scheduled(current, "adjourned")
    if reason not in ADJOURNMENT_REASONS:
        raise Invalid("reason", f"must be one of {', '.join(ADJOURNMENT_REASONS)}")
    if reason == "other" and not (note or "").strip():
        raise Invalid("note", "describe the reason when it is 'other'")
    now = at or utcnow()
    zone = ZoneInfo(current["court_timezone"])
    if current["starts_at"].astimezone(zone).date() > now.astimezone(zone).date():
        raise Conflict("the hearing is on a later day; reschedule it instead of adjourning")
    checks = Checks()
    checks.instant("next_starts_at", next_starts_at)
    checks.raise_if_any()
    next_start = to_utc(next_starts_at)
    if next_start <= max(now, to_utc(current["starts_at"])):
        raise Invalid("next_starts_at", "must be after the adjourned hearing and in the future")
    async with db.transaction():
        # First the conditional close: of two adjournments at once, the loser stops here.
        version = await _conditional(current, {
            Hearing.status: "adjourned", Hearing.adjournment_reason: reason,
            Hearing.adjournment_note: note, Hearing.updated_at: now,
        })
        rows = await Hearing.insert(Hearing(
            case=current["case"], court=current["court"], courtroom=current["courtroom"],
            starts_at=next_start, duration_minutes=current["duration_minutes"],
            kind=current["kind"], status="scheduled",
            survivor_attends=current["survivor_attends"],
            survivor_testifies=current["survivor_testifies"],
            family_attends=current["family_attends"], what_to_bring=current["what_to_bring"],
            adjourned_from=hearing_id, version=1, created_at=now, updated_at=now,
        )).returning(Hearing.id)
        next_id = rows[0]["id"]
        await _set_staff(next_id, current["staff_ids"])
        # Ours now (adjourned at our version inside this transaction): link it.
        await Hearing.update({Hearing.adjourned_to: next_id}).where(
            (Hearing.id == hearing_id) & (Hearing.version == version))
        await _history(hearing_id, actor, "adjourned", version, from_starts_at=current["starts_at"],
                       to_starts_at=next_start, reason=reason, note=note)
        await _history(next_id, actor, "created", 1, from_starts_at=current["starts_at"],
                       to_starts_at=next_start, reason=reason, note=f"adjourned from {hearing_id}")
        await audit.record(actor.staff_id, "adjourn", "hearing", hearing_id,
                           office_id=current["office_id"], detail={"next_hearing_id": next_id,
                                                                   "reason": reason})
        hearing = await get_hearing(None, hearing_id)
        next_hearing = await get_hearing(None, next_id)
        if at is None:
            await hooks.hearing_changed(hooks.HearingChange(
                "adjourned", hearing, previous=current, next_hearing=next_hearing, actor=actor,
                changed_fields=frozenset({"status"})))
    next_hearing["warnings"] = await overlapping_accompaniments(next_id, next_hearing["staff_ids"])
    return next_hearing


async def cancel_hearing(actor: Actor, hearing_id: int, reason: str,
                         expected_version: int | None = None) -> dict[str, Any]:
    current = await _lifecycle_target(actor, hearing_id, expected_version)
    _require_scheduled(current, "cancelled")
    now = utcnow()
    async with db.transaction():
        version = await _conditional(current, {Hearing.status: "cancelled",
                                               Hearing.cancel_reason: reason,
                                               Hearing.updated_at: now})
        await _history(hearing_id, actor, "cancelled", version, from_starts_at=current["starts_at"],
                       note=reason)
        await audit.record(actor.staff_id, "cancel", "hearing", hearing_id,
                           office_id=current["office_id"])
        hearing = await get_hearing(None, hearing_id)
        await hooks.hearing_changed(hooks.HearingChange(
            "cancelled", hearing, previous=current, actor=actor,
            changed_fields=frozenset({"status"})))
    return hearing


async def record_outcome(actor: Actor, hearing_id: int, data: dict[str, Any],
                         expected_version: int | None = None) -> dict[str, Any]:
    """The hearing was held: what happened and what comes next; a judgment or sentence is
    recorded on the case as well."""
    current = await _lifecycle_target(actor, hearing_id, expected_version)
    _require_scheduled(current, "marked as held")
    now = utcnow()
    if current["starts_at"] > now:
        raise Conflict("the hearing has not started yet")
    case_changes: dict[Any, Any] = {}
    for key in ("case_status", "case_outcome", "sentence", "sentence_months", "judgment_on"):
        if data.get(key) is not None:
            column = {"case_status": "status", "case_outcome": "outcome"}.get(key, key)
            case_changes[column] = data[key]
    async with db.transaction():
        version = await _conditional(current, {
            Hearing.status: "held", Hearing.outcome_notes: data.get("outcome_notes"),
            Hearing.next_steps: data.get("next_steps"), Hearing.updated_at: now,
        })
        if case_changes:
            before = await Case.select(Case.status).where(Case.id == current["case"]).first()
            await Case.update({**case_changes, Case.updated_at: now}).where(
                Case.id == current["case"])
            detail: dict[str, Any] = {"fields": sorted(case_changes), "via": "hearing_outcome"}
            if "status" in case_changes and before and case_changes["status"] != before["status"]:
                # The case timeline reads status changes from here, as from update_case.
                detail["status"] = [before["status"], case_changes["status"]]
            await audit.record(actor.staff_id, "update", "case", current["case"],
                               office_id=current["office_id"], detail=detail)
        await _history(hearing_id, actor, "held", version, from_starts_at=current["starts_at"])
        await audit.record(actor.staff_id, "outcome", "hearing", hearing_id,
                           office_id=current["office_id"])
        hearing = await get_hearing(None, hearing_id)
        await hooks.hearing_changed(hooks.HearingChange(
            "outcome", hearing, previous=current, actor=actor, changed_fields=frozenset({"status"})))
    return hearing


async def change_accompaniment(actor: Actor, hearing_id: int, staff_id: int, *, add: bool,
                               expected_version: int | None = None) -> dict[str, Any]:
    """Adds or removes one member of staff accompanying a scheduled hearing: one transaction,
    a conditional update (409 when the hearing changed meanwhile), a new version (calendars
    and reminders follow) and a history entry. Adding someone already there, like removing
    someone absent, is answered by the caller (``casework.accompaniment``)."""
    current = await get_hearing(actor, hearing_id)
    require_write(actor)
    check_id("staff", staff_id)
    _check_expected(current, expected_version)
    if current["status"] != "scheduled":
        raise Conflict(f"a {current['status']} hearing's accompaniment cannot be changed")
    action = "assign_staff" if add else "unassign_staff"
    async with db.transaction():
        version = await _conditional(current, {Hearing.updated_at: utcnow()})
        if add:
            await HearingStaff.insert(HearingStaff(hearing=hearing_id, staff=staff_id))
        else:
            await HearingStaff.delete().where(
                (HearingStaff.hearing == hearing_id) & (HearingStaff.staff == staff_id))
        await _history(hearing_id, actor, "updated", version, note=f"staff_ids ({action})")
        await audit.record(actor.staff_id, action, "hearing", hearing_id,
                           office_id=current["office_id"], detail={"staff_id": staff_id})
        hearing = await get_hearing(None, hearing_id)
        await hooks.hearing_changed(hooks.HearingChange(
            "updated", hearing, previous=current, actor=actor,
            changed_fields=frozenset({"staff_ids"})))
    return hearing


async def hearing_history(actor: Actor, hearing_id: int) -> list[dict[str, Any]]:
    await get_hearing(actor, hearing_id)
    return await HearingHistory.select().where(HearingHistory.hearing == hearing_id).order_by(
        HearingHistory.at).order_by(HearingHistory.id)

