"""The reminder outbox: planning in the hearing's own transaction, re-planning, consent.

Rules (see docs/readme/sms.md):

* Only hearings that are ``scheduled`` and where the survivor or the family attends
  (``survivor_attends`` or ``family_attends``) get reminders. Recipients are the contacts of
  every survivor linked to the hearing's case, with consent recorded and not withdrawn, not
  deleted, with a phone number.
* Planning runs inside the transaction of the hearing change (registered with
  :func:`legal_tracker.hooks.on_hearing_change`): a rolled-back hearing leaves no reminder, and
  a committed one always has its reminders.
* A reminder is keyed by (hearing, hearing version, contact, kind, slot), UNIQUE in the
  database. When the hearing's version rises the pending reminders are either re-keyed to the
  new version (a change the family does not see: staff, courtroom, kind...) or cancelled and
  planned anew (a new date, a new court, or the family is no longer expected).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from piccolo.columns.combination import Or

from legal_tracker import audit, crypto, db, hooks
from legal_tracker.access import Actor, assigned_case_ids, require_write
from legal_tracker.cases.tables import CaseSurvivor, Contact, Hearing
from legal_tracker.common import PageRequest, check_id, page_of, to_utc, utcnow
from legal_tracker.errors import Conflict, Invalid, NotFound
from legal_tracker.organisation.tables import Court, Office
from legal_tracker.reminders.messages import RenderedMessage, render_message
from legal_tracker.reminders.planning import (
    MESSAGE_KINDS,
    ReminderPolicy,
    is_quiet,
    next_allowed_at_or_after,
    plan_send_times,
)
from legal_tracker.reminders.tables import REMINDER_STATUSES, ContactSmsStatus, Reminder

log = logging.getLogger("legal_tracker.reminders")

# Messages a family has (probably) received: they know about the hearing.
TOLD = ("sending", "sent", "delivered", "unconfirmed")
# Messages that still stand (planned or gone out): planning the same key again is a no-op.
LIVE = ("pending", "sending", "sent", "delivered", "unconfirmed", "undelivered", "failed")
HEARINGLESS_KINDS = ("welcome", "help")


# ---------------------------------------------------------------- policy & texts


def office_policy(raw: Any) -> ReminderPolicy:
    """An office's stored policy as a planning policy.

    The API stores ``{"days_before": [7, 3, 1], "quiet_start": "21:00", "quiet_end": "07:00"}``
    (a 0 in days_before is ignored: a same-day reminder is the first notice's job); the
    planner's own ``ReminderPolicy.to_dict()`` form is accepted too. Unreadable policies fall
    back to the defaults rather than stopping a hearing from being saved."""
    data = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
    if not isinstance(data, dict) or not data:
        return ReminderPolicy()
    try:
        if "days_before" not in data and set(data) <= set(ReminderPolicy().to_dict()):
            return ReminderPolicy.from_dict(data)
        options: dict[str, Any] = {}
        if "days_before" in data:
            days = sorted({int(d) for d in data["days_before"] or [] if int(d) > 0}, reverse=True)
            options["offsets"] = tuple((f"d{d}", timedelta(days=d)) for d in days)
        for key in ("quiet_start", "quiet_end"):
            if data.get(key):
                options[key] = time.fromisoformat(str(data[key]))
        return ReminderPolicy(**options)
    except (TypeError, ValueError):
        log.warning("office reminder policy unreadable; using the defaults")
        return ReminderPolicy()


def template_kind(kind: str) -> str:
    """Offset reminders share one text; an office's own offsets (``d14``, ``d2``) use it."""
    if kind in MESSAGE_KINDS:
        return kind
    if kind.startswith("d") and kind[1:].isdigit():
        return "d1"
    raise ValueError(f"unknown reminder kind {kind!r}")


def display_phone(phone: str | None) -> str:
    if not phone:
        return "-"
    try:
        return phonenumbers.format_number(phonenumbers.parse(phone, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return phone


def render_for(kind: str, language: str | None, *, office: dict[str, Any], tz: str,
               court_name: str | None = None, starts_at: datetime | None = None,
               now: datetime | None = None) -> RenderedMessage:
    """The text of one message: never a survivor's name, the offence or the hearing kind."""
    return render_message(
        template_kind(kind), language, court_name=court_name, starts_at=starts_at,
        tz=ZoneInfo(tz), office_name=office.get("sms_sender_name") or office["name"],
        office_phone=display_phone(office.get("phone")), region=office.get("country"), now=now,
    )


# ---------------------------------------------------------------- who gets reminders


def eligible(hearing: dict[str, Any] | None) -> bool:
    """The rule: scheduled hearings the survivor or the family attends."""
    return bool(hearing) and hearing["status"] == "scheduled" and bool(
        hearing.get("survivor_attends") or hearing.get("family_attends"))


def _consenting() -> Any:
    return (Contact.sms_consent_at.is_not_null() & Contact.sms_consent_withdrawn_at.is_null()
            & Contact.deleted_at.is_null() & Contact.phone_enc.is_not_null())


async def recipients_of_case(case_id: int, contact_ids: list[int] | None = None) -> list[dict]:
    query = Contact.select(Contact.id, Contact.survivor, Contact.timezone, Contact.language).where(
        Contact.survivor.is_in(CaseSurvivor.select(CaseSurvivor.survivor).where(
            CaseSurvivor.case == case_id)) & _consenting()
    ).order_by(Contact.id)
    if contact_ids is not None:
        query = query.where(Contact.id.is_in(contact_ids or [0]))
    return await query


async def _office(office_id: int) -> dict[str, Any]:
    row = await Office.select(Office.id, Office.name, Office.sms_sender_name, Office.phone,
                              Office.country, Office.timezone, Office.reminder_policy).where(
        Office.id == office_id).first()
    if row is None:
        raise NotFound("office")
    return row


# ---------------------------------------------------------------- writing the outbox


async def _insert(rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows, never a second live copy of the same key. A key whose earlier rows
    were all cancelled or skipped gets the next ``slot``; races lose quietly to the UNIQUE
    constraint (ON CONFLICT DO NOTHING) instead of failing the caller's transaction."""
    if not rows:
        return 0
    existing: dict[tuple, tuple[int, bool]] = {}
    hearing_ids = sorted({r["hearing"] for r in rows if r.get("hearing") is not None})
    if hearing_ids:
        for r in await Reminder.select(Reminder.hearing, Reminder.hearing_version, Reminder.contact,
                                       Reminder.kind, Reminder.slot, Reminder.status).where(
                Reminder.hearing.is_in(hearing_ids)):
            key = (r["hearing"], r["hearing_version"], r["contact"], r["kind"])
            top, live = existing.get(key, (-1, False))
            existing[key] = (max(top, r["slot"]), live or r["status"] in LIVE)
    now = utcnow()
    objects = []
    for row in rows:
        slot = 0
        if row.get("hearing") is not None:
            top, live = existing.get(
                (row["hearing"], row["hearing_version"], row["contact"], row["kind"]), (-1, False))
            if live:
                continue
            slot = top + 1
        objects.append(Reminder(**{"slot": slot, "status": "pending", "created_at": now,
                                   "updated_at": now, **row}))
    if not objects:
        return 0
    await Reminder.insert(*objects).on_conflict(action="DO NOTHING")
    return len(objects)


async def cancel_pending(*, hearing_id: int | None = None, contact_id: int | None = None,
                         reason: str) -> int:
    where = Reminder.status == "pending"
    if hearing_id is not None:
        where &= Reminder.hearing == hearing_id
    if contact_id is not None:
        where &= Reminder.contact == contact_id
    rows = await Reminder.update({Reminder.status: "cancelled", Reminder.status_reason: reason,
                                  Reminder.updated_at: utcnow()}).where(where).returning(Reminder.id)
    return len(rows)


async def _told(hearing_id: int) -> set[int]:
    rows = await Reminder.select(Reminder.contact).where(
        (Reminder.hearing == hearing_id) & Reminder.status.is_in(list(TOLD))
        & Reminder.kind.not_in(list(HEARINGLESS_KINDS)))
    return {r["contact"] for r in rows}


async def plan_hearing(hearing: dict[str, Any], *, notice: str | None = "first_notice",
                       told: set[int] | None = None, contact_ids: list[int] | None = None,
                       now: datetime | None = None) -> int:
    """Plan the reminders of one hearing for its consenting contacts; returns rows written.

    ``notice``: "first_notice" (new hearing), "changed" (moved: families already ``told`` get
    "changed", others a first notice) or None (no immediate message)."""
    if not eligible(hearing):
        return 0
    now = now or utcnow()
    office = await _office(hearing["office_id"])
    policy = office_policy(office["reminder_policy"])
    starts_at = to_utc(hearing["starts_at"])
    rows = []
    for contact in await recipients_of_case(hearing["case"], contact_ids):
        tz = contact["timezone"] or hearing["court_timezone"]
        kind = notice
        if notice == "changed" and contact["id"] not in (told or set()):
            kind = "first_notice"
        for planned in plan_send_times(starts_at, now, ZoneInfo(tz), policy, notice_kind=kind):
            rows.append({"hearing": hearing["id"], "hearing_version": hearing["version"],
                         "contact": contact["id"], "kind": planned.kind, "case": hearing["case"],
                         "survivor": contact["survivor"], "office": hearing["office_id"],
                         "timezone": tz, "send_at": planned.send_at_utc})
    return await _insert(rows)


async def notify_cancelled(hearing: dict[str, Any], told: set[int], now: datetime) -> int:
    """One "cancelled" message to the families who had been told about the hearing, at once
    (after quiet hours, unless that would be after the hearing: then now)."""
    if not told or not (hearing.get("survivor_attends") or hearing.get("family_attends")):
        return 0
    starts_at = to_utc(hearing["starts_at"])
    if starts_at <= now:
        return 0
    office = await _office(hearing["office_id"])
    policy = office_policy(office["reminder_policy"])
    rows = []
    for contact in await recipients_of_case(hearing["case"], sorted(told)):
        tz = contact["timezone"] or hearing["court_timezone"]
        send_at = next_allowed_at_or_after(now, ZoneInfo(tz), policy)
        if send_at >= starts_at:
            send_at = now
        rows.append({"hearing": hearing["id"], "hearing_version": hearing["version"],
                     "contact": contact["id"], "kind": "cancelled", "case": hearing["case"],
                     "survivor": contact["survivor"], "office": hearing["office_id"],
                     "timezone": tz, "send_at": send_at})
    return await _insert(rows)


# ---------------------------------------------------------------- hooks (in the caller's transaction)


async def on_hearing_change(change: hooks.HearingChange) -> None:
    hearing, previous = change.hearing, change.previous
    hearing_id = hearing["id"]
    now = utcnow()
    if change.action == "created":
        await plan_hearing(hearing, notice="first_notice", now=now)
    elif change.action in ("rescheduled", "adjourned", "cancelled", "outcome"):
        told = await _told(hearing_id)
        reason = {"rescheduled": "hearing rescheduled", "adjourned": "hearing adjourned",
                  "cancelled": "hearing cancelled", "outcome": "hearing held"}[change.action]
        await cancel_pending(hearing_id=hearing_id, reason=reason)
        if change.action == "rescheduled":
            await plan_hearing(hearing, notice="changed", told=told, now=now)
        elif change.action == "adjourned" and change.next_hearing is not None:
            await plan_hearing(change.next_hearing, notice="changed", told=told, now=now)
        elif change.action == "cancelled":
            await notify_cancelled(hearing, told, now)
    elif change.action == "updated" and previous is not None and (
            hearing["version"] != previous["version"]):
        if not eligible(hearing):
            await cancel_pending(hearing_id=hearing_id, reason="family no longer expected at this hearing")
        elif not eligible(previous):
            await plan_hearing(hearing, notice="first_notice", now=now)
        elif "court" in change.changed_fields:
            told = await _told(hearing_id)
            await cancel_pending(hearing_id=hearing_id, reason="court changed")
            await plan_hearing(hearing, notice="changed", told=told, now=now)
        else:
            # Nothing the family sees changed: the same reminders stand under the new version,
            # so the dispatcher's version check does not skip them.
            await Reminder.update({Reminder.hearing_version: hearing["version"],
                                   Reminder.updated_at: now}).where(
                (Reminder.hearing == hearing_id) & (Reminder.status == "pending"))


async def _upcoming_hearings_of_survivor(survivor_id: int, now: datetime) -> list[dict[str, Any]]:
    from legal_tracker.cases.hearings import get_hearing

    rows = await Hearing.select(Hearing.id).where(
        Hearing.case.is_in(CaseSurvivor.select(CaseSurvivor.case).where(
            CaseSurvivor.survivor == survivor_id))
        & (Hearing.status == "scheduled") & (Hearing.starts_at > now)
        & Or(Hearing.survivor_attends == True, Hearing.family_attends == True)  # noqa: E712
    ).order_by(Hearing.starts_at)
    return [await get_hearing(None, r["id"]) for r in rows]


async def on_contact_change(change: hooks.ContactChange) -> None:
    now = utcnow()
    if change.action in ("consent_withdrawn", "deleted"):
        reason = "consent withdrawn" if change.action == "consent_withdrawn" else "contact deleted"
        await cancel_pending(contact_id=change.contact_id, reason=reason)
        return
    contact = await Contact.select().where(Contact.id == change.contact_id).first()
    if contact is None:
        return
    if change.action == "consent_given":
        await _welcome(contact, now)
        for hearing in await _upcoming_hearings_of_survivor(contact["survivor"], now):
            await plan_hearing(hearing, notice="first_notice", contact_ids=[contact["id"]], now=now)
    elif change.action == "updated":
        # A new time zone moves the planned send times: plan again (no new immediate notice).
        moved = await Reminder.select(Reminder.hearing).where(
            (Reminder.contact == contact["id"]) & (Reminder.status == "pending")
            & Reminder.hearing.is_not_null()
            & Reminder.kind.not_in(["changed", "cancelled", "first_notice"]))
        from legal_tracker.cases.hearings import get_hearing

        for hearing_id in sorted({r["hearing"] for r in moved}):
            hearing = await get_hearing(None, hearing_id)
            tz = contact["timezone"] or hearing["court_timezone"]
            stale = await Reminder.select(Reminder.id).where(
                (Reminder.contact == contact["id"]) & (Reminder.hearing == hearing_id)
                & (Reminder.status == "pending") & (Reminder.timezone != tz)
                & Reminder.kind.not_in(["changed", "cancelled", "first_notice"]))
            if stale:
                await Reminder.update({Reminder.status: "cancelled",
                                       Reminder.status_reason: "contact's time zone changed",
                                       Reminder.updated_at: now}).where(
                    Reminder.id.is_in([r["id"] for r in stale]))
                await plan_hearing(hearing, notice=None, contact_ids=[contact["id"]], now=now)


async def _welcome(contact: dict[str, Any], now: datetime) -> None:
    from legal_tracker.cases.tables import Survivor

    survivor = await Survivor.select(Survivor.office).where(Survivor.id == contact["survivor"]).first()
    office = await _office(survivor["office"])
    tz = contact["timezone"] or office["timezone"]
    send_at = next_allowed_at_or_after(now, ZoneInfo(tz), office_policy(office["reminder_policy"]))
    await _insert([{"hearing": None, "hearing_version": 0, "contact": contact["id"],
                    "kind": "welcome", "case": None, "survivor": contact["survivor"],
                    "office": office["id"], "timezone": tz, "send_at": send_at}])


def register_hooks() -> None:
    hooks.on_hearing_change(on_hearing_change)
    hooks.on_contact_change(on_contact_change)


register_hooks()


# ---------------------------------------------------------------- consent from the phone


async def set_consent(contact_ids: list[int], give: bool, *, via: str) -> list[int]:
    """STOP / START by SMS (or an opt-out reported by the provider): change consent at once,
    audit it, and run the contact hooks (which cancel or plan reminders). Inside a
    transaction opened by the caller."""
    now = utcnow()
    changed = []
    for row in await Contact.select(Contact.id, Contact.survivor, Contact.sms_consent_at,
                                    Contact.sms_consent_withdrawn_at).where(
            Contact.id.is_in(contact_ids or [0]) & Contact.deleted_at.is_null()):
        active = row["sms_consent_at"] is not None and row["sms_consent_withdrawn_at"] is None
        if give and row["sms_consent_at"] is not None and not active:
            await Contact.update({Contact.sms_consent_at: now, Contact.sms_consent_withdrawn_at: None,
                                  Contact.updated_at: now}).where(Contact.id == row["id"])
            event = "consent_given"
        elif not give and active:
            await Contact.update({Contact.sms_consent_withdrawn_at: now,
                                  Contact.updated_at: now}).where(Contact.id == row["id"])
            event = "consent_withdrawn"
        else:
            continue
        survivor = await _survivor_office(row["survivor"])
        await audit.record(None, event, "contact", row["id"], office_id=survivor,
                           detail={"via": via})
        await hooks.contact_changed(hooks.ContactChange(event, row["id"], row["survivor"], None))
        changed.append(row["id"])
    return changed


async def _survivor_office(survivor_id: int) -> int | None:
    from legal_tracker.cases.tables import Survivor

    row = await Survivor.select(Survivor.office).where(Survivor.id == survivor_id).first()
    return row["office"] if row else None


async def contacts_by_phone(phone: str) -> list[dict[str, Any]]:
    from legal_tracker.validation import normalise_phone

    e164 = normalise_phone(phone.strip() if phone else "")
    if e164 is None:
        return []
    index = crypto.cipher().blind_index(e164, context="phone")
    return await Contact.select(Contact.id, Contact.survivor, Contact.language, Contact.timezone,
                                Contact.sms_consent_at, Contact.sms_consent_withdrawn_at).where(
        (Contact.phone_index == index) & Contact.deleted_at.is_null()).order_by(Contact.id)


NEUTRAL_REPLY = "This number sends appointment reminders only. Reply STOP to stop messages."


@dataclass(frozen=True, slots=True)
class InboundOutcome:
    keyword: str | None
    matched: int
    changed: int
    reply: str | None  # the text to answer with (HELP), or None
    help_contact_id: int | None = None


async def handle_inbound(from_number: str, keyword: str | None, provider: str,
                         *, queue_help: bool) -> InboundOutcome:
    """A family's reply. STOP / START change consent at once for every contact with that
    number; HELP answers with the office's number (``queue_help``: as an outbox message for
    gateways that cannot answer in the response). Unknown numbers learn nothing."""
    contacts = await contacts_by_phone(from_number)
    ids = [c["id"] for c in contacts]
    changed: list[int] = []
    reply: str | None = None
    help_contact: int | None = None
    async with db.transaction():
        if keyword in ("stop", "start"):
            changed = await set_consent(ids, keyword == "start", via=f"sms_{keyword}_{provider}")
        elif keyword == "help":
            if contacts:
                first = contacts[0]
                office_id = await _survivor_office(first["survivor"])
                office = await _office(office_id)  # type: ignore[arg-type]
                tz = first["timezone"] or office["timezone"]
                reply = render_for("help", first["language"], office=office, tz=tz).text
                help_contact = first["id"]
                if queue_help:
                    await _insert([{"hearing": None, "hearing_version": 0, "contact": first["id"],
                                    "kind": "help", "case": None, "survivor": first["survivor"],
                                    "office": office_id, "timezone": tz, "send_at": utcnow()}])
            else:
                reply = NEUTRAL_REPLY
        for contact in contacts:
            await audit.record(None, f"sms_{keyword or 'reply'}", "contact", contact["id"],
                               detail={"provider": provider, "changed": contact["id"] in changed})
        if not contacts:
            await audit.record(None, f"sms_{keyword or 'reply'}", "sms_inbound", None,
                               detail={"provider": provider, "matched": 0})
    return InboundOutcome(keyword, len(contacts), len(changed), reply, help_contact)


# ---------------------------------------------------------------- delivery reports & flags


async def flag_phone(contact_id: int, reason: str, now: datetime) -> None:
    contact = await Contact.select(Contact.phone_index).where(Contact.id == contact_id).first()
    index = contact["phone_index"] if contact else None
    current = await ContactSmsStatus.select(ContactSmsStatus.id, ContactSmsStatus.failures).where(
        ContactSmsStatus.contact == contact_id).first()
    values = {ContactSmsStatus.phone_flagged_at: now, ContactSmsStatus.phone_flag_reason: reason[:200],
              ContactSmsStatus.flagged_phone_index: index, ContactSmsStatus.updated_at: now}
    if current is None:
        await ContactSmsStatus.insert(ContactSmsStatus(
            contact=contact_id, phone_flagged_at=now, phone_flag_reason=reason[:200],
            flagged_phone_index=index, failures=1, updated_at=now)).on_conflict(action="DO NOTHING")
    else:
        values[ContactSmsStatus.failures] = current["failures"] + 1
        await ContactSmsStatus.update(values).where(ContactSmsStatus.id == current["id"])


async def mark_delivered_contact(contact_id: int, now: datetime) -> None:
    updated = await ContactSmsStatus.update({
        ContactSmsStatus.last_delivered_at: now, ContactSmsStatus.phone_flagged_at: None,
        ContactSmsStatus.phone_flag_reason: None, ContactSmsStatus.flagged_phone_index: None,
        ContactSmsStatus.failures: 0, ContactSmsStatus.updated_at: now,
    }).where(ContactSmsStatus.contact == contact_id).returning(ContactSmsStatus.id)
    if not updated:
        await ContactSmsStatus.insert(ContactSmsStatus(
            contact=contact_id, last_delivered_at=now, failures=0, updated_at=now,
        )).on_conflict(action="DO NOTHING")


async def apply_delivery_report(provider: str, report: Any) -> bool:
    """A provider's status callback. Returns False when no reminder has that message id."""
    now = utcnow()
    async with db.transaction():
        row = await Reminder.select(Reminder.id, Reminder.status, Reminder.contact).where(
            (Reminder.provider == provider)
            & (Reminder.provider_message_id == report.provider_message_id)).first()
        if row is None:
            return False
        changes: dict[Any, Any] = {Reminder.provider_status: report.provider_status[:32],
                                   Reminder.updated_at: now}
        final = row["status"] in ("delivered", "undelivered", "failed")
        if report.state == "delivered" and row["status"] != "delivered":
            changes.update({Reminder.status: "delivered", Reminder.delivered_at: now})
            await mark_delivered_contact(row["contact"], now)
        elif report.state == "failed" and not final:
            status = "undelivered" if report.provider_status.lower() == "undelivered" else "failed"
            reason = report.error_message or report.error_code or report.provider_status
            changes.update({Reminder.status: status,
                            Reminder.error_code: (report.error_code or "")[:32] or None,
                            Reminder.error_message: reason,
                            Reminder.status_reason: f"provider reported {report.provider_status}"[:200]})
            await flag_phone(row["contact"], f"message {status}: {reason}", now)
        elif report.state in ("sent", "sending") and row["status"] in ("sending", "unconfirmed"):
            # Proof the provider took it: a crash between send and record is resolved.
            changes.update({Reminder.status: "sent"})
        await Reminder.update(changes).where(Reminder.id == row["id"])
        if report.opted_out:
            await set_consent([row["contact"]], False, via=f"{provider}_opt_out")
    return True


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
        active = bool(flag and flag["phone_flagged_at"] and flag["flagged_phone_index"] == index)
        row["phone_flagged_at"] = flag["phone_flagged_at"] if active else None
        row["phone_flag_reason"] = flag["phone_flag_reason"] if active else None
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
    office = await _office(current["office"])
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
    office = await _office(row["office"])
    language = (await Contact.select(Contact.language).where(Contact.id == row["contact"]).first()
                or {}).get("language")
    if row["hearing"] is None:
        return render_for(row["kind"], language, office=office, tz=row["timezone"], now=now)
    hearing = await Hearing.select(Hearing.starts_at, Hearing.court).where(
        Hearing.id == row["hearing"]).first()
    court = await Court.select(Court.name).where(Court.id == hearing["court"]).first()
    return render_for(row["kind"], language, office=office, tz=row["timezone"],
                      court_name=court["name"], starts_at=hearing["starts_at"], now=now)


async def preview_reminder(actor: Actor, reminder_id: int) -> dict[str, Any]:
    row = await get_reminder(actor, reminder_id)
    rendered = await _render_row(row, utcnow())
    return {"id": reminder_id, "kind": row["kind"], "language": rendered.language_used,
            "text": rendered.text, "characters": len(rendered.text),
            "encoding": str(rendered.encoding), "segments": rendered.segments}


async def reminder_summaries(hearing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Counts of a hearing's reminders by status (for the hearing's read model)."""
    out: dict[int, dict[str, int]] = {h: {} for h in hearing_ids}
    if not hearing_ids:
        return out
    counts: dict[int, Counter] = defaultdict(Counter)
    for r in await Reminder.select(Reminder.hearing, Reminder.status).where(
            db.any_of('"reminder"."hearing"', hearing_ids)):
        counts[r["hearing"]][r["status"]] += 1
    for hearing_id, counter in counts.items():
        out[hearing_id] = dict(sorted(counter.items()))
    return out


async def call_the_family_deadlines(case_ids: Any, today: date,
                                    within_days: int) -> list[dict[str, Any]]:
    """Tasks for the case's staff: "call the family".

    * a reminder that failed or was undelivered, for a hearing still ahead: due today;
    * a hearing the survivor or family attends, starting within ``within_days``, for which
      no message was delivered by the day before: due the day before (it appears once that
      day has come and stays until the hearing starts or a message is delivered).
    The caller has already restricted ``case_ids`` to what the staff member may see: a list of
    ids, a subquery selecting them (which never grows the parameter list with the data), or
    None for every case. Each task also carries its case's reference, office and office zone."""
    if isinstance(case_ids, (list, tuple)) and not case_ids:
        return []
    now = utcnow()
    horizon = datetime.combine(today + timedelta(days=within_days + 2), time(), UTC)
    wanted = ((Hearing.status == "scheduled") & (Hearing.starts_at > now)
              & (Hearing.starts_at < horizon)
              & Or(Hearing.survivor_attends == True, Hearing.family_attends == True))  # noqa: E712
    if isinstance(case_ids, (list, tuple)):
        wanted = wanted & db.any_of('"hearing"."case"', case_ids)
    elif case_ids is not None:
        wanted = wanted & Hearing.case.is_in(case_ids)
    hearings = await Hearing.select(
        Hearing.id, Hearing.case, Hearing.starts_at, Hearing.court.timezone.as_alias("tz"),
        Hearing.court.name.as_alias("court_name"),
        Hearing.case.reference.as_alias("case_reference"),
        Hearing.case.office.as_alias("office_id"),
        Hearing.case.office.timezone.as_alias("office_tz"),
    ).where(wanted)
    if not hearings:
        return []
    delivered: set[int] = set()
    failed: set[int] = set()
    for r in await Reminder.select(Reminder.hearing, Reminder.status, Reminder.provider).where(
            Reminder.hearing.is_in(Hearing.select(Hearing.id).where(wanted))
            & Reminder.status.is_in(["delivered", "sent", "failed", "undelivered"])):
        if r["status"] == "delivered" or (r["status"] == "sent" and r["provider"] == "console"):
            delivered.add(r["hearing"])
        elif r["status"] in ("failed", "undelivered"):
            failed.add(r["hearing"])
    out = []
    for h in hearings:
        local_day = h["starts_at"].astimezone(ZoneInfo(h["tz"])).date()
        day_before = local_day - timedelta(days=1)
        if h["id"] in failed and h["id"] not in delivered:
            due, reason = today, "an SMS reminder to the family failed or was not delivered"
        elif h["id"] not in delivered and today >= day_before:
            due, reason = day_before, "no SMS reminder reached the family by the day before"
        else:
            continue
        if (due - today).days > within_days:
            continue
        out.append({"source": "sms_reminders", "kind": "call_the_family",
                    "title": "Call the family", "detail": reason, "due_on": due,
                    "case_id": h["case"], "hearing_id": h["id"], "starts_at": h["starts_at"],
                    "case_reference": h["case_reference"], "office_id": h["office_id"],
                    "office_tz": h["office_tz"]})
    out.sort(key=lambda d: (d["due_on"], d["starts_at"], d["hearing_id"]))
    return out


def with_quiet_margin_removed(policy: ReminderPolicy) -> ReminderPolicy:
    """The real quiet hours, for checking at send time (planning keeps a margin)."""
    return replace(policy, quiet_margin=timedelta(0))


def in_quiet_hours(now: datetime, tz: str, policy: ReminderPolicy) -> bool:
    return is_quiet(now, ZoneInfo(tz), with_quiet_margin_removed(policy))
