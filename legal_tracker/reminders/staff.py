"""What staff do with reminders: list, read, preview, cancel, resend."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Or

from legal_tracker import audit, db
from legal_tracker.access import Actor, assigned_case_ids, require_write
from legal_tracker.cases.tables import CaseSurvivor, Contact, Hearing
from legal_tracker.common import PageRequest, check_id, page_of, to_utc, utcnow
from legal_tracker.errors import Conflict, Invalid, NotFound
from legal_tracker.organisation.tables import Court
from legal_tracker.reminders.messages import RenderedMessage
from legal_tracker.reminders.outbox import office_policy, office_row, render_for
from legal_tracker.reminders.planning import (
    next_allowed_at_or_after,
)
from legal_tracker.reminders.tables import REMINDER_STATUSES, ContactSmsStatus, Reminder

log = logging.getLogger("legal_tracker.reminders")

# ---------------------------------------------------------------- staff view


def _scope(actor: Actor) -> Any:
    if actor.is_org_admin:
        return None
    if actor.is_admin:
        return Reminder.office == actor.office_id
    cases = assigned_case_ids(actor)
    return Or(Reminder.case.is_in(cases),
              Reminder.case.is_null() & Reminder.survivor.is_in(
                  CaseSurvivor.select(CaseSurvivor.survivor).where(
                      CaseSurvivor.case.is_in(assigned_case_ids(actor)))))


COLUMNS = (
    Reminder.id, Reminder.hearing, Reminder.hearing_version, Reminder.contact, Reminder.kind,
    Reminder.slot, Reminder.case, Reminder.survivor, Reminder.office, Reminder.timezone,
    Reminder.send_at, Reminder.status, Reminder.status_reason, Reminder.attempts, Reminder.provider,
    Reminder.provider_message_id, Reminder.provider_status, Reminder.error_code,
    Reminder.error_message, Reminder.segments, Reminder.resend_of, Reminder.sent_at,
    Reminder.delivered_at, Reminder.created_at, Reminder.updated_at,
    Reminder.contact.name.as_alias("contact_name"),
    Reminder.contact.language.as_alias("language"),
    Reminder.contact.phone_index.as_alias("phone_index"),
)


def _scoped(actor: Actor) -> Any:
    query = Reminder.select(*COLUMNS)
    scope = _scope(actor)
    return query.where(scope) if scope is not None else query


async def _with_flags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = sorted({r["contact"] for r in rows})
    flags: dict[int, dict[str, Any]] = {}
    if ids:
        for f in await ContactSmsStatus.select().where(ContactSmsStatus.contact.is_in(ids)):
            flags[f["contact"]] = f
    out = []
    for row in rows:
        row = dict(row)
        index = row.pop("phone_index", None)
        flag = flags.get(row["contact"])
        if flag is not None and flag["phone_flagged_at"] and flag["flagged_phone_index"] == index:
            row["phone_flagged_at"] = flag["phone_flagged_at"]
            row["phone_flag_reason"] = flag["phone_flag_reason"]
        else:
            row["phone_flagged_at"] = None
            row["phone_flag_reason"] = None
        out.append(row)
    return out


async def list_reminders(actor: Actor, page: PageRequest, *, hearing_id: int | None = None,
                         case_id: int | None = None, status: str | None = None,
                         send_from: datetime | None = None, send_to: datetime | None = None,
                         contact_id: int | None = None) -> Any:
    page = page.clamp()
    query = _scoped(actor).order_by(Reminder.send_at).order_by(Reminder.id)
    if hearing_id is not None:
        query = query.where(Reminder.hearing == hearing_id)
    if case_id is not None:
        query = query.where(Reminder.case == case_id)
    if contact_id is not None:
        query = query.where(Reminder.contact == contact_id)
    if status is not None:
        if status not in REMINDER_STATUSES:
            raise Invalid("status", f"must be one of {', '.join(REMINDER_STATUSES)}")
        query = query.where(Reminder.status == status)
    if send_from is not None:
        query = query.where(Reminder.send_at >= to_utc(send_from))
    if send_to is not None:
        query = query.where(Reminder.send_at < to_utc(send_to))
    rows = await query.limit(page.limit + 1).offset(page.offset)
    result = page_of(rows, page)
    result.items[:] = await _with_flags(result.items)
    await audit.record(actor.staff_id, "list", "reminder", None, office_id=actor.office_id,
                       detail={"count": len(result.items)})
    return result


async def get_reminder(actor: Actor, reminder_id: int) -> dict[str, Any]:
    check_id("reminder", reminder_id)
    row = await _scoped(actor).where(Reminder.id == reminder_id).first()
    if row is None:
        raise NotFound("reminder")
    return (await _with_flags([row]))[0]


async def cancel_reminder(actor: Actor, reminder_id: int) -> dict[str, Any]:
    current = await get_reminder(actor, reminder_id)
    require_write(actor)
    if current["status"] != "pending":
        raise Conflict(f"a {current['status']} reminder cannot be cancelled")
    async with db.transaction():
        rows = await Reminder.update({
            Reminder.status: "cancelled", Reminder.status_reason: "cancelled by staff",
            Reminder.updated_at: utcnow()}).where(
            (Reminder.id == reminder_id) & (Reminder.status == "pending")).returning(Reminder.id)
        if not rows:
            raise Conflict("the reminder is being sent; it can no longer be cancelled")
        await audit.record(actor.staff_id, "cancel", "reminder", reminder_id,
                           office_id=current["office"])
    return await get_reminder(actor, reminder_id)


async def resend_reminder(actor: Actor, reminder_id: int) -> dict[str, Any]:
    """A new reminder for the same family and hearing (the current version of it), sent as
    soon as quiet hours allow. The original keeps its status and history."""
    current = await get_reminder(actor, reminder_id)
    require_write(actor)
    if current["status"] in ("pending", "sending"):
        raise Conflict(f"a {current['status']} reminder is still on its way")
    contact = await Contact.select().where(Contact.id == current["contact"]).first()
    if contact is None or contact["deleted_at"] is not None or contact["sms_consent_at"] is None \
            or contact["sms_consent_withdrawn_at"] is not None or contact["phone_enc"] is None:
        raise Conflict("the contact has no SMS consent or no phone number")
    now = utcnow()
    office = await office_row(current["office"])
    policy = office_policy(office["reminder_policy"])
    version = 0
    if current["hearing"] is not None:
        from legal_tracker.cases.hearings import get_hearing

        hearing = await get_hearing(None, current["hearing"])
        version = hearing["version"]
        expected = "cancelled" if current["kind"] == "cancelled" else "scheduled"
        if hearing["status"] != expected or to_utc(hearing["starts_at"]) <= now:
            raise Conflict(f"the hearing is {hearing['status']} or has started; nothing to resend")
    send_at = next_allowed_at_or_after(now, ZoneInfo(current["timezone"]), policy)
    async with db.transaction():
        slot = 0
        if current["hearing"] is not None:
            top = await Reminder.select(Reminder.slot).where(
                (Reminder.hearing == current["hearing"]) & (Reminder.hearing_version == version)
                & (Reminder.contact == current["contact"]) & (Reminder.kind == current["kind"])
            ).order_by(Reminder.slot, ascending=False).first()
            slot = top["slot"] + 1 if top else 0
        rows = await Reminder.insert(Reminder(
            hearing=current["hearing"], hearing_version=version, contact=current["contact"],
            kind=current["kind"], slot=slot, case=current["case"],
            survivor=current["survivor"], office=current["office"], timezone=current["timezone"],
            send_at=send_at, status="pending", resend_of=reminder_id, created_by=actor.staff_id,
            created_at=now, updated_at=now,
        )).returning(Reminder.id)
        new_id = rows[0]["id"]
        await audit.record(actor.staff_id, "resend", "reminder", reminder_id,
                           office_id=current["office"], detail={"new_reminder_id": new_id})
    return await get_reminder(actor, new_id)


async def _render_row(row: dict[str, Any], now: datetime) -> RenderedMessage:
    office = await office_row(row["office"])
    language = (await Contact.select(Contact.language).where(Contact.id == row["contact"]).first()
                or {}).get("language")
    if row["hearing"] is None:
        return render_for(row["kind"], language, office=office, tz=row["timezone"], now=now)
    hearing = await Hearing.select(Hearing.starts_at, Hearing.court).where(
        Hearing.id == row["hearing"]).first()
    assert hearing is not None  # the reminder's foreign key
    court = await Court.select(Court.name).where(Court.id == hearing["court"]).first()
    assert court is not None  # the hearing's foreign key
    return render_for(row["kind"], language, office=office, tz=row["timezone"],
                      court_name=court["name"], starts_at=hearing["starts_at"], now=now)


async def preview_reminder(actor: Actor, reminder_id: int) -> dict[str, Any]:
    row = await get_reminder(actor, reminder_id)
    rendered = await _render_row(row, utcnow())
    return {"id": reminder_id, "kind": row["kind"], "language": rendered.language_used,
            "text": rendered.text, "characters": len(rendered.text),
            "encoding": str(rendered.encoding), "segments": rendered.segments}


BULK_STATUSES = ("unconfirmed", "failed", "undelivered", "pending")
BULK_LIMIT = 500


async def bulk_action(actor: Actor, action: str, *, statuses: Sequence[str],
                      hearing_id: int | None = None, office_id: int | None = None
                      ) -> dict[str, Any]:
    """Resend or cancel, in bulk, the reminders the actor may see matching the filters (at
    most 500 at a time). Each one is its own audited change; one that cannot be changed now
    (the hearing is over, consent withdrawn, already on its way) is counted as skipped."""
    require_write(actor)
    wanted = sorted(set(statuses))
    if not wanted or any(s not in BULK_STATUSES for s in wanted):
        raise Invalid("statuses", f"must be some of {', '.join(BULK_STATUSES)}")
    if action == "resend" and "pending" in wanted:
        raise Invalid("statuses", "a pending reminder is still on its way; it cannot be resent")
    if hearing_id is None and office_id is None:
        raise Invalid("hearing_id", "give a hearing_id or an office_id")
    query = _scoped(actor).where(Reminder.status.is_in(wanted))
    if hearing_id is not None:
        query = query.where(Reminder.hearing == check_id("hearing_id", hearing_id))
    if office_id is not None:
        query = query.where(Reminder.office == check_id("office_id", office_id))
    rows = await query.order_by(Reminder.id).limit(BULK_LIMIT)
    done: list[int] = []
    skipped = 0
    for row in rows:
        try:
            if action == "resend":
                done.append((await resend_reminder(actor, row["id"]))["id"])
            else:
                await _cancel_any(actor, row)
                done.append(row["id"])
        except Conflict:
            skipped += 1
    return {"matched": len(rows), "done": done, "skipped": skipped}


async def _cancel_any(actor: Actor, row: dict[str, Any]) -> None:
    async with db.transaction():
        updated = await Reminder.update({
            Reminder.status: "cancelled", Reminder.status_reason: "cancelled by staff",
            Reminder.updated_at: utcnow()}).where(
            (Reminder.id == row["id"]) & (Reminder.status == row["status"])).returning(Reminder.id)
        if not updated:
            raise Conflict("the reminder changed meanwhile")
        await audit.record(actor.staff_id, "cancel", "reminder", row["id"],
                           office_id=row["office"], detail={"was": row["status"], "bulk": True})
