"""Consent from the phone: STOP / START / HELP replies and provider opt-outs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from legal_tracker import audit, crypto, db, hooks
from legal_tracker.cases.tables import Contact
from legal_tracker.common import utcnow
from legal_tracker.reminders.outbox import insert_rows, office_row, render_for

log = logging.getLogger("legal_tracker.reminders")

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
                                  Contact.sms_consent_by: None, Contact.sms_consent_via: via,
                                  Contact.updated_at: now}).where(Contact.id == row["id"])
            event = "consent_given"
        elif not give and active:
            await Contact.update({Contact.sms_consent_withdrawn_at: now,
                                  Contact.sms_consent_by: None, Contact.sms_consent_via: via,
                                  Contact.updated_at: now}).where(Contact.id == row["id"])
            event = "consent_withdrawn"
        else:
            continue
        survivor = await survivor_office(row["survivor"])
        await audit.record(None, event, "contact", row["id"], office_id=survivor,
                           detail={"via": via})
        await hooks.contact_changed(hooks.ContactChange(event, row["id"], row["survivor"], None))
        changed.append(row["id"])
    return changed


async def survivor_office(survivor_id: int) -> int | None:
    from legal_tracker.cases.tables import Survivor

    row = await Survivor.select(Survivor.office).where(Survivor.id == survivor_id).first()
    return row["office"] if row else None


async def contacts_by_phone(phone: str) -> list[dict[str, Any]]:
    from legal_tracker.validation import normalise_phone

    e164 = normalise_phone(phone.strip() if phone else "")
    if e164 is None:
        return []
    # Every index the readable keys can produce: between setting a new key and finishing
    # ``rotate-key`` a contact's stored index may still be the old key's.
    indexes = crypto.cipher().blind_indexes(e164, context="phone")
    return await Contact.select(Contact.id, Contact.survivor, Contact.language, Contact.timezone,
                                Contact.sms_consent_at, Contact.sms_consent_withdrawn_at).where(
        Contact.phone_index.is_in(indexes) & Contact.deleted_at.is_null()).order_by(Contact.id)


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
                office_id = await survivor_office(first["survivor"])
                office = await office_row(office_id)  # type: ignore[arg-type]
                tz = first["timezone"] or office["timezone"]
                reply = render_for("help", first["language"], office=office, tz=tz).text
                help_contact = first["id"]
                if queue_help:
                    await insert_rows([{"hearing": None, "hearing_version": 0, "contact": first["id"],
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
