"""Login, bearer tokens, lockout.

Tokens are 256-bit random strings; only their SHA-256 is stored, so a copy of the database
cannot be used to log in. A token dies at its expiry, after an idle period, on logout, and
the moment its owner is deactivated (checked on every request, not cached).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from legal_tracker import audit, db
from legal_tracker.access import Actor
from legal_tracker.accounts.passwords import hash_password, needs_rehash, verify_password
from legal_tracker.accounts.tables import AccountLink, AuthToken, StaffMfa
from legal_tracker.audit import current_origin
from legal_tracker.common import check_id, utcnow
from legal_tracker.crypto import token_digest
from legal_tracker.errors import NotFound, Unauthorized
from legal_tracker.organisation.tables import Staff
from legal_tracker.settings import Settings

LOGIN_FAILED = "Login failed: the email or password is wrong, or the account is locked or inactive."
MFA_FAILED = "The code is wrong or has already been used."
MFA_EXPIRED = "This sign-in has expired or was already finished: sign in again with your password."
TOKEN_KINDS = ("api", "session")
# Between the password and the second factor.
MFA_CHALLENGE_MINUTES = 5

# Writing last_used_at on every request would serialise all readers behind SQLite's write
# lock; a minute's precision is plenty for an idle timeout counted in tens of minutes.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    staff_id: int
    # Shown once, when this sign-in finished a required enrolment (legal_tracker.accounts.mfa).
    recovery_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MfaChallenge:
    """The password was right; a second factor is needed (``enrolment_required``: the person
    must first set one up, with :func:`legal_tracker.accounts.mfa.begin_enrolment_for_login`).
    ``mfa_token`` is finished with :func:`complete_mfa_login`."""

    mfa_token: str
    expires_at: datetime
    staff_id: int
    enrolment_required: bool


def must_use_mfa(settings: Settings, role: str) -> bool:
    """``LEGAL_TRACKER_REQUIRE_2FA``: off, admins (the default) or all."""
    return settings.require_2fa == "all" or (settings.require_2fa == "admins" and role == "admin")


async def login(settings: Settings, email: str, password: str, *, kind: str = "api"
                ) -> IssuedToken | MfaChallenge:
    """Checks the password. Answers a token (``kind`` ``api`` for a bearer token, ``session``
    for the web app's cookie), or, when the person has or must set up a second factor, an
    :class:`MfaChallenge`. The client's address and browser come from
    :data:`legal_tracker.audit.current_origin`."""
    if kind not in TOKEN_KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    now = utcnow()
    email = email.strip().lower()
    staff = await Staff.select(
        Staff.id, Staff.password_hash, Staff.active, Staff.failed_logins, Staff.locked_until,
        Staff.office, Staff.role,
    ).where(Staff.email == email).first()
    locked = bool(staff and staff["locked_until"] and staff["locked_until"] > now)
    # argon2 takes tens of milliseconds of CPU by design: off the event loop, so a burst of
    # logins does not stall every other request.
    ok = await asyncio.to_thread(verify_password, staff["password_hash"] if staff else None,
                                 password)
    if staff is None or not ok or locked or not staff["active"]:
        await _record_failure(settings, staff, ok, locked, now)
        raise Unauthorized(LOGIN_FAILED)
    enrolled = await StaffMfa.exists().where(
        (StaffMfa.staff == staff["id"]) & StaffMfa.confirmed_at.is_not_null())
    if enrolled or must_use_mfa(settings, staff["role"]):
        return await _challenge(staff, kind, now, rehash=password if needs_rehash(
            staff["password_hash"]) else None, enrolment_required=not enrolled)
    async with db.transaction():
        updates: dict[Any, Any] = {Staff.failed_logins: 0, Staff.locked_until: None}
        if needs_rehash(staff["password_hash"]):
            updates[Staff.password_hash] = hash_password(password)
        await Staff.update(updates).where(Staff.id == staff["id"])
        issued = await _issue(settings, staff["id"], kind, now)
        await audit.record(staff["id"], "login", "staff", staff["id"], office_id=staff["office"],
                           detail={"kind": kind})
    return issued


async def _issue(settings: Settings, staff_id: int, kind: str, now: datetime,
                 recovery_codes: tuple[str, ...] = ()) -> IssuedToken:
    """A new token, inside the caller's transaction."""
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=settings.token_ttl_hours)
    origin = current_origin.get()
    await AuthToken.insert(AuthToken(
        staff=staff_id, token_hash=token_digest(token), created_at=now,
        expires_at=expires, last_used_at=now, kind=kind,
        user_agent=(origin.user_agent or "")[:256] or None, ip=(origin.ip or "")[:64] or None,
    ))
    return IssuedToken(token, expires, staff_id, recovery_codes)


async def _challenge(staff: dict[str, Any], kind: str, now: datetime, *, rehash: str | None,
                     enrolment_required: bool) -> MfaChallenge:
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=MFA_CHALLENGE_MINUTES)
    async with db.transaction():
        if rehash is not None:
            await Staff.update({Staff.password_hash: hash_password(rehash)}).where(
                Staff.id == staff["id"])
        await AccountLink.insert(AccountLink(
            staff=staff["id"], kind=f"mfa:{kind}", token_hash=token_digest(token), created_at=now,
            expires_at=expires))
        await audit.record(staff["id"], "login_password_ok", "staff", staff["id"],
                           office_id=staff["office"],
                           detail={"kind": kind, "second_factor": "enrol" if enrolment_required
                                   else "totp"})
    return MfaChallenge(token, expires, staff["id"], enrolment_required)


async def challenge_of(mfa_token: str) -> dict[str, Any]:
    """The live sign-in challenge and its person, or :class:`Unauthorized`."""
    if not mfa_token or len(mfa_token) > 200:
        raise Unauthorized(MFA_EXPIRED)
    row = await AccountLink.select(
        AccountLink.id, AccountLink.kind, AccountLink.expires_at, AccountLink.used_at,
        AccountLink.revoked_at, AccountLink.staff.id.as_alias("staff_id"),
        AccountLink.staff.role.as_alias("role"), AccountLink.staff.office.as_alias("office"),
        AccountLink.staff.active.as_alias("active"),
        AccountLink.staff.locked_until.as_alias("locked_until"),
    ).where(AccountLink.token_hash == token_digest(mfa_token)).first()
    if (row is None or not row["kind"].startswith("mfa:") or row["used_at"] is not None
            or row["revoked_at"] is not None or _aware(row["expires_at"]) <= utcnow()):
        raise Unauthorized(MFA_EXPIRED)
    return row


async def complete_mfa_login(settings: Settings, mfa_token: str, code: str) -> IssuedToken:
    """The second step of sign-in: a TOTP code (or a recovery code). When the challenge is
    finishing a required enrolment, the code confirms the new secret and the answer carries
    the new recovery codes. A wrong code counts toward the lockout like a wrong password."""
    from legal_tracker.accounts import mfa

    challenge = await challenge_of(mfa_token)
    now = utcnow()
    staff_id = challenge["staff_id"]
    staff = {"id": staff_id, "office": challenge["office"]}
    locked = bool(challenge["locked_until"] and _aware(challenge["locked_until"]) > now)
    if locked or not challenge["active"]:
        await _record_failure(settings, staff, True, locked, now, step="second_factor")
        raise Unauthorized(LOGIN_FAILED)
    outcome = await mfa.check_login_code(staff_id, code)
    if outcome is None:
        await _record_failure(settings, staff, False, False, now, step="second_factor")
        raise Unauthorized(MFA_FAILED)
    kind = challenge["kind"].removeprefix("mfa:")
    async with db.transaction():
        used = await AccountLink.update({AccountLink.used_at: now}).where(
            (AccountLink.id == challenge["id"]) & AccountLink.used_at.is_null()
        ).returning(AccountLink.id)
        if not used:  # the same challenge finished by a parallel request
            raise Unauthorized(MFA_EXPIRED)
        codes: tuple[str, ...] = ()
        if outcome.confirm_pending:
            codes = await mfa.confirm_pending(staff_id, now, outcome.step)
        await Staff.update({Staff.failed_logins: 0, Staff.locked_until: None}).where(
            Staff.id == staff_id)
        issued = await _issue(settings, staff_id, kind, now, codes)
        await audit.record(staff_id, "login", "staff", staff_id, office_id=challenge["office"],
                           detail={"kind": kind, "second_factor": outcome.method})
    return issued


async def _record_failure(settings: Settings, staff: dict[str, Any] | None, password_ok: bool,
                          locked: bool, now: datetime, *, step: str = "password") -> None:
    """Counts a wrong password (or second-factor code) toward the lockout and audits it."""
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
            detail={"reason": "locked" if locked else "inactive" if password_ok else "credentials",
                    "step": step},
        )


async def authenticate(settings: Settings, token: str, *, kind: str | None = None) -> Actor:
    """The person a token belongs to. ``kind`` (``api`` or ``session``), when given, must match
    the token's: a web session cannot be replayed as a bearer token, nor the other way."""
    if not token or len(token) > 200:
        raise Unauthorized("a valid bearer token is required")
    now = utcnow()
    # Every request, so on the fast read path (one small indexed query; on SQLite no connection
    # or thread is opened). It reads the committed state each time: a revoked token or a
    # deactivated owner is refused on the very next request.
    rows = await db.fast_read(
        "SELECT t.id, t.kind, t.expires_at, t.last_used_at, t.revoked_at, s.id AS staff_id, s.role,"
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
        or (kind is not None and row["kind"] != kind)
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


async def revoke_all_tokens(staff_id: int, *, keep_token: str | None = None) -> int:
    """Ends every API token and web session of a person (but ``keep_token``, the one making
    the request). Inside the caller's transaction. Returns how many were ended."""
    where = (AuthToken.staff == staff_id) & AuthToken.revoked_at.is_null()
    if keep_token:
        where = where & (AuthToken.token_hash != token_digest(keep_token))
    rows = await AuthToken.update({AuthToken.revoked_at: utcnow()}).where(where).returning(
        AuthToken.id)
    return len(rows)


async def list_sessions(settings: Settings, actor: Actor, current_token: str | None = None
                        ) -> list[dict[str, Any]]:
    """One's own live tokens and sessions, newest first: created, last used, from which
    browser or client and address, and which one is making this request."""
    now = utcnow()
    rows = await AuthToken.select(
        AuthToken.id, AuthToken.kind, AuthToken.created_at, AuthToken.last_used_at,
        AuthToken.expires_at, AuthToken.user_agent, AuthToken.ip, AuthToken.token_hash,
    ).where(
        (AuthToken.staff == actor.staff_id) & AuthToken.revoked_at.is_null()
        & (AuthToken.expires_at > now)
    ).order_by(AuthToken.id, ascending=False).limit(500)
    idle = timedelta(minutes=settings.token_idle_minutes)
    current = token_digest(current_token) if current_token else None
    out = []
    for row in rows:
        if _aware(row["last_used_at"]) + idle <= now:
            continue
        row["current"] = row.pop("token_hash") == current
        out.append(row)
    return out


async def end_session(actor: Actor, session_id: int) -> None:
    """Ends one of one's own tokens or sessions; another person's answers not found."""
    check_id("session", session_id)
    async with db.transaction():
        rows = await AuthToken.update({AuthToken.revoked_at: utcnow()}).where(
            (AuthToken.id == session_id) & (AuthToken.staff == actor.staff_id)
            & AuthToken.revoked_at.is_null()
        ).returning(AuthToken.id)
        if not rows:
            raise NotFound("session")
        await audit.record(actor.staff_id, "end_session", "staff", actor.staff_id,
                           office_id=actor.office_id, detail={"session_id": session_id})


async def sign_out_everywhere(actor: Actor, *, keep_token: str | None = None) -> int:
    """Ends every session and API token of this person (the web app's "sign out everywhere"),
    or every one but ``keep_token`` ("sign out everywhere else"). Returns how many ended."""
    async with db.transaction():
        ended = await revoke_all_tokens(actor.staff_id, keep_token=keep_token)
        await audit.record(actor.staff_id, "logout_everywhere", "staff", actor.staff_id,
                           office_id=actor.office_id,
                           detail={"ended": ended, "kept_current": keep_token is not None})
    return ended


async def change_password(actor: Actor, current: str, new: str, *, keep_token: str | None = None,
                          settings: Settings | None = None) -> None:
    """One's own password (see :func:`legal_tracker.accounts.credentials.change_password`):
    the current one required, the strength rule applied, every other session and token ended
    (``keep_token``, the one making the change, stays)."""
    from legal_tracker.accounts import credentials
    from legal_tracker.settings import get_settings

    await credentials.change_password(settings or get_settings(), actor, current, new, keep_token)
