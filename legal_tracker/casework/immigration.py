"""Immigration applications of foreign survivors: T and U visas, continued presence, UK NRM
decisions, Canadian temporary resident permits.

Milestones are dated columns (prepared, filed, receipt, biometrics, request for evidence
received / due / answered, bona fide determination, decision and outcome; for a UK NRM referral
the reasonable-grounds and conclusive-grounds decisions). The law-enforcement certification
(e.g. Form I-918 Supplement B) has a requested and a signed date: USCIS accepts a U-visa
certification signed at most six months before filing, so a petition filed later than that (or
a certification about to pass six months unfiled) is flagged in ``warnings`` and becomes a
deadline.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from legal_tracker import audit, db
from legal_tracker.access import Actor, require_write
from legal_tracker.cases.survivors import get_survivor
from legal_tracker.casework.common import add_months, gate, require_case_of_survivor
from legal_tracker.casework.tables import ImmigrationApplication
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.errors import NotFound
from legal_tracker.validation import Checks

CERTIFICATION_VALID_MONTHS = 6
# (milestone, its date column) in the order an application normally goes through them.
MILESTONES = (
    ("prepared", "prepared_on"), ("filed", "filed_on"), ("receipt", "receipt_on"),
    ("biometrics", "biometrics_on"), ("request_for_evidence", "rfe_received_on"),
    ("evidence_sent", "rfe_answered_on"), ("bona_fide_determination", "bona_fide_on"),
    ("reasonable_grounds", "reasonable_grounds_on"), ("conclusive_grounds", "conclusive_grounds_on"),
    ("decision", "decision_on"),
)
# later date column -> the earlier one it may not precede
ORDER = {
    "filed_on": "prepared_on", "receipt_on": "filed_on", "biometrics_on": "filed_on",
    "rfe_received_on": "filed_on", "rfe_due_on": "rfe_received_on",
    "rfe_answered_on": "rfe_received_on", "bona_fide_on": "filed_on", "decision_on": "filed_on",
    "conclusive_grounds_on": "reasonable_grounds_on", "certification_signed_on":
    "certification_requested_on",
}
NRM_ONLY = ("reasonable_grounds_on", "reasonable_grounds_outcome", "conclusive_grounds_on",
            "conclusive_grounds_outcome")


def certification_expires_on(row: dict[str, Any]) -> date | None:
    signed = row.get("certification_signed_on")
    return add_months(signed, CERTIFICATION_VALID_MONTHS) if signed else None


def warnings_of(row: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    expires = certification_expires_on(row)
    if row["kind"] == "u_visa":
        if row.get("filed_on") and expires and row["filed_on"] > expires:
            out.append({"code": "certification_stale", "field": "certification_signed_on",
                        "message": f"the certification was older than {CERTIFICATION_VALID_MONTHS} "
                                   "months when the petition was filed; USCIS may reject it"})
        elif row.get("filed_on") and not row.get("certification_signed_on"):
            out.append({"code": "certification_missing", "field": "certification_signed_on",
                        "message": "a U-visa petition needs a signed law-enforcement certification"})
    if row.get("rfe_due_on") and not row.get("rfe_answered_on") and not row.get("decision_on") \
            and row["rfe_due_on"] < utcnow().date():
        out.append({"code": "rfe_overdue", "field": "rfe_answered_on",
                    "message": "the answer to the request for evidence is past its due date"})
    return out


def _out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row.pop("created_by", None)
    reached = [(name, row[column]) for name, column in MILESTONES if row.get(column)]
    row["stage"] = max(reached, key=lambda pair: pair[1])[0] if reached else "started"
    if row.get("decision_on"):
        row["stage"] = "decision"
    row["milestones"] = [{"milestone": name, "on": row[column]} for name, column in MILESTONES
                         if row.get(column)]
    row["certification_expires_on"] = certification_expires_on(row)
    row["warnings"] = warnings_of(row)
    return row


def _check(values: dict[str, Any], merged: dict[str, Any], checks: Checks) -> None:
    for later, earlier in ORDER.items():
        if later in values or earlier in values:
            a, b = merged.get(later), merged.get(earlier)
            if a and b and a < b:
                checks.add(later if later in values else earlier,
                           f"{later} cannot be before {earlier}")
    if merged.get("kind") != "uk_nrm":
        for field in NRM_ONLY:
            if values.get(field) is not None:
                checks.add(field, "applies only to a UK NRM referral")
    for outcome, day in (("outcome", "decision_on"),
                         ("reasonable_grounds_outcome", "reasonable_grounds_on"),
                         ("conclusive_grounds_outcome", "conclusive_grounds_on")):
        if merged.get(outcome) and not merged.get(day):
            checks.add(day, f"required with {outcome}")
    if merged.get("rfe_due_on") and not merged.get("rfe_received_on"):
        checks.add("rfe_received_on", "required with rfe_due_on")


async def _fetch(actor: Actor, application_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    check_id("immigration application", application_id)
    row = await ImmigrationApplication.select().where(ImmigrationApplication.id == application_id).first()
    if row is None:
        raise NotFound("immigration application")
    survivor = await gate(get_survivor(actor, row["survivor"], audited=False), "immigration application")
    return row, survivor


async def list_applications(actor: Actor, survivor_id: int, page: PageRequest) -> Any:
    survivor = await get_survivor(actor, survivor_id, audited=False)
    page = page.clamp()
    rows = await ImmigrationApplication.select().where(
        ImmigrationApplication.survivor == survivor_id).order_by(ImmigrationApplication.id).limit(
        page.limit + 1).offset(page.offset)
    await audit.record(actor.staff_id, "list", "immigration_application", None,
                       office_id=survivor["office"], detail={"survivor_id": survivor_id})
    return page_of([_out(r) for r in rows], page)


async def get_application(actor: Actor, application_id: int) -> dict[str, Any]:
    row, survivor = await _fetch(actor, application_id)
    await audit.record(actor.staff_id, "read", "immigration_application", application_id,
                       office_id=survivor["office"])
    return _out(row)


async def create_application(actor: Actor, survivor_id: int, data: dict[str, Any]) -> dict[str, Any]:
    survivor = await get_survivor(actor, survivor_id, audited=False)
    require_write(actor)
    values = dict(data)
    checks = Checks()
    _check(values, values, checks)
    checks.raise_if_any()
    await require_case_of_survivor(values.get("case"), survivor_id)
    now = utcnow()
    async with db.transaction():
        rows = await ImmigrationApplication.insert(ImmigrationApplication(
            **values, survivor=survivor_id, created_by=actor.staff_id, created_at=now, updated_at=now,
        )).returning(ImmigrationApplication.id)
        application_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "immigration_application", application_id,
                           office_id=survivor["office"],
                           detail={"survivor_id": survivor_id, "fields": sorted(data)})
    row, _ = await _fetch(actor, application_id)
    return _out(row)


async def update_application(actor: Actor, application_id: int,
                             changes: dict[str, Any]) -> dict[str, Any]:
    current, survivor = await _fetch(actor, application_id)
    require_write(actor)
    values = dict(changes)
    checks = Checks()
    _check(values, {**current, **values}, checks)
    checks.raise_if_any()
    if "case" in values:
        await require_case_of_survivor(values["case"], current["survivor"])
    async with db.transaction():
        if values:
            stamped = db.update_values(values, {ImmigrationApplication.updated_at: utcnow()})
            await ImmigrationApplication.update(stamped).where(ImmigrationApplication.id == application_id)
        await audit.record(actor.staff_id, "update", "immigration_application", application_id,
                           office_id=survivor["office"], detail={"fields": sorted(changes)})
    row, _ = await _fetch(actor, application_id)
    return _out(row)
