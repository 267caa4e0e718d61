"""Offices, courts and staff: readable by every member of staff, changed only by admins."""

from __future__ import annotations

import json
from typing import Any

from legal_tracker import audit, crypto, db
from legal_tracker.access import Actor, office_visible, require_admin
from legal_tracker.accounts.auth import revoke_all_tokens
from legal_tracker.accounts.passwords import hash_password
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.errors import Conflict, Forbidden, NotFound
from legal_tracker.organisation.tables import Court, Office, Staff
from legal_tracker.settings import Settings, get_settings
from legal_tracker.validation import Checks

# ---------------------------------------------------------------- offices


def _office_out(row: dict[str, Any]) -> dict[str, Any]:
    policy = row.get("reminder_policy") or "{}"
    row = dict(row)
    row["reminder_policy"] = json.loads(policy) if isinstance(policy, str) else policy
    return row


async def list_offices(actor: Actor, page: PageRequest) -> Any:
    page = page.clamp()
    rows = await Office.select().order_by(Office.id).limit(page.limit + 1).offset(page.offset)
    return page_of([_office_out(r) for r in rows], page)


async def get_office(actor: Actor, office_id: int) -> dict[str, Any]:
    check_id("office", office_id)
    row = await Office.select().where(Office.id == office_id).first()
    if row is None:
        raise NotFound("office")
    return _office_out(row)


def _check_office(data: dict[str, Any]) -> dict[str, Any]:
    """The values to store, the phone number in E.164 form."""
    checks = Checks()
    checks.timezone("timezone", data.get("timezone"))
    checks.country("country", data.get("country"))
    values = dict(data)
    if values.get("phone") is not None:
        values["phone"] = checks.phone("phone", values["phone"])
    checks.raise_if_any()
    return values


async def create_office(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_admin(actor)
    if not actor.is_org_admin:
        raise Forbidden("only an organisation-wide admin may open an office")
    values = _check_office(data)
    now = utcnow()
    values["reminder_policy"] = json.dumps(values.get("reminder_policy") or {})
    async with db.transaction():
        row = await Office.insert(Office(**values, created_at=now, updated_at=now)).returning(
            Office.id
        )
        office_id = row[0]["id"]
        await audit.record(actor.staff_id, "create", "office", office_id, office_id=office_id,
                           detail={"fields": sorted(data)})
    return await get_office(actor, office_id)


async def update_office(actor: Actor, office_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    require_admin(actor)
    await get_office(actor, office_id)
    # Every member of staff may read every office, so refusing says nothing new: 403.
    if not office_visible(actor, office_id):
        raise Forbidden("only this office's admins or an organisation-wide admin may change it")
    values = _check_office(changes)
    if "reminder_policy" in values:
        values["reminder_policy"] = json.dumps(values["reminder_policy"] or {})
    async with db.transaction():
        if values:
            await Office.update(db.update_values(values, {Office.updated_at: utcnow()})).where(
                Office.id == office_id
            )
        await audit.record(actor.staff_id, "update", "office", office_id, office_id=office_id,
                           detail={"fields": sorted(changes)})
    return await get_office(actor, office_id)


# ---------------------------------------------------------------- courts


async def list_courts(actor: Actor, page: PageRequest, office_id: int | None = None) -> Any:
    page = page.clamp()
    query = Court.select().order_by(Court.name).order_by(Court.id)
    if office_id is not None:
        query = query.where(Court.office == office_id)
    rows = await query.limit(page.limit + 1).offset(page.offset)
    return page_of(rows, page)


async def get_court(actor: Actor, court_id: int) -> dict[str, Any]:
    check_id("court", court_id)
    row = await Court.select().where(Court.id == court_id).first()
    if row is None:
        raise NotFound("court")
    return row


async def _check_court(data: dict[str, Any]) -> None:
    checks = Checks()
    checks.timezone("timezone", data.get("timezone"))
    office = data.get("office")
    if office is not None and not await Office.exists().where(Office.id == check_id("office", office)):
        checks.add("office_id", "no such office")
    checks.raise_if_any()


def _may_hold_courts_of(actor: Actor, office_id: int | None) -> None:
    # Every member of staff may read every court; an office's admin creates and changes only
    # the courts of their own office and the shared ones (no office).
    if office_id is not None and not office_visible(actor, office_id):
        raise Forbidden("this court belongs to another office")


async def create_court(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    require_admin(actor)
    _may_hold_courts_of(actor, data.get("office"))
    await _check_court(data)
    now = utcnow()
    async with db.transaction():
        row = await Court.insert(Court(**data, created_at=now, updated_at=now)).returning(Court.id)
        court_id = row[0]["id"]
        await audit.record(actor.staff_id, "create", "court", court_id,
                           office_id=data.get("office"), detail={"fields": sorted(data)})
    return await get_court(actor, court_id)


async def update_court(actor: Actor, court_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    require_admin(actor)
    court = await get_court(actor, court_id)
    _may_hold_courts_of(actor, court["office"])
    if "office" in changes:
        # Nor may they hand a court to another office.
        _may_hold_courts_of(actor, changes["office"])
    await _check_court(changes)
    async with db.transaction():
        if changes:
            stamped = db.update_values(changes, {Court.updated_at: utcnow()})
            await Court.update(stamped).where(Court.id == court_id)
        await audit.record(actor.staff_id, "update", "court", court_id,
                           office_id=changes.get("office", court["office"]),
                           detail={"fields": sorted(changes)})
    return await get_court(actor, court_id)


# ---------------------------------------------------------------- staff

STAFF_COLUMNS = (
    Staff.id, Staff.name, Staff.email, Staff.role, Staff.office, Staff.language, Staff.active,
    Staff.phone_enc, Staff.locked_until, Staff.created_at, Staff.updated_at,
)


def _staff_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["phone"] = crypto.cipher().decrypt(row.pop("phone_enc", None), context="staff.phone")
    return row


def _staff_query(actor: Actor) -> Any:
    query = Staff.select(*STAFF_COLUMNS)
    if not actor.is_org_admin and actor.office_id is not None:
        # Colleagues of one's own office, and organisation-wide admins.
        query = query.where((Staff.office == actor.office_id) | Staff.office.is_null())
    return query


async def list_staff(actor: Actor, page: PageRequest, role: str | None = None,
                     office_id: int | None = None) -> Any:
    page = page.clamp()
    query = _staff_query(actor).order_by(Staff.name).order_by(Staff.id)
    if role is not None:
        query = query.where(Staff.role == role)
    if office_id is not None:
        query = query.where(Staff.office == office_id)
    rows = await query.limit(page.limit + 1).offset(page.offset)
    return page_of([_staff_out(r) for r in rows], page)


async def get_staff(actor: Actor, staff_id: int) -> dict[str, Any]:
    check_id("staff", staff_id)
    row = await _staff_query(actor).where(Staff.id == staff_id).first()
    if row is None:
        raise NotFound("staff")
    return _staff_out(row)


async def _check_staff(actor: Actor, data: dict[str, Any], staff_id: int | None = None) -> dict:
    checks = Checks()
    values = dict(data)
    if "phone" in values:
        phone = values.pop("phone")
        normalised = checks.phone("phone", phone)
        values["phone_enc"] = crypto.cipher().encrypt(normalised, context="staff.phone")
    checks.language("language", values.get("language"))
    if "office" in values:
        office = values["office"]
        if office is None:
            if not actor.is_org_admin:
                checks.add("office_id", "only an organisation-wide admin may leave this empty")
        elif not await Office.exists().where(Office.id == check_id("office", office)):
            checks.add("office_id", "no such office")
        elif not office_visible(actor, office):
            checks.add("office_id", "you may only manage staff of your own office")
    if "email" in values:
        values["email"] = values["email"].strip().lower()
        clash = Staff.exists().where(Staff.email == values["email"])
        if staff_id is not None:
            clash = clash.where(Staff.id != staff_id)
        if await clash:
            checks.add("email", "another member of staff already uses this address")
    checks.raise_if_any()
    if "password" in values:
        password = values.pop("password")
        if password:
            from legal_tracker.accounts.credentials import check_new_password

            # Judged against the person's name, address and office as they will be.
            current = {} if staff_id is None else (
                await Staff.select(Staff.name, Staff.email, Staff.office).where(
                    Staff.id == staff_id).first() or {})
            await check_new_password(password, {**current, **values})
        values["password_hash"] = hash_password(password) if password else None
    return values


async def create_staff(actor: Actor, data: dict[str, Any], settings: Settings | None = None
                       ) -> dict[str, Any]:
    """Without a password the account is *invited*: the answer carries ``invitation_url`` (and
    ``invitation_expires_at``), a one-time link where the person chooses their password."""
    from legal_tracker.accounts.links import INVITATION, issue_link

    require_admin(actor)
    data = dict(data)
    data.setdefault("office", actor.office_id)
    values = await _check_staff(actor, data)
    now = utcnow()
    invitation = None
    async with db.transaction():
        row = await Staff.insert(Staff(**values, created_at=now, updated_at=now)).returning(
            Staff.id
        )
        staff_id = row[0]["id"]
        await audit.record(actor.staff_id, "create", "staff", staff_id,
                           office_id=values.get("office"),
                           detail={"fields": sorted(data)})
        if not values.get("password_hash") and values.get("active", True):
            invitation = await issue_link(settings or get_settings(), staff_id, INVITATION,
                                          actor.staff_id)
            await audit.record(actor.staff_id, "invitation_issued", "staff", staff_id,
                               office_id=values.get("office"),
                               detail={"expires_at": invitation.expires_at})
    out = await get_staff(actor, staff_id)
    if invitation is not None:
        out["invitation_url"] = invitation.url
        out["invitation_expires_at"] = invitation.expires_at
    return out


async def managed_staff(actor: Actor, staff_id: int) -> dict[str, Any]:
    """A person ``actor`` may manage (their account: invitations, resets, unlocking, second
    factor), with ``has_password``; the same rules as changing their record."""
    current = await get_staff(actor, staff_id)
    if not actor.is_admin:
        raise Forbidden("only an admin may manage accounts")
    if current["office"] is None and not actor.is_org_admin:
        raise Forbidden("only an organisation-wide admin may change an organisation-wide account")
    row = await Staff.select(Staff.password_hash).where(Staff.id == staff_id).first()
    current["has_password"] = bool(row and row["password_hash"])
    return current


# Changes of these are audited with their old and new values (they are not sensitive, and an
# investigation of a taken-over account needs them); other fields are only named.
AUDITED_VALUES = ("role", "office", "active")
_EXPECTABLE = {"role": Staff.role, "office": Staff.office, "active": Staff.active}


async def update_staff(actor: Actor, staff_id: int, changes: dict[str, Any],
                       expected: dict[str, Any] | None = None) -> dict[str, Any]:
    """``expected``: the values of ``role``, ``office`` and ``active`` the caller saw; the
    update is conditional on them (one UPDATE ... WHERE) and a lost race answers Conflict."""
    current = await get_staff(actor, staff_id)
    if not actor.is_admin:
        raise Forbidden("only an admin may change staff records")
    if current["office"] is None and not actor.is_org_admin:
        # An office's admin sees the organisation-wide accounts but must not take them over
        # (reset a password, change the address) or switch them off.
        raise Forbidden("only an organisation-wide admin may change an organisation-wide account")
    if staff_id == actor.staff_id and (
        changes.get("active") is False or changes.get("role", "admin") != "admin"
    ):
        raise Conflict("you cannot deactivate yourself or remove your own admin role")
    values = await _check_staff(actor, changes, staff_id)
    detail: dict[str, Any] = {"fields": sorted(changes)}
    changed = {k: {"old": current.get(k), "new": changes[k]} for k in AUDITED_VALUES
               if k in changes and changes[k] != current.get(k)}
    if changed:
        detail["changes"] = changed
    async with db.transaction():
        if values:
            stamped = db.update_values(values, {Staff.updated_at: utcnow()})
            where: Any = Staff.id == staff_id
            for name, seen in (expected or {}).items():
                column = _EXPECTABLE[name]
                where = where & (column.is_null() if seen is None else column == seen)
            if not await Staff.update(stamped).where(where).returning(Staff.id):
                raise Conflict("someone else changed this person's account meanwhile: look "
                               "at it again and repeat your change if it is still needed")
        if changes.get("active") is False and current["active"]:
            # Final for every credential: reactivating the account later revives none of them.
            from legal_tracker.accounts.credentials import revoke_everything

            await revoke_everything(staff_id)
        elif changes.get("password"):
            # A new password ends every session and token of the person.
            await revoke_all_tokens(staff_id)
        if changes.get("active") is False:
            # Nor old calendar links: deactivation ends them for good (the table belongs to
            # the calendars package, which this core must not import).
            await Staff.raw(
                "UPDATE calendar_subscription SET revoked_at = {} "
                "WHERE owner = {} AND revoked_at IS NULL", utcnow(), staff_id)
        await audit.record(actor.staff_id, "update", "staff", staff_id,
                           office_id=current.get("office"), detail=detail)
    return await get_staff(actor, staff_id)

