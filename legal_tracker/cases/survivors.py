"""Survivors and their family contacts.

A survivor is known to staff by a pseudonymous code; the legal name is encrypted at rest and
only shown when an allowed role asks for it explicitly, which is audited. Contact phone
numbers are encrypted too, with a blind index so an inbound SMS can find its sender.
"""

from __future__ import annotations

import secrets
from typing import Any

from legal_tracker import audit, crypto, db, hooks
from legal_tracker.access import Actor, check_reveal, office_visible, require_write, survivor_scope
from legal_tracker.cases.tables import Contact, Survivor
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.errors import NotFound
from legal_tracker.organisation.tables import Office
from legal_tracker.validation import Checks

MASK = "•••"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread aloud


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:4] + "•" * max(0, len(phone) - 7) + phone[-3:]


def _survivor_out(row: dict[str, Any], reveal: bool) -> dict[str, Any]:
    row = dict(row)
    stored = row.pop("legal_name_enc", None)
    if reveal:
        row["legal_name"] = crypto.cipher().decrypt(stored, context="survivor.legal_name")
    else:
        row["legal_name"] = MASK if stored else None
    row["legal_name_recorded"] = stored is not None
    return row


def _scoped(actor: Actor) -> Any:
    query = Survivor.select()
    scope = survivor_scope(actor)
    return query.where(scope) if scope is not None else query


async def _fetch_survivor(actor: Actor, survivor_id: int) -> dict[str, Any]:
    check_id("survivor", survivor_id)
    row = await _scoped(actor).where(Survivor.id == survivor_id).first()
    if row is None:
        raise NotFound("survivor")
    return row


async def list_survivors(actor: Actor, page: PageRequest, *, office_id: int | None = None,
                         code: str | None = None) -> Any:
    page = page.clamp()
    query = _scoped(actor).order_by(Survivor.code).order_by(Survivor.id)
    if office_id is not None:
        query = query.where(Survivor.office == office_id)
    if code is not None:
        query = query.where(Survivor.code == code)
    rows = await query.limit(page.limit + 1).offset(page.offset)
    await audit.record(actor.staff_id, "list", "survivor", None, office_id=actor.office_id,
                       detail={"count": min(len(rows), page.limit)})
    return page_of([_survivor_out(r, False) for r in rows], page)


async def get_survivor(actor: Actor, survivor_id: int, reveal: set[str] | None = None,
                       *, audited: bool = True) -> dict[str, Any]:
    reveal = reveal or set()
    check_reveal(actor, reveal, {"legal_name"})
    row = await _fetch_survivor(actor, survivor_id)
    if audited:
        await audit.record(
            actor.staff_id, "reveal" if reveal else "read", "survivor", survivor_id,
            office_id=row["office"], detail={"fields": sorted(reveal)} if reveal else None,
        )
    return _survivor_out(row, "legal_name" in reveal)


async def _unique_code(office_id: int) -> str:
    for _ in range(20):
        code = "S-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if not await Survivor.exists().where((Survivor.office == office_id) & (Survivor.code == code)):
            return code
    raise RuntimeError("could not find a free survivor code")


async def create_survivor(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_write(actor)
    values = dict(data)
    office_id = values.pop("office", None) or actor.office_id
    checks = Checks()
    checks.language("language", values.get("language"))
    if office_id is None:
        checks.add("office_id", "required for an organisation-wide admin")
    elif not office_visible(actor, office_id) or not await Office.exists().where(
        Office.id == check_id("office", office_id)
    ):
        checks.add("office_id", "no such office")
    if values.get("code") and office_id is not None and await Survivor.exists().where(
        (Survivor.office == office_id) & (Survivor.code == values["code"])
    ):
        checks.add("code", "another survivor of this office already has this code")
    checks.raise_if_any()
    assert office_id is not None
    legal_name = values.pop("legal_name", None)
    code = values.pop("code", None) or await _unique_code(office_id)
    now = utcnow()
    async with db.transaction():
        rows = await Survivor.insert(Survivor(
            **values, office=office_id, code=code, created_by=actor.staff_id,
            legal_name_enc=crypto.cipher().encrypt(legal_name, context="survivor.legal_name"),
            created_at=now, updated_at=now,
        )).returning(Survivor.id)
        survivor_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "survivor", survivor_id, office_id=office_id,
                           detail={"fields": sorted(data)})
    return await get_survivor(actor, survivor_id, audited=False)


async def update_survivor(actor: Actor, survivor_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    current = await _fetch_survivor(actor, survivor_id)
    require_write(actor)
    values = dict(changes)
    checks = Checks()
    checks.language("language", values.get("language"))
    if values.get("code") and await Survivor.exists().where(
        (Survivor.office == current["office"]) & (Survivor.code == values["code"])
        & (Survivor.id != survivor_id)
    ):
        checks.add("code", "another survivor of this office already has this code")
    checks.raise_if_any()
    if "legal_name" in values:
        values["legal_name_enc"] = crypto.cipher().encrypt(
            values.pop("legal_name"), context="survivor.legal_name"
        )
    async with db.transaction():
        if values:
            await Survivor.update(db.update_values(values, {Survivor.updated_at: utcnow()})).where(
                Survivor.id == survivor_id
            )
        await audit.record(actor.staff_id, "update", "survivor", survivor_id,
                           office_id=current["office"], detail={"fields": sorted(changes)})
    return await get_survivor(actor, survivor_id, audited=False)


# ---------------------------------------------------------------- contacts


def contact_out(row: dict[str, Any], reveal: bool = False) -> dict[str, Any]:
    row = dict(row)
    row.pop("_office", None)
    phone = crypto.cipher().decrypt(row.pop("phone_enc", None), context="contact.phone")
    row.pop("phone_index", None)
    row["phone"] = phone if reveal else mask_phone(phone)
    row["sms_consent"] = (
        row["sms_consent_at"] is not None and row["sms_consent_withdrawn_at"] is None
    )
    row["sms_consent_by_staff_id"] = row.pop("sms_consent_by", None)
    return row


async def _fetch_contact(actor: Actor, contact_id: int) -> dict[str, Any]:
    """The contact row, with the office of its survivor (for the audit trail) as ``_office``."""
    check_id("contact", contact_id)
    row = await Contact.select().where(
        (Contact.id == contact_id) & Contact.deleted_at.is_null()
    ).first()
    if row is None:
        raise NotFound("contact")
    try:
        survivor = await _fetch_survivor(actor, row["survivor"])
    except NotFound:
        raise NotFound("contact") from None
    row["_office"] = survivor["office"]
    return row


async def list_contacts(actor: Actor, survivor_id: int, page: PageRequest) -> Any:
    survivor = await _fetch_survivor(actor, survivor_id)
    page = page.clamp()
    rows = await Contact.select().where(
        (Contact.survivor == survivor_id) & Contact.deleted_at.is_null()
    ).order_by(Contact.id).limit(page.limit + 1).offset(page.offset)
    await audit.record(actor.staff_id, "list", "contact", None, office_id=survivor["office"],
                       detail={"survivor_id": survivor_id})
    return page_of([contact_out(r) for r in rows], page)


async def get_contact(actor: Actor, contact_id: int, reveal: set[str] | None = None) -> dict:
    reveal = reveal or set()
    check_reveal(actor, reveal, {"phone"})
    row = await _fetch_contact(actor, contact_id)
    await audit.record(actor.staff_id, "reveal" if reveal else "read", "contact", contact_id,
                       office_id=row["_office"],
                       detail={"fields": sorted(reveal)} if reveal else None)
    return contact_out(row, "phone" in reveal)


def _contact_values(values: dict[str, Any], checks: Checks) -> dict[str, Any]:
    checks.language("language", values.get("language"))
    checks.timezone("timezone", values.get("timezone"))
    if "phone" in values:
        phone = checks.phone("phone", values.pop("phone"))
        if phone is not None:
            values["phone_enc"] = crypto.cipher().encrypt(phone, context="contact.phone")
            values["phone_index"] = crypto.cipher().blind_index(phone, context="phone")
    return values


async def create_contact(actor: Actor, survivor_id: int, data: dict[str, Any]) -> dict[str, Any]:
    survivor = await _fetch_survivor(actor, survivor_id)
    require_write(actor)
    values = dict(data)
    consent = values.pop("sms_consent", False)
    checks = Checks()
    values = _contact_values(values, checks)
    checks.raise_if_any()
    now = utcnow()
    async with db.transaction():
        rows = await Contact.insert(Contact(
            **values, survivor=survivor_id, sms_consent_at=now if consent else None,
            sms_consent_by=actor.staff_id if consent else None,
            sms_consent_via="staff" if consent else None,
            created_at=now, updated_at=now,
        )).returning(Contact.id)
        contact_id = rows[0]["id"]
        await audit.record(actor.staff_id, "create", "contact", contact_id,
                           office_id=survivor["office"], detail={"fields": sorted(data)})
        await hooks.contact_changed(hooks.ContactChange("created", contact_id, survivor_id, actor))
        if consent:
            await hooks.contact_changed(
                hooks.ContactChange("consent_given", contact_id, survivor_id, actor)
            )
    row = await _fetch_contact(actor, contact_id)
    return contact_out(row)


async def update_contact(actor: Actor, contact_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    current = await _fetch_contact(actor, contact_id)
    require_write(actor)
    values = dict(changes)
    consent = values.pop("sms_consent", None)
    checks = Checks()
    values = _contact_values(values, checks)
    checks.raise_if_any()
    now = utcnow()
    had_consent = current["sms_consent_at"] is not None and current["sms_consent_withdrawn_at"] is None
    events: list[str] = ["updated"]
    if consent is True and not had_consent:
        values.update(sms_consent_at=now, sms_consent_withdrawn_at=None)
        events.append("consent_given")
    elif consent is False and had_consent:
        values["sms_consent_withdrawn_at"] = now
        events.append("consent_withdrawn")
    if len(events) > 1:  # who recorded the change, shown beside the consent
        values.update(sms_consent_by=actor.staff_id, sms_consent_via="staff")
    async with db.transaction():
        stamped = db.update_values(values, {Contact.updated_at: now})
        await Contact.update(stamped).where(Contact.id == contact_id)
        await audit.record(actor.staff_id, "update", "contact", contact_id,
                           office_id=current["_office"], detail={"fields": sorted(changes)})
        for event in events:
            await hooks.contact_changed(
                hooks.ContactChange(event, contact_id, current["survivor"], actor)
            )
    return contact_out(await _fetch_contact(actor, contact_id))


async def delete_contact(actor: Actor, contact_id: int) -> None:
    """Kept as a tombstone (reminder history points at it) with the phone number erased."""
    current = await _fetch_contact(actor, contact_id)
    require_write(actor)
    now = utcnow()
    async with db.transaction():
        await Contact.update({
            Contact.deleted_at: now, Contact.phone_enc: None, Contact.phone_index: None,
            Contact.sms_consent_withdrawn_at: now, Contact.updated_at: now,
        }).where(Contact.id == contact_id)
        await audit.record(actor.staff_id, "delete", "contact", contact_id,
                           office_id=current["_office"])
        await hooks.contact_changed(
            hooks.ContactChange("deleted", contact_id, current["survivor"], actor)
        )

