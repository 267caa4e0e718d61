"""Two-factor sign-in: TOTP (RFC 6238) with pyotp, QR codes with segno, recovery codes.

* Enrolment makes a new random secret (160 bits), shows it as a QR code and as text, and
  keeps it *pending* until one valid code proves the phone has it; only then does it replace
  any earlier secret, and ten new single-use recovery codes are made and shown once.
* Secrets are encrypted at rest (legal_tracker.crypto, registered for key rotation in
  legal_tracker.accounts.tables); recovery codes are stored as argon2id hashes.
* A code is accepted for its 30-second step and the one before and after (clock drift); the
  step of the last accepted code is kept, and a code of that step or an earlier one is
  refused, so a code seen over someone's shoulder cannot be used again (RFC 6238 §5.2).
* An administrator can remove another person's second factor (a lost phone): audited, and
  it ends that person's sessions; they set up a new one at their next sign-in.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from legal_tracker import audit, crypto, db
from legal_tracker.access import Actor, office_visible, require_admin
from legal_tracker.accounts.passwords import verify_password
from legal_tracker.accounts.tables import (
    PENDING_TOTP_CONTEXT,
    TOTP_CONTEXT,
    RecoveryCode,
    StaffMfa,
)
from legal_tracker.common import check_id, utcnow
from legal_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from legal_tracker.organisation.tables import Staff
from legal_tracker.settings import Settings

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
# Recovery codes carry ~59 random bits, so OWASP's minimum argon2id setting is plenty and keeps
# checking ten of them quick.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str  # base32, for typing into an authenticator app by hand
    otpauth_uri: str
    qr_svg: str  # inline <svg> markup
    qr_png_data_uri: str


@dataclass(frozen=True, slots=True)
class CodeOutcome:
    method: str  # "totp" or "recovery_code"
    confirm_pending: bool = False
    step: int = 0  # the time step of a pending secret's code


def issuer(settings: Settings) -> str:
    """What the authenticator app shows: the installation's host name, nothing about the
    work done with it."""
    return urlsplit(settings.public_url).hostname or "legal-tracker"


def _enrolment(settings: Settings, secret: str, email: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer(settings))
    qr = segno.make(uri, error="m")
    return Enrolment(secret, uri, qr.svg_inline(scale=5, title="Two-factor set-up code"),
                     qr.png_data_uri(scale=5))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code is ``code`` (this step, the one before or after), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_codes(codes: list[str]) -> list[str]:
    return [_code_hasher.hash(_normalise_recovery(c)) for c in codes]


def _verify_code(stored: str, code: str) -> bool:
    try:
        return _code_hasher.verify(stored, code)
    except (VerificationError, InvalidHashError):
        return False


async def _mfa_row(staff_id: int) -> dict[str, Any] | None:
    return await StaffMfa.select().where(StaffMfa.staff == staff_id).first()


async def status(actor: Actor, settings: Settings) -> dict[str, Any]:
    from legal_tracker.accounts.auth import must_use_mfa

    row = await _mfa_row(actor.staff_id)
    left = await RecoveryCode.count().where(
        (RecoveryCode.staff == actor.staff_id) & RecoveryCode.used_at.is_null())
    enrolled = bool(row and row["confirmed_at"] is not None)
    return {"enrolled": enrolled, "enrolled_at": row["confirmed_at"] if row else None,
            "pending": bool(row and row["pending_secret_enc"]),
            "recovery_codes_left": left if enrolled else 0,
            "required": must_use_mfa(settings, actor.role)}


async def _begin(settings: Settings, staff_id: int, email: str) -> Enrolment:
    secret = pyotp.random_base32(length=32)
    sealed = crypto.cipher().encrypt(secret, context=PENDING_TOTP_CONTEXT)
    now = utcnow()
    async with db.transaction():
        updated = await StaffMfa.update({
            StaffMfa.pending_secret_enc: sealed, StaffMfa.updated_at: now,
        }).where(StaffMfa.staff == staff_id).returning(StaffMfa.id)
        if not updated:
            await StaffMfa.insert(StaffMfa(staff=staff_id, pending_secret_enc=sealed,
                                           created_at=now, updated_at=now))
    return _enrolment(settings, secret, email)


async def begin_enrolment(actor: Actor, settings: Settings, password: str | None) -> Enrolment:
    """Starts (or restarts) setting up an authenticator for oneself. Replacing one that is in
    use needs one's password again; a password given is always checked (the web app asks for
    it before every set-up)."""
    staff = await Staff.select(Staff.email, Staff.password_hash).where(
        Staff.id == actor.staff_id).first()
    if staff is None:
        raise NotFound("staff")
    row = await _mfa_row(actor.staff_id)
    if row and row["confirmed_at"] is not None and not password:
        raise Invalid("password", "required to replace the authenticator in use")
    if password is not None and not await asyncio.to_thread(
            verify_password, staff["password_hash"], password):
        raise Invalid("password", "is not your current password")
    enrolment = await _begin(settings, actor.staff_id, staff["email"])
    async with db.transaction():
        await audit.record(actor.staff_id, "mfa_enrolment_started", "staff", actor.staff_id,
                           office_id=actor.office_id)
    return enrolment


async def pending_enrolment(actor: Actor, settings: Settings) -> Enrolment | None:
    """The set-up waiting for its first code (its QR code and key again, e.g. after a wrong
    code), or None when none is waiting."""
    row = await _mfa_row(actor.staff_id)
    if row is None or not row["pending_secret_enc"]:
        return None
    staff = await Staff.select(Staff.email).where(Staff.id == actor.staff_id).first()
    if staff is None:
        raise NotFound("staff")
    secret = crypto.cipher().decrypt(row["pending_secret_enc"], context=PENDING_TOTP_CONTEXT)
    return _enrolment(settings, secret, staff["email"])


async def begin_enrolment_for_login(settings: Settings, mfa_token: str) -> Enrolment:
    """For a person who must set up a second factor before signing in: the sign-in challenge
    (their password was right) stands in for a session."""
    from legal_tracker.accounts.auth import challenge_of

    challenge = await challenge_of(mfa_token)
    row = await _mfa_row(challenge["staff_id"])
    if row and row["confirmed_at"] is not None:
        raise Conflict("two-factor sign-in is already set up: enter a code from the app")
    staff = await Staff.select(Staff.email).where(Staff.id == challenge["staff_id"]).first()
    if staff is None:  # the challenge's foreign key keeps the row; deleted meanwhile is gone
        raise NotFound("staff")
    enrolment = await _begin(settings, challenge["staff_id"], staff["email"])
    async with db.transaction():
        await audit.record(challenge["staff_id"], "mfa_enrolment_started", "staff",
                           challenge["staff_id"], office_id=challenge["office"])
    return enrolment


async def confirm_pending(staff_id: int, now: datetime, step: int) -> tuple[str, ...]:
    """Makes the pending secret the one in use and issues new recovery codes (returned, once).
    Inside the caller's transaction, after a code (of time ``step``) was checked against the
    pending secret. The replay guard starts afresh with the new secret: a code of it cannot
    be a replay of the old one's, and the confirming code itself is now spent."""
    row = await _mfa_row(staff_id)
    if row is None or not row["pending_secret_enc"]:
        raise Conflict("no two-factor set-up is waiting for a code: start again")
    secret = crypto.cipher().decrypt(row["pending_secret_enc"], context=PENDING_TOTP_CONTEXT)
    sealed = crypto.cipher().encrypt(secret, context=TOTP_CONTEXT)
    changed = await StaffMfa.update({
        StaffMfa.secret_enc: sealed, StaffMfa.pending_secret_enc: None,
        StaffMfa.confirmed_at: now, StaffMfa.updated_at: now, StaffMfa.last_step: step,
    }).where((StaffMfa.id == row["id"])
             & (StaffMfa.pending_secret_enc == row["pending_secret_enc"])).returning(StaffMfa.id)
    if not changed:
        raise Conflict("the two-factor set-up changed meanwhile: start again")
    return await _replace_recovery_codes(staff_id, now)


async def _replace_recovery_codes(staff_id: int, now: datetime) -> tuple[str, ...]:
    codes = new_recovery_codes()
    hashes = await asyncio.to_thread(_hash_codes, codes)
    await RecoveryCode.delete().where(RecoveryCode.staff == staff_id)
    await RecoveryCode.insert(*[RecoveryCode(staff=staff_id, code_hash=h, created_at=now)
                                for h in hashes])
    return tuple(codes)


async def _take_step(row_id: int, step: int) -> bool:
    """Records ``step`` as used unless it (or a later one) already was: one conditional
    update, so two requests with the same code cannot both pass."""
    rows = await StaffMfa.update({StaffMfa.last_step: step}).where(
        (StaffMfa.id == row_id) & (StaffMfa.last_step < step)).returning(StaffMfa.id)
    return bool(rows)


async def confirm_enrolment(actor: Actor, code: str) -> tuple[str, ...]:
    """Finishes setting up with one code from the app; answers the new recovery codes."""
    row = await _mfa_row(actor.staff_id)
    if row is None or not row["pending_secret_enc"]:
        raise Conflict("no two-factor set-up is waiting for a code: start one first")
    secret = crypto.cipher().decrypt(row["pending_secret_enc"], context=PENDING_TOTP_CONTEXT)
    now = utcnow()
    step = matching_step(secret, code, now)
    if step is None:
        raise Invalid("code", "this code does not match: check the phone's clock and enter "
                              "the code now shown")
    async with db.transaction():
        codes = await confirm_pending(actor.staff_id, now, step)
        await revoke_links(actor.staff_id)
        await audit.record(actor.staff_id, "mfa_enrolled", "staff", actor.staff_id,
                           office_id=actor.office_id)
    return codes


async def revoke_links(staff_id: int) -> None:
    """Half-finished sign-ins of this person stop being usable (their factor changed)."""
    from legal_tracker.accounts.tables import AccountLink

    await AccountLink.update({AccountLink.revoked_at: utcnow()}).where(
        (AccountLink.staff == staff_id) & AccountLink.kind.like("mfa:%")
        & AccountLink.used_at.is_null() & AccountLink.revoked_at.is_null())


async def check_login_code(staff_id: int, code: str) -> CodeOutcome | None:
    """Whether ``code`` is a valid second factor for this person now (and spends it): a TOTP
    code of the secret in use, a pending secret's code when set-up is what the sign-in is
    finishing, or an unused recovery code."""
    row = await _mfa_row(staff_id)
    if row is None:
        return None
    now = utcnow()
    cleaned = code.strip().replace(" ", "")
    if cleaned.isdigit():
        confirmed = row["confirmed_at"] is not None
        sealed = row["secret_enc"] if confirmed else row["pending_secret_enc"]
        if not sealed:
            return None
        secret = crypto.cipher().decrypt(
            sealed, context=TOTP_CONTEXT if confirmed else PENDING_TOTP_CONTEXT)
        step = matching_step(secret, cleaned, now)
        if step is None:
            return None
        if not confirmed:  # spent by confirm_pending, in the sign-in's transaction
            return CodeOutcome("totp", confirm_pending=True, step=step)
        async with db.transaction():
            if not await _take_step(row["id"], step):
                return None
        return CodeOutcome("totp")
    if row["confirmed_at"] is None:
        return None
    return CodeOutcome("recovery_code") if await _spend_recovery_code(staff_id, code) else None


async def _spend_recovery_code(staff_id: int, code: str) -> bool:
    normalised = _normalise_recovery(code)
    if len(normalised) != 12:
        return False
    rows = await RecoveryCode.select(RecoveryCode.id, RecoveryCode.code_hash).where(
        (RecoveryCode.staff == staff_id) & RecoveryCode.used_at.is_null())
    for row in rows:
        if await asyncio.to_thread(_verify_code, row["code_hash"], normalised):
            async with db.transaction():
                spent = await RecoveryCode.update({RecoveryCode.used_at: utcnow()}).where(
                    (RecoveryCode.id == row["id"]) & RecoveryCode.used_at.is_null()
                ).returning(RecoveryCode.id)
            return bool(spent)
    return False


async def regenerate_recovery_codes(actor: Actor, code: str) -> tuple[str, ...]:
    """New recovery codes (the old ones stop working), given a current code from the app."""
    row = await _mfa_row(actor.staff_id)
    if row is None or row["confirmed_at"] is None:
        raise Conflict("two-factor sign-in is not set up")
    secret = crypto.cipher().decrypt(row["secret_enc"], context=TOTP_CONTEXT)
    now = utcnow()
    step = matching_step(secret, code, now)
    if step is None:
        raise Invalid("code", "this code does not match the app")
    async with db.transaction():
        if not await _take_step(row["id"], step):
            raise Invalid("code", "this code was already used: wait for the next one")
        codes = await _replace_recovery_codes(actor.staff_id, now)
        await audit.record(actor.staff_id, "mfa_recovery_codes_replaced", "staff",
                           actor.staff_id, office_id=actor.office_id)
    return codes


async def _remove(staff_id: int) -> bool:
    rows = await StaffMfa.delete().where(StaffMfa.staff == staff_id).returning(StaffMfa.id)
    await RecoveryCode.delete().where(RecoveryCode.staff == staff_id)
    await revoke_links(staff_id)
    return bool(rows)


async def disable(actor: Actor, settings: Settings, password: str) -> None:
    """Turns one's own second factor off (password needed), unless one's role must use it."""
    from legal_tracker.accounts.auth import must_use_mfa

    if must_use_mfa(settings, actor.role):
        raise Conflict("your role must use two-factor sign-in; to move it to a new phone, "
                       "set it up again")
    staff = await Staff.select(Staff.password_hash).where(Staff.id == actor.staff_id).first()
    if not await asyncio.to_thread(verify_password, staff["password_hash"] if staff else None,
                                   password):
        raise Invalid("password", "is not your current password")
    async with db.transaction():
        if not await _remove(actor.staff_id):
            raise Conflict("two-factor sign-in is not set up")
        await audit.record(actor.staff_id, "mfa_disabled", "staff", actor.staff_id,
                           office_id=actor.office_id)


async def admin_reset(actor: Actor, staff_id: int) -> None:
    """An administrator removes another person's second factor (a lost or replaced phone).
    Their sessions end too; at their next sign-in they set up a new one (if their role must
    have one) — with their password, which the administrator never learns."""
    from legal_tracker.accounts.auth import revoke_all_tokens

    require_admin(actor)
    check_id("staff", staff_id)
    target = await Staff.select(Staff.id, Staff.office).where(Staff.id == staff_id).first()
    if target is None or (target["office"] is not None and not office_visible(actor, target["office"])
                          and not actor.is_org_admin):
        raise NotFound("staff")
    if target["office"] is None and not actor.is_org_admin:
        raise Forbidden("only an organisation-wide admin may change an organisation-wide account")
    if staff_id == actor.staff_id:
        raise Conflict("reset your own second factor by setting it up again")
    async with db.transaction():
        if not await _remove(staff_id):
            raise Conflict("this person has no second factor set up")
        await revoke_all_tokens(staff_id)
        await audit.record(actor.staff_id, "mfa_reset", "staff", staff_id,
                           office_id=target["office"])
