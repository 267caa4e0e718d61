"""Everything that lets a person in, ended together.

Deactivation is final for every credential: API tokens, web sessions, invitation and reset
links, half-finished sign-ins and calendar feed links. Reactivating the account revives none
of them; the person signs in again and makes new calendar links.

Calendar subscriptions belong to the ``calendars`` package, which the core does not import;
its table is named here (like key_rotation names other areas' encrypted columns), so this
holds whatever entry point deactivates someone (API, web app, command line).
"""

from __future__ import annotations

from legal_tracker import db
from legal_tracker.access import Actor
from legal_tracker.accounts.auth import revoke_all_tokens
from legal_tracker.accounts.tables import AccountLink
from legal_tracker.common import utcnow
from legal_tracker.settings import Settings

# (table, owner column, revoked-at column) of credentials defined outside this package.
OTHER_CREDENTIALS: list[tuple[str, str, str]] = [
    ("calendar_subscription", "owner", "revoked_at"),
]


async def revoke_links(staff_id: int, kinds: tuple[str, ...] | None = None) -> None:
    """Unused one-time links of this person stop working (``kinds``: e.g. ``("reset",)``; all
    when None, including half-finished sign-ins)."""
    where = ((AccountLink.staff == staff_id) & AccountLink.used_at.is_null()
             & AccountLink.revoked_at.is_null())
    if kinds is not None:
        where = where & AccountLink.kind.is_in(list(kinds))
    await AccountLink.update({AccountLink.revoked_at: utcnow()}).where(where)


async def revoke_everything(staff_id: int) -> None:
    """Inside the caller's transaction."""
    now = utcnow()
    await revoke_all_tokens(staff_id)
    await revoke_links(staff_id)
    for table, owner, revoked in OTHER_CREDENTIALS:
        await db.execute(
            f"UPDATE {table} SET {revoked} = {{}} WHERE {owner} = {{}} AND {revoked} IS NULL",
            now, staff_id)


async def password_words(name: str | None, email: str | None, office_id: int | None) -> list[str]:
    """What zxcvbn is told an attacker knows about this person: their name, email address and
    office's name (every office's, for an organisation-wide account)."""
    from legal_tracker.accounts.passwords import personal_words
    from legal_tracker.organisation.tables import Office

    query = Office.select(Office.name)
    if office_id is not None:
        query = query.where(Office.id == office_id)
    offices = [r["name"] for r in await query.limit(100)]
    return personal_words(name, email, *offices)


async def check_new_password(password: str, staff: dict, *, field: str = "password") -> None:
    """Raises Invalid (naming ``field``, saying why in words) for a password this person may
    not use. ``staff``: name, email and office of the person."""
    import asyncio

    from legal_tracker.accounts.passwords import check_password

    words = await password_words(staff.get("name"), staff.get("email"), staff.get("office"))
    await asyncio.to_thread(check_password, password, words, field=field)


async def change_password(settings: Settings, actor: Actor, current_password: str, new_password: str,
                          current_token: str | None = None) -> None:
    """One's own password, the current one required. Every other session and token of the
    person ends (``current_token``, the one asking, stays). A wrong current password counts
    toward the lockout, like a wrong password at sign-in."""
    import asyncio

    from legal_tracker import audit
    from legal_tracker.accounts.auth import _record_failure
    from legal_tracker.accounts.passwords import hash_password, verify_password
    from legal_tracker.errors import Invalid, NotFound
    from legal_tracker.organisation.tables import Staff

    staff = await Staff.select(Staff.id, Staff.name, Staff.email, Staff.office,
                               Staff.password_hash).where(Staff.id == actor.staff_id).first()
    if staff is None:
        raise NotFound("staff")
    if not await asyncio.to_thread(verify_password, staff["password_hash"], current_password):
        await _record_failure(settings, staff, False, False, utcnow(), step="change_password")
        raise Invalid("current_password", "is not your current password")
    if new_password == current_password:
        raise Invalid("new_password", "must differ from the current password")
    await check_new_password(new_password, staff, field="new_password")
    hashed = await asyncio.to_thread(hash_password, new_password)
    async with db.transaction():
        await Staff.update({Staff.password_hash: hashed, Staff.updated_at: utcnow()}).where(
            Staff.id == actor.staff_id)
        ended = await revoke_all_tokens(actor.staff_id, keep_token=current_token)
        await revoke_links(actor.staff_id, ("reset",))
        await audit.record(actor.staff_id, "password_changed", "staff", actor.staff_id,
                           office_id=staff["office"],
                           detail={"fields": ["password"], "sessions_ended": ended})


async def unlock(actor: Actor, staff_id: int) -> dict:
    """An administrator ends a lockout at once (instead of waiting it out)."""
    from legal_tracker import audit
    from legal_tracker.organisation.service import get_staff, managed_staff
    from legal_tracker.organisation.tables import Staff

    staff = await managed_staff(actor, staff_id)
    async with db.transaction():
        await Staff.update({Staff.failed_logins: 0, Staff.locked_until: None}).where(
            Staff.id == staff_id)
        await audit.record(actor.staff_id, "account_unlocked", "staff", staff_id,
                           office_id=staff["office"],
                           detail={"was_locked": staff["locked_until"] is not None
                                   and staff["locked_until"] > utcnow()})
    return await get_staff(actor, staff_id)
