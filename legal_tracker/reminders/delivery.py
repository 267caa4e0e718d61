"""Delivery reports from the providers, and flags on phone numbers that fail."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from legal_tracker import db
from legal_tracker.cases.tables import Contact
from legal_tracker.common import utcnow
from legal_tracker.reminders.consent import set_consent
from legal_tracker.reminders.tables import ContactSmsStatus, Reminder

log = logging.getLogger("legal_tracker.reminders")

# ---------------------------------------------------------------- delivery reports & flags


async def flag_phone(contact_id: int, reason: str, now: datetime) -> None:
    contact = await Contact.select(Contact.phone_index).where(Contact.id == contact_id).first()
    index = contact["phone_index"] if contact else None
    current = await ContactSmsStatus.select(ContactSmsStatus.id, ContactSmsStatus.failures).where(
        ContactSmsStatus.contact == contact_id).first()
    values: dict[Column | str, Any] = {
        ContactSmsStatus.phone_flagged_at: now, ContactSmsStatus.phone_flag_reason: reason[:200],
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
            # A "failed" report may have come first: the delivery proves it wrong.
            changes.update({Reminder.status: "delivered", Reminder.delivered_at: now,
                            Reminder.error_code: None, Reminder.error_message: None,
                            Reminder.status_reason: None})
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
