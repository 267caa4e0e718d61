"""Survivor statements of a case: police and witness statements, affidavits, victim impact
statements and forensic interviews. Who took each, when, in which language, with which
interpreter and support person, whether it was recorded on video, and where it stands
(planned -> taken -> signed -> filed; never backwards). Every change raises the statement's
``version``; a change made against an older version than the stored one answers 409."""

from __future__ import annotations

from typing import Any

from legal_tracker import audit, db
from legal_tracker.access import Actor, require_write
from legal_tracker.cases.cases import fetch_case
from legal_tracker.cases.tables import CaseSurvivor
from legal_tracker.casework.common import gate
from legal_tracker.casework.tables import Statement
from legal_tracker.casework.vocab import STATEMENT_FLOW
from legal_tracker.common import PageRequest, check_id, page_of, to_utc, utcnow
from legal_tracker.errors import Conflict, NotFound
from legal_tracker.organisation.tables import Staff
from legal_tracker.validation import Checks


def _out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["taken_by_staff_id"] = row.pop("taken_by_staff", None)
    row.pop("created_by", None)
    return row


async def _fetch(actor: Actor, statement_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    check_id("statement", statement_id)
    row = await Statement.select().where(Statement.id == statement_id).first()
    if row is None:
        raise NotFound("statement")
    case = await gate(fetch_case(actor, row["case"]), "statement")
    return row, case


async def _check(case: dict[str, Any], values: dict[str, Any], merged: dict[str, Any],
                 checks: Checks) -> None:
    checks.language("language", values.get("language"))
    checks.language("interpreter_language", values.get("interpreter_language"))
    checks.instant("taken_at", values.get("taken_at"))
    if "survivor" in values and not await CaseSurvivor.exists().where(
        (CaseSurvivor.case == case["id"])
        & (CaseSurvivor.survivor == check_id("survivor", values["survivor"]))
    ):
        checks.add("survivor_id", "must be a survivor of this case")
    staff_id = values.get("taken_by_staff")
    if staff_id is not None:
        row = await Staff.select(Staff.office).where(Staff.id == check_id("staff", staff_id)).first()
        if row is None or row["office"] not in (case["office"], None):
            checks.add("taken_by_staff_id", "no such staff member in this office")
    if merged.get("status") in ("taken", "signed", "filed") and merged.get("taken_at") is None:
        checks.add("taken_at", "required once a statement is taken")
    if merged.get("interpreter_name") and not merged.get("interpreter_language"):
        checks.add("interpreter_language", "required when an interpreter is named")


async def list_statements(actor: Actor, case_id: int, page: PageRequest, *,
                          survivor_id: int | None = None, status: str | None = None) -> Any:
    case = await fetch_case(actor, case_id)
    page = page.clamp()
    query = Statement.select().where(Statement.case == case_id)
    if survivor_id is not None:
        query = query.where(Statement.survivor == survivor_id)
    if status is not None:
        query = query.where(Statement.status == status)
    rows = await query.order_by(Statement.id).limit(page.limit + 1).offset(page.offset)
    await audit.record(actor.staff_id, "list", "statement", None, office_id=case["office"],
                       detail={"case_id": case_id})
    return page_of([_out(r) for r in rows], page)


async def get_statement(actor: Actor, statement_id: int) -> dict[str, Any]:
    row, case = await _fetch(actor, statement_id)
    await audit.record(actor.staff_id, "read", "statement", statement_id, office_id=case["office"])
    return _out(row)


async def create_statement(actor: Actor, case_id: int, data: dict[str, Any]) -> dict[str, Any]:
    case = await fetch_case(actor, case_id)
    require_write(actor)
    values = dict(data)
    checks = Checks()
    await _check(case, values, values, checks)
    checks.raise_if_any()
    if values.get("taken_at") is not None:
        values["taken_at"] = to_utc(values["taken_at"])
    now = utcnow()
    async with db.transaction():
        rows = await Statement.insert(Statement(
            **values, case=case_id, created_by=actor.staff_id, created_at=now, updated_at=now,
        )).returning(Statement.id)
        statement_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "statement", statement_id,
                           office_id=case["office"], detail={"case_id": case_id, "fields": sorted(data)})
    row, _ = await _fetch(actor, statement_id)
    return _out(row)


async def update_statement(actor: Actor, statement_id: int, changes: dict[str, Any],
                           expected_version: int | None = None) -> dict[str, Any]:
    """``expected_version``: the version the caller read; a newer stored one answers 409.
    Either way the update itself is conditional on the version read here (no lost update)."""
    current, case = await _fetch(actor, statement_id)
    require_write(actor)
    if expected_version is not None and expected_version != current["version"]:
        raise Conflict("someone else changed this statement since you opened it: "
                       "check it again and repeat your change")
    values = dict(changes)
    new_status = values.get("status", current["status"])
    if new_status not in STATEMENT_FLOW[current["status"]]:
        raise Conflict(f"a {current['status']} statement cannot go back to {new_status}")
    checks = Checks()
    await _check(case, values, {**current, **values}, checks)
    checks.raise_if_any()
    if values.get("taken_at") is not None:
        values["taken_at"] = to_utc(values["taken_at"])
    async with db.transaction():
        stamped = db.update_values(values, {Statement.updated_at: utcnow(),
                                            Statement.version: current["version"] + 1})
        rows = await Statement.update(stamped).where(
            (Statement.id == statement_id) & (Statement.version == current["version"])
        ).returning(Statement.id)
        if not rows:
            raise Conflict("someone else changed this statement at the same moment: "
                           "check it again and repeat your change")
        detail: dict[str, Any] = {"fields": sorted(changes)}
        if new_status != current["status"]:
            detail["status"] = [current["status"], new_status]
        await audit.record(actor.staff_id, "update", "statement", statement_id,
                           office_id=case["office"], detail=detail)
    row, _ = await _fetch(actor, statement_id)
    return _out(row)
