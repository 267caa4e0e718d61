"""Login, bearer tokens, lockout.

Tokens are 256-bit random strings; only their SHA-256 is stored, so a copy of the database
cannot be used to log in. A token dies at its expiry, after an idle period, on logout, and
the moment its owner is deactivated (checked on every request, not cached).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from legal_tracker import audit, db
from legal_tracker.access import Actor
from legal_tracker.accounts.passwords import hash_password, needs_rehash, verify_password
from legal_tracker.accounts.tables import AuthToken
from legal_tracker.common import utcnow
from legal_tracker.errors import Unauthorized
from legal_tracker.organisation.tables import Staff
from legal_tracker.settings import Settings

LOGIN_FAILED = "Login failed: the email or password is wrong, or the account is locked or inactive."

# Writing last_used_at on every request would serialise all readers behind SQLite's write
# lock; a minute's precision is plenty for an idle timeout counted in tens of minutes.
TOUCH_INTERVAL = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    staff_id: int


async def login(settings: Settings, email: str, password: str) -> IssuedToken:
    now = utcnow()
    email = email.strip().lower()
    staff = await Staff.select(
        Staff.id, Staff.password_hash, Staff.active, Staff.failed_logins, Staff.locked_until,
        Staff.office,
    ).where(Staff.email == email).first()
    locked = bool(staff and staff["locked_until"] and staff["locked_until"] > now)
    # argon2 takes tens of milliseconds of CPU by design: off the event loop, so a burst of
    # logins does not stall every other request.
    ok = await asyncio.to_thread(verify_password, staff["password_hash"] if staff else None,
                                 password)
    if staff is None or not ok or locked or not staff["active"]:
        await _record_failure(settings, staff, ok, locked, now)
        raise Unauthorized(LOGIN_FAILED)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=settings.token_ttl_hours)
    async with db.transaction():
        updates: dict[Any, Any] = {Staff.failed_logins: 0, Staff.locked_until: None}
        if needs_rehash(staff["password_hash"]):
            updates[Staff.password_hash] = hash_password(password)
        await Staff.update(updates).where(Staff.id == staff["id"])
        await AuthToken.insert(AuthToken(
            staff=staff["id"], token_hash=token_digest(token), created_at=now,
            expires_at=expires, last_used_at=now,
        ))
        await audit.record(staff["id"], "login", "staff", staff["id"], office_id=staff["office"])
    return IssuedToken(token, expires, staff["id"])


async def _record_failure(settings: Settings, staff: dict[str, Any] | None, password_ok: bool,
                          locked: bool, now: datetime) -> None:
    async with db.transaction():
        if staff is not None and not locked and not password_ok:
            # Counted in the database (an atomic increment), so parallel guesses, from one
            # process or several, cannot slip past the limit.
            rows = await Staff.update({Staff.failed_logins: Staff.failed_logins + 1}).where(
                Staff.id == staff["id"]).returning(Staff.failed_logins)
            failures = rows[0]["failed_logins"] if rows else 0
            if failures >= settings.login_max_failures:
                await Staff.update({
                    Staff.locked_until: now + timedelta(minutes=settings.login_lockout_minutes),
                    Staff.failed_logins: 0,
                }).where(Staff.id == staff["id"])
                await audit.record(staff["id"], "account_locked", "staff", staff["id"],
                                   office_id=staff["office"])
        await audit.record(
            staff["id"] if staff else None, "login_failed", "staff",
            staff["id"] if staff else None, office_id=staff["office"] if staff else None,
            detail={"reason": "locked" if locked else "inactive" if password_ok else "credentials"},
        )


async def authenticate(settings: Settings, token: str) -> Actor:
    if not token or len(token) > 200:
        raise Unauthorized("a valid bearer token is required")
    now = utcnow()
    # Every request, so on the fast read path (one small indexed query; on SQLite no connection
    # or thread is opened). It reads the committed state each time: a revoked token or a
    # deactivated owner is refused on the very next request.
    rows = await db.fast_read(
        "SELECT t.id, t.expires_at, t.last_used_at, t.revoked_at, s.id AS staff_id, s.role,"
        " s.office, s.active, s.name FROM auth_token t JOIN staff s ON s.id = t.staff"
        " WHERE t.token_hash = ?", token_digest(token))
    row = rows[0] if rows else None
    idle = timedelta(minutes=settings.token_idle_minutes)
    if (
        row is None
        or row["revoked_at"] is not None
        or _aware(row["expires_at"]) <= now
        or _aware(row["last_used_at"]) + idle <= now
        or not row["active"]
    ):
        raise Unauthorized("the token is missing, expired or revoked; log in again")
    if now - _aware(row["last_used_at"]) >= TOUCH_INTERVAL:
        await AuthToken.update({AuthToken.last_used_at: now}).where(AuthToken.id == row["id"])
    return Actor(row["staff_id"], row["role"], row["office"], row["name"])


def _aware(value: Any) -> datetime:
    """A stored TIMESTAMPTZ as an aware datetime, whichever driver read it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def logout(actor: Actor, token: str) -> None:
    async with db.transaction():
        await AuthToken.update({AuthToken.revoked_at: utcnow()}).where(
            AuthToken.token_hash == token_digest(token)
        )
        await audit.record(actor.staff_id, "logout", "staff", actor.staff_id,
                           office_id=actor.office_id)


async def revoke_all_tokens(staff_id: int) -> None:
    await AuthToken.update({AuthToken.revoked_at: utcnow()}).where(
        (AuthToken.staff == staff_id) & AuthToken.revoked_at.is_null()
    )
