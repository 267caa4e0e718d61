"""Deadlines: what a lawyer must not miss, across the cases a caller may see.

Sources (each a function; add one to ``SOURCES`` to extend):

* ``rfe`` — the answer to a request for evidence of an immigration application, due on its
  ``rfe_due_on``, until it is answered or decided;
* ``certification`` — a signed U-visa certification that has not been filed with the petition,
  due six months after signing (``certification-<id>``);
* ``biometrics`` — a biometrics appointment still ahead;
* ``doc-expiry`` — an identity document (not lost or replaced) expiring: listed from 90 days
  before its expiry, whatever ``within_days`` is;
* ``manual`` — deadlines entered by hand on a case (``POST /api/cases/{id}/deadlines``) until done;
* ``call-family`` — (API list only, not the calendar feed) hearings whose family an SMS
  reminder did not reach, from the reminders area.

A due date is a calendar date in the office's time zone (the office of the case, or of the
survivor). "Within N days" counts from today in that same zone: on the same instant an
office in Manila may already be a day further than one in Nairobi. Items up to
``overdue_days`` past due and still open are listed too, marked ``overdue``.

Every item has a stable ``key`` (``rfe-12``, ``doc-expiry-5``, ``manual-3``...) that calendar
feeds use as the event UID, and titles that say nothing sensitive (no names, numbers, offence
or visa kind): they travel to phones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from legal_tracker import audit, db
from legal_tracker.access import (
    Actor,
    assigned_case_ids,
    case_scope,
    require_write,
    survivor_scope,
)
from legal_tracker.cases.cases import fetch_case
from legal_tracker.cases.tables import Case, CaseSurvivor, Survivor
from legal_tracker.casework.common import add_months, gate, today_in
from legal_tracker.casework.immigration import CERTIFICATION_VALID_MONTHS
from legal_tracker.casework.tables import Deadline, IdentityDocument, ImmigrationApplication
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.errors import Conflict, NotFound

DOCUMENT_NOTICE_DAYS = 90
DEFAULT_OVERDUE_DAYS = 30
# Zones lie between UTC-12 and UTC+14: a due date is "today" somewhere within this margin.
_ZONE_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which records count: an actor's (need-to-know), only the cases an actor is assigned
    to (``assigned``: "mine" on the deadlines page, whatever the role), or a list of cases
    (calendar feeds)."""

    actor: Actor | None = None
    case_ids: tuple[int, ...] | None = None
    assigned: bool = False

    def cases(self) -> Any:
        """A subquery of visible case ids, or None for every case."""
        if self.case_ids is not None:
            return Case.select(Case.id).where(db.any_of('"legal_case"."id"', self.case_ids))
        scope = case_scope(self.actor) if self.actor else None
        if self.assigned and self.actor:
            mine = Case.select(Case.id).where(Case.id.is_in(assigned_case_ids(self.actor)))
            return mine if scope is None else mine.where(scope)
        return None if scope is None else Case.select(Case.id).where(scope)

    def survivors(self) -> Any:
        if self.case_ids is not None:
            return CaseSurvivor.select(CaseSurvivor.survivor).where(
                db.any_of('"case_survivor"."case"', self.case_ids))
        if self.assigned and self.actor:
            return CaseSurvivor.select(CaseSurvivor.survivor).where(
                CaseSurvivor.case.is_in(self.cases()))
        scope = survivor_scope(self.actor) if self.actor else None
        return None if scope is None else Survivor.select(Survivor.id).where(scope)


@dataclass(frozen=True, slots=True)
class Window:
    now: datetime
    within_days: int
    overdue_days: int

    @property
    def earliest(self) -> date:
        return (self.now - _ZONE_MARGIN).date() - timedelta(days=self.overdue_days)

    def latest(self, lead_days: int = 0) -> date:
        return (self.now + _ZONE_MARGIN).date() + timedelta(days=max(self.within_days, lead_days))


Source = Callable[[Scope, Window], Awaitable[list[dict[str, Any]]]]


def _item(key: str, kind: str, due: date, title: str, what: str, row: dict[str, Any],
          source: str, *, lead_days: int = 0) -> dict[str, Any]:
    return {"key": key, "kind": kind, "due_date": due, "title": title, "what_to_do": what,
            "case_id": row.get("case"), "case_reference": row.get("case_reference"),
            "survivor_id": row.get("survivor"), "office_id": row["office_id"],
            "timezone": row["tz"], "source": source, "source_id": row["id"],
            "updated_at": row.get("updated_at"), "_lead_days": lead_days}


async def _applications(scope: Scope, window: Window, *where: Any) -> list[dict[str, Any]]:
    query = ImmigrationApplication.select(
        *ImmigrationApplication.all_columns(exclude=[ImmigrationApplication.notes]),
        ImmigrationApplication.case.reference.as_alias("case_reference"),
        ImmigrationApplication.survivor.office.as_alias("office_id"),
        ImmigrationApplication.survivor._.office._.timezone.as_alias("tz"),
    ).where(ImmigrationApplication.decision_on.is_null())
    survivors = scope.survivors()
    if survivors is not None:
        query = query.where(ImmigrationApplication.survivor.is_in(survivors))
    for clause in where:
        query = query.where(clause)
    return await query


async def rfe_deadlines(scope: Scope, window: Window) -> list[dict[str, Any]]:
    rows = await _applications(
        scope, window, ImmigrationApplication.rfe_answered_on.is_null(),
        ImmigrationApplication.rfe_due_on >= window.earliest,
        ImmigrationApplication.rfe_due_on <= window.latest())
    return [_item(f"rfe-{r['id']}", "rfe_answer", r["rfe_due_on"], "Answer the request for evidence",
                  "Send the evidence requested before its due date.",
                  r, "immigration") for r in rows]


async def certification_deadlines(scope: Scope, window: Window) -> list[dict[str, Any]]:
    months = CERTIFICATION_VALID_MONTHS
    # signed + 6 months within the window <=> signed within the window moved back 6 months
    # (give or take the days a shorter month clamps; the exact test comes later)
    rows = await _applications(
        scope, window, ImmigrationApplication.kind == "u_visa",
        ImmigrationApplication.filed_on.is_null(),
        ImmigrationApplication.certification_signed_on >= add_months(window.earliest, -months)
        - timedelta(days=3),
        ImmigrationApplication.certification_signed_on <= add_months(window.latest(), -months)
        + timedelta(days=3))
    return [_item(f"certification-{r['id']}", "certification_expiry",
                  add_months(r["certification_signed_on"], months),
                  # Nothing that names the kind of application: this travels to phones.
                  "File before the signed form expires",
                  f"The signed form is accepted for {months} months: file with it before "
                  "this date, or ask for a new one.", r, "immigration")
            for r in rows]


async def biometrics_deadlines(scope: Scope, window: Window) -> list[dict[str, Any]]:
    rows = await _applications(
        scope, window, ImmigrationApplication.biometrics_on >= (window.now - _ZONE_MARGIN).date(),
        ImmigrationApplication.biometrics_on <= window.latest())
    out = []
    for r in rows:
        item = _item(f"biometrics-{r['id']}", "biometrics", r["biometrics_on"],
                     "Biometrics appointment",
                     "Accompany the survivor to the biometrics appointment; bring the notice.",
                     r, "immigration")
        item["no_overdue"] = True
        out.append(item)
    return out


async def document_deadlines(scope: Scope, window: Window) -> list[dict[str, Any]]:
    query = IdentityDocument.select(
        IdentityDocument.id, IdentityDocument.survivor, IdentityDocument.case,
        IdentityDocument.kind, IdentityDocument.expires_on, IdentityDocument.updated_at,
        IdentityDocument.case.reference.as_alias("case_reference"),
        IdentityDocument.survivor.office.as_alias("office_id"),
        IdentityDocument.survivor._.office._.timezone.as_alias("tz"),
    ).where(IdentityDocument.status.not_in(["lost", "replaced"])
            & (IdentityDocument.expires_on >= window.earliest)
            & (IdentityDocument.expires_on <= window.latest(DOCUMENT_NOTICE_DAYS)))
    survivors = scope.survivors()
    if survivors is not None:
        query = query.where(IdentityDocument.survivor.is_in(survivors))
    label = {"national_id": "national ID", "birth_certificate": "birth certificate",
             "work_permit": "work permit"}
    return [_item(f"doc-expiry-{r['id']}", "document_expiry", r["expires_on"],
                  f"Identity document expires ({label.get(r['kind'], r['kind'])})",
                  "Apply for renewal or a replacement before the document expires.", r,
                  "identity_document", lead_days=DOCUMENT_NOTICE_DAYS) for r in await query]


async def manual_deadlines(scope: Scope, window: Window) -> list[dict[str, Any]]:
    query = Deadline.select(
        Deadline.id, Deadline.case, Deadline.kind, Deadline.due_on, Deadline.title,
        Deadline.what_to_do, Deadline.updated_at,
        Deadline.case.reference.as_alias("case_reference"),
        Deadline.case.office.as_alias("office_id"),
        Deadline.case._.office._.timezone.as_alias("tz"),
    ).where(Deadline.done_at.is_null() & (Deadline.due_on >= window.earliest)
            & (Deadline.due_on <= window.latest()))
    cases = scope.cases()
    if cases is not None:
        query = query.where(Deadline.case.is_in(cases))
    return [_item(f"manual-{r['id']}", r["kind"], r["due_on"], r["title"], r["what_to_do"], r,
                  "deadline") for r in await query]


async def call_the_family(scope: Scope, window: Window) -> list[dict[str, Any]]:
    from legal_tracker.reminders.summaries import call_the_family_deadlines

    # The visible cases as a subquery (or none: every case), never as a list of ids: an
    # organisation-wide admin sees every case, far more than a query may carry as parameters.
    out = []
    for task in await call_the_family_deadlines(scope.cases(), window.now.date(), window.within_days):
        row = {"id": task["hearing_id"], "case": task["case_id"],
               "case_reference": task["case_reference"], "office_id": task["office_id"],
               "tz": task["office_tz"], "updated_at": None}
        item = _item(f"call-family-{task['hearing_id']}", task["kind"], task["due_on"], task["title"],
                     task["detail"], row, "sms_reminders")
        item["source"] = "hearing"
        out.append(item)
    return out


# The calendar feeds show these; the API list adds the reminders area's "call the family".
SOURCES: list[Source] = [rfe_deadlines, certification_deadlines, biometrics_deadlines,
                         document_deadlines, manual_deadlines]
API_SOURCES: list[Source] = [*SOURCES, call_the_family]


async def _fill_case_references(items: list[dict[str, Any]], scope: Scope) -> None:
    """A document or application not tied to a case shows the survivor's first visible case."""
    missing = sorted({i["survivor_id"] for i in items if i["case_id"] is None and i["survivor_id"]})
    if not missing:
        return
    query = CaseSurvivor.select(CaseSurvivor.survivor, CaseSurvivor.case,
                                CaseSurvivor.case.reference.as_alias("reference")).where(
        db.any_of('"case_survivor"."survivor"', missing)).order_by(CaseSurvivor.case)
    cases = scope.cases()
    if cases is not None:
        query = query.where(CaseSurvivor.case.is_in(cases))
    first: dict[int, dict[str, Any]] = {}
    for r in await query:
        first.setdefault(r["survivor"], r)
    for item in items:
        if item["case_id"] is None and item["survivor_id"] in first:
            item["case_id"] = first[item["survivor_id"]]["case"]
            item["case_reference"] = first[item["survivor_id"]]["reference"]


async def upcoming_deadlines(actor: Actor | None = None, *, case_ids: list[int] | None = None,
                             within_days: int = 30, now: datetime | None = None,
                             overdue_days: int = DEFAULT_OVERDUE_DAYS,
                             sources: list[Source] | None = None,
                             assigned_only: bool = False) -> list[dict[str, Any]]:
    """Deadlines due from ``overdue_days`` ago (still open) to ``within_days`` ahead, each
    counted in its office's zone, sorted by due date. Pass ``actor`` (need-to-know) or
    ``case_ids`` (a calendar scope the caller has already checked); with both, both apply.
    ``assigned_only`` narrows an actor's scope to the cases they are assigned to (for an
    admin, who otherwise sees the whole office or organisation)."""
    if actor is None and case_ids is None:
        raise ValueError("upcoming_deadlines needs an actor or case ids")
    now = now or utcnow()
    scope = Scope(actor, tuple(case_ids) if case_ids is not None else None,
                  assigned=assigned_only and case_ids is None)
    if actor is not None and case_ids is not None:
        allowed = Case.select(Case.id).where(db.any_of('"legal_case"."id"', case_ids))
        if (actor_scope := case_scope(actor)) is not None:
            allowed = allowed.where(actor_scope)
        scope = Scope(None, tuple(r["id"] for r in await allowed))
    window = Window(now, within_days, overdue_days)
    items: list[dict[str, Any]] = []
    for source in sources or SOURCES:
        items.extend(await source(scope, window))
    out = []
    for item in items:
        today = today_in(item["timezone"], now)
        lead = item.pop("_lead_days")
        no_overdue = item.pop("no_overdue", False)
        days_left = (item["due_date"] - today).days
        if days_left > max(within_days, lead) or days_left < (0 if no_overdue else -overdue_days):
            continue
        item["days_left"] = days_left
        item["overdue"] = days_left < 0
        out.append(item)
    await _fill_case_references(out, scope)
    out.sort(key=lambda d: (d["due_date"], d["case_reference"] or "", d["key"]))
    return out


async def deadlines_for_feed(case_ids: list[int], today: datetime | date | None = None,
                             within_days: int = 365) -> list[dict[str, Any]]:
    """For calendar feeds (``calendars.service``): the deadlines of these cases, a year ahead."""
    if isinstance(today, datetime):
        now = today
    elif isinstance(today, date):
        now = datetime.combine(today, time(12), UTC)
    else:
        now = utcnow()
    return await upcoming_deadlines(case_ids=case_ids, within_days=within_days, now=now)


# ---------------------------------------------------------------- deadlines entered by hand


def _manual_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row.pop("created_by", None)
    row["key"] = f"manual-{row['id']}"
    row["done"] = row["done_at"] is not None
    return row


async def _fetch_manual(actor: Actor, deadline_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    check_id("deadline", deadline_id)
    row = await Deadline.select().where(Deadline.id == deadline_id).first()
    if row is None:
        raise NotFound("deadline")
    case = await gate(fetch_case(actor, row["case"]), "deadline")
    return row, case


async def list_case_deadlines(actor: Actor, case_id: int, page: PageRequest,
                              include_done: bool = True) -> Any:
    await fetch_case(actor, case_id)
    page = page.clamp()
    query = Deadline.select().where(Deadline.case == case_id)
    if not include_done:
        query = query.where(Deadline.done_at.is_null())
    rows = await query.order_by(Deadline.due_on).order_by(Deadline.id).limit(page.limit + 1).offset(
        page.offset)
    return page_of([_manual_out(r) for r in rows], page)


async def create_deadline(actor: Actor, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    case = await fetch_case(actor, case_id)
    require_write(actor)
    now = utcnow()
    async with db.transaction():
        rows = await Deadline.insert(Deadline(
            **data, case=case_id, created_by=actor.staff_id, created_at=now, updated_at=now,
        )).returning(Deadline.id)
        deadline_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "deadline", deadline_id, office_id=case["office"],
                           detail={"case_id": case_id})
    row, _ = await _fetch_manual(actor, deadline_id)
    return _manual_out(row)


async def update_deadline(actor: Actor, deadline_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a deadline entered by hand; ``{"done": true}`` marks it done (409 when it is
    done already: someone else marked it meanwhile). One conditional UPDATE: it applies only
    if the deadline is still as it was read (done or not, last changed at the same moment), so
    of two people marking it done at once, one wins and the other gets 409."""
    current, case = await _fetch_manual(actor, deadline_id)
    require_write(actor)
    values = dict(changes)
    now = utcnow()
    if "done" in values:
        done = values.pop("done")
        if done and current["done_at"] is not None:
            raise Conflict("this deadline was already marked done, perhaps by someone else a moment ago")
        if done:
            values["done_at"] = now
        else:
            values["done_at"] = None
    unchanged = (Deadline.id == deadline_id) & (Deadline.updated_at == current["updated_at"]) & (
        Deadline.done_at.is_null() if current["done_at"] is None else Deadline.done_at.is_not_null())
    async with db.transaction():
        stamped = db.update_values(values, {Deadline.updated_at: now})
        if not await Deadline.update(stamped).where(unchanged).returning(Deadline.id):
            raise Conflict("the deadline was changed by someone else meanwhile: reload it and try again")
        await audit.record(actor.staff_id, "update", "deadline", deadline_id, office_id=case["office"],
                           detail={"fields": sorted(changes)})
    row, _ = await _fetch_manual(actor, deadline_id)
    return _manual_out(row)
