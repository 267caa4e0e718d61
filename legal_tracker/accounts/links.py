"""Invitations and password resets: one-time links.

A link is 256 random bits; only its SHA-256 is stored. It works once, for
``LEGAL_TRACKER_ACCOUNT_LINK_HOURS`` (72 by default), and issuing a new link of the same kind
for a person retires the earlier one. Its URL points at the web app's page
(``/app/invitation/{token}``, ``/app/reset/{token}``) on ``LEGAL_TRACKER_PUBLIC_URL``; the
same token can be used through the API. A link that expired, was used or was replaced says
so plainly (410); one that never existed is not found (404).

Setting a password through a link ends every session and token of the person and clears a
lockout: whoever holds the link has proved what an administrator or the person's mailbox
vouches for.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from legal_tracker import audit, db
from legal_tracker.access import Actor
from legal_tracker.accounts.auth import _aware, token_digest
from legal_tracker.accounts.credentials import check_new_password, revoke_links
from legal_tracker.accounts.mail import MailError, mail_configured, send_mail
from legal_tracker.accounts.passwords import hash_password
from legal_tracker.accounts.tables import AccountLink
from legal_tracker.common import utcnow
from legal_tracker.errors import Conflict, Gone, NotAvailable, NotFound
from legal_tracker.organisation.tables import Staff
from legal_tracker.settings import Settings

log = logging.getLogger("legal_tracker.accounts")

INVITATION = "invitation"
RESET = "reset"
PAGES = {INVITATION: "invitation", RESET: "reset"}
# Emailed reset links per person per hour; more requests are quietly ignored (the answer to
# the requester is the same either way).
EMAILED_RESETS_PER_HOUR = 3


@dataclass(frozen=True, slots=True)
class IssuedLink:
    kind: str
    url: str
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """What a link's page may show before the password is chosen."""

    kind: str
    staff_id: int
    name: str
    email: str
    expires_at: datetime


def link_url(settings: Settings, kind: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/app/{PAGES[kind]}/{token}"


async def issue_link(settings: Settings, staff_id: int, kind: str, created_by: int | None
                     ) -> IssuedLink:
    """A new link, retiring the person's earlier unused one of the same kind. Inside the
    caller's transaction."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=settings.account_link_hours)
    await revoke_links(staff_id, (kind,))
    await AccountLink.insert(AccountLink(
        staff=staff_id, kind=kind, token_hash=token_digest(token), created_at=now,
        expires_at=expires, created_by=created_by or None))
    return IssuedLink(kind, link_url(settings, kind, token), token, expires)


async def issue_invitation(actor: Actor, settings: Settings, staff_id: int) -> IssuedLink:
    """A new invitation for an account that has not chosen a password yet."""
    from legal_tracker.organisation.service import managed_staff

    staff = await managed_staff(actor, staff_id)
    if not staff["active"]:
        raise Conflict("this account is deactivated")
    if staff["has_password"]:
        raise Conflict("this person has already set a password: issue a password reset link "
                       "instead")
    async with db.transaction():
        link = await issue_link(settings, staff_id, INVITATION, actor.staff_id)
        await audit.record(actor.staff_id, "invitation_issued", "staff", staff_id,
                           office_id=staff["office"], detail={"expires_at": link.expires_at})
    return link


async def issue_reset(actor: Actor, settings: Settings, staff_id: int) -> IssuedLink:
    """A reset link an administrator passes on. The person's current password keeps working
    until the link is used."""
    from legal_tracker.organisation.service import managed_staff

    staff = await managed_staff(actor, staff_id)
    if not staff["active"]:
        raise Conflict("this account is deactivated")
    async with db.transaction():
        link = await issue_link(settings, staff_id, RESET, actor.staff_id)
        await audit.record(actor.staff_id, "password_reset_issued", "staff", staff_id,
                           office_id=staff["office"], detail={"expires_at": link.expires_at})
    return link


async def _live_link(token: str, kind: str) -> dict[str, Any]:
    if not token or len(token) > 200:
        raise NotFound("link")
    row = await AccountLink.select(
        AccountLink.id, AccountLink.kind, AccountLink.expires_at, AccountLink.used_at,
        AccountLink.revoked_at, AccountLink.staff.id.as_alias("staff_id"),
        AccountLink.staff.name.as_alias("name"), AccountLink.staff.email.as_alias("email"),
        AccountLink.staff.office.as_alias("office"), AccountLink.staff.active.as_alias("active"),
        AccountLink.staff.password_hash.as_alias("password_hash"),
    ).where(AccountLink.token_hash == token_digest(token)).first()
    if row is None or row["kind"] != kind:
        raise NotFound("link")
    what = "invitation" if kind == INVITATION else "password reset link"
    ask = "Ask an administrator for a new one."
    if row["used_at"] is not None:
        raise Gone(f"This {what} has already been used. "
                   + ("Sign in with the password you chose, or ask for a password reset."
                      if kind == INVITATION else ask))
    if row["revoked_at"] is not None:
        raise Gone(f"This {what} was replaced by a newer one or withdrawn. {ask}")
    if _aware(row["expires_at"]) <= utcnow():
        raise Gone(f"This {what} has expired. {ask}")
    if not row["active"]:
        raise Gone("This account is no longer active.")
    if kind == INVITATION and row["password_hash"]:
        raise Gone("This invitation has already been accepted. Sign in with your password.")
    return row


async def inspect_link(token: str, kind: str) -> LinkInfo:
    """For the link's page: whose it is, or why it cannot be used (NotFound, Gone)."""
    row = await _live_link(token, kind)
    return LinkInfo(kind, row["staff_id"], row["name"], row["email"], _aware(row["expires_at"]))


async def use_link(token: str, kind: str, password: str) -> int:
    """Sets the password of the link's person; the link is spent, every session and token of
    the person ends, a lockout is cleared. Returns the staff id."""
    from legal_tracker.accounts.auth import revoke_all_tokens

    row = await _live_link(token, kind)
    await check_new_password(password, row)
    hashed = await asyncio.to_thread(hash_password, password)
    now = utcnow()
    async with db.transaction():
        spent = await AccountLink.update({AccountLink.used_at: now}).where(
            (AccountLink.id == row["id"]) & AccountLink.used_at.is_null()
            & AccountLink.revoked_at.is_null()
        ).returning(AccountLink.id)
        if not spent:  # a parallel request used it first
            raise Gone("This link has already been used.")
        await Staff.update({
            Staff.password_hash: hashed, Staff.failed_logins: 0, Staff.locked_until: None,
            Staff.updated_at: now,
        }).where(Staff.id == row["staff_id"])
        await revoke_all_tokens(row["staff_id"])
        await revoke_links(row["staff_id"], (INVITATION, RESET))
        await audit.record(row["staff_id"],
                           "invitation_accepted" if kind == INVITATION else "password_reset",
                           "staff", row["staff_id"], office_id=row["office"],
                           detail={"fields": ["password"]})
    return row["staff_id"]


def _reset_mail(settings: Settings, name: str, url: str) -> tuple[str, str]:
    hours = int(settings.account_link_hours) if settings.account_link_hours >= 1 else 1
    subject = "Password reset"
    body = (
        f"Hello {name},\n\n"
        "Someone (we hope you) asked to reset the password of your account at\n"
        f"{settings.public_url}.\n\n"
        f"To choose a new password, open this link within {hours} hours:\n\n{url}\n\n"
        "The link works once. If you did not ask for this, ignore this message: your password\n"
        "stays as it is. Tell your administrator if it happens again.\n"
    )
    return subject, body


async def request_reset_by_email(settings: Settings, email: str) -> None:
    """A reset link by email, if ``email`` belongs to an active person. The caller answers the
    same whatever happens here (and runs this after answering), so nobody learns whether an
    address has an account."""
    if not mail_configured(settings):
        raise NotAvailable("password reset by email is not set up here: ask an administrator "
                           "for a reset link")
    email = email.strip().lower()
    staff = await Staff.select(Staff.id, Staff.name, Staff.email, Staff.office).where(
        (Staff.email == email) & (Staff.active == True)  # noqa: E712 - a SQL expression
    ).first()
    if staff is None:
        async with db.transaction():
            await audit.record(None, "password_reset_requested", "staff", None,
                               detail={"outcome": "no such active account"})
        return
    recent = await AccountLink.count().where(
        (AccountLink.staff == staff["id"]) & (AccountLink.kind == RESET)
        & (AccountLink.created_at > utcnow() - timedelta(hours=1)))
    if recent >= EMAILED_RESETS_PER_HOUR:
        async with db.transaction():
            await audit.record(None, "password_reset_requested", "staff", staff["id"],
                               office_id=staff["office"], detail={"outcome": "throttled"})
        return
    async with db.transaction():
        link = await issue_link(settings, staff["id"], RESET, None)
        await audit.record(None, "password_reset_requested", "staff", staff["id"],
                           office_id=staff["office"], detail={"outcome": "emailed"})
    subject, body = _reset_mail(settings, staff["name"], link.url)
    try:
        await send_mail(settings, staff["email"], subject, body)
    except MailError:
        async with db.transaction():
            await AccountLink.update({AccountLink.revoked_at: utcnow()}).where(
                AccountLink.token_hash == token_digest(link.token))
            await audit.record(None, "password_reset_mail_failed", "staff", staff["id"],
                               office_id=staff["office"])



async def request_reset_after_answering(settings: Settings, email: str) -> None:
    """:func:`request_reset_by_email` for a background task that runs after the answer was
    sent (by the API and the web page alike): a failure is logged, never raised."""
    try:
        await request_reset_by_email(settings, email)
    except Exception as exc:  # noqa: BLE001 - nobody is waiting for an answer any more
        log.error("password reset request failed (%s)", type(exc).__name__)

def _invitation_mail(settings: Settings, name: str, url: str) -> tuple[str, str]:
    hours = int(settings.account_link_hours) if settings.account_link_hours >= 1 else 1
    subject = "Your new account"
    body = (
        f"Hello {name},\n\n"
        f"An administrator made you an account at {settings.public_url}.\n\n"
        f"To choose your password, open this link within {hours} hours:\n\n{url}\n\n"
        "The link works once. If you did not expect this message, ignore it and tell the\n"
        "person who runs the service at your organisation.\n"
    )
    return subject, body


async def mail_invitation(actor: Actor, settings: Settings, staff_id: int, link: IssuedLink
                          ) -> bool:
    """Emails a just-issued invitation to the person's address when outgoing mail is
    configured. True when the mail server took it; False when mail is not configured or it
    failed (the link still works: the administrator passes it on). Audited either way."""
    from legal_tracker.organisation.service import managed_staff

    staff = await managed_staff(actor, staff_id)
    if not mail_configured(settings):
        return False
    subject, body = _invitation_mail(settings, staff["name"], link.url)
    try:
        await send_mail(settings, staff["email"], subject, body)
        sent = True
    except MailError:
        sent = False
    async with db.transaction():
        await audit.record(actor.staff_id, "invitation_mailed" if sent else "invitation_mail_failed",
                           "staff", staff_id, office_id=staff["office"])
    return sent
