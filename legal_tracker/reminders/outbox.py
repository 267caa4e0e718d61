"""The reminder outbox: who gets reminders, their texts, and writing planned rows.

Rules (see docs/sms.md):

* Only hearings that are ``scheduled`` and where the survivor or the family attends
  (``survivor_attends`` or ``family_attends``) get reminders. Recipients are the contacts of
  every survivor linked to the hearing's case, with consent recorded and not withdrawn, not
  deleted, with a phone number.
* A reminder is keyed by (hearing, hearing version, contact, kind, slot), UNIQUE in the
  database; planning the same key again is a no-op.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from piccolo.columns.combination import Combinable

from legal_tracker.cases.tables import CaseSurvivor, Contact
from legal_tracker.common import to_utc, utcnow
from legal_tracker.errors import NotFound
from legal_tracker.organisation.tables import Office
from legal_tracker.reminders.messages import RenderedMessage, render_message
from legal_tracker.reminders.planning import (
    MESSAGE_KINDS,
    ReminderPolicy,
    is_quiet,
    next_allowed_at_or_after,
    plan_send_times,
)
from legal_tracker.reminders.tables import Reminder

log = logging.getLogger("legal_tracker.reminders")

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
    if not hearing:
        return False
    return hearing["status"] == "scheduled" and bool(
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


async def office_row(office_id: int) -> dict[str, Any]:
    row = await Office.select(Office.id, Office.name, Office.sms_sender_name, Office.phone,
                              Office.country, Office.timezone, Office.reminder_policy).where(
        Office.id == office_id).first()
    if row is None:
        raise NotFound("office")
    return row


# ---------------------------------------------------------------- writing the outbox


async def insert_rows(rows: list[dict[str, Any]]) -> int:
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
    where: Combinable = Reminder.status == "pending"
    if hearing_id is not None:
        where &= Reminder.hearing == hearing_id
    if contact_id is not None:
        where &= Reminder.contact == contact_id
    rows = await Reminder.update({Reminder.status: "cancelled", Reminder.status_reason: reason,
                                  Reminder.updated_at: utcnow()}).where(where).returning(Reminder.id)
    return len(rows)


async def told_contacts(hearing_id: int) -> set[int]:
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
    office = await office_row(hearing["office_id"])
    policy = office_policy(office["reminder_policy"])
    starts_at = to_utc(hearing["starts_at"])
    rows = []
    for contact in await recipients_of_case(hearing["case"], contact_ids):
        tz = contact["timezone"] or hearing["court_timezone"]
        kind = notice
        if notice == "changed" and contact["id"] not in (told or set()):
            kind = "first_notice"
        plans = [(p.kind, p.send_at_utc)
                 for p in plan_send_times(starts_at, now, ZoneInfo(tz), policy, notice_kind=kind)]
        if kind == "changed" and starts_at > now and not any(k == "changed" for k, _ in plans):
            # Moved to within the planner's minimum lead (or behind quiet hours): the family
            # knew the old time, so they hear of the new one anyway, as soon as allowed, or
            # now. Skipped in quiet hours, it raises a call-the-family task.
            send_at = next_allowed_at_or_after(now, ZoneInfo(tz), policy)
            plans.insert(0, ("changed", send_at if send_at < starts_at else now))
        for planned_kind, send_at in plans:
            rows.append({"hearing": hearing["id"], "hearing_version": hearing["version"],
                         "contact": contact["id"], "kind": planned_kind, "case": hearing["case"],
                         "survivor": contact["survivor"], "office": hearing["office_id"],
                         "timezone": tz, "send_at": send_at})
    return await insert_rows(rows)


async def notify_cancelled(hearing: dict[str, Any], told: set[int], now: datetime) -> int:
    """One "cancelled" message to the families who had been told about the hearing, at once
    (after quiet hours, unless that would be after the hearing: then now)."""
    if not told or not (hearing.get("survivor_attends") or hearing.get("family_attends")):
        return 0
    starts_at = to_utc(hearing["starts_at"])
    if starts_at <= now:
        return 0
    office = await office_row(hearing["office_id"])
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
    return await insert_rows(rows)


def with_quiet_margin_removed(policy: ReminderPolicy) -> ReminderPolicy:
    """The real quiet hours, for checking at send time (planning keeps a margin)."""
    return replace(policy, quiet_margin=timedelta(0))


def in_quiet_hours(now: datetime, tz: str, policy: ReminderPolicy) -> bool:
    return is_quiet(now, ZoneInfo(tz), with_quiet_margin_removed(policy))
