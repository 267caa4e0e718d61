"""Credentials: API and session tokens, one-time links, the second factor (all secrets stored
hashed or encrypted).
"""

from __future__ import annotations

from piccolo.columns import (
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from legal_tracker.organisation.tables import Staff

# Associated data of the encrypted TOTP secrets (legal_tracker.crypto).
# Registered for key rotation by legal_tracker.bootstrap (key_rotation.CORE_ENCRYPTED_COLUMNS).
TOTP_CONTEXT = "staff_mfa.secret"
PENDING_TOTP_CONTEXT = "staff_mfa.pending_secret"


class AuthToken(Table, tablename="auth_token"):
    """A signed-in client: ``kind`` is ``api`` (a bearer token) or ``session`` (the web app's
    cookie). ``user_agent`` and ``ip`` are what the person sees in their sessions list."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    last_used_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    kind = Varchar(length=8, default="api")
    user_agent = Varchar(length=256, null=True, default=None)
    ip = Varchar(length=64, null=True, default=None)


class AccountLink(Table, tablename="account_link"):
    """A one-time secret: ``invitation`` and ``reset`` links (hours), and ``mfa`` — the
    half-finished sign-in between the password and the second factor (minutes). Only the
    SHA-256 of the secret is stored."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)


class StaffMfa(Table, tablename="staff_mfa"):
    """A person's TOTP (RFC 6238) secret, encrypted; ``pending_secret_enc`` while enrolment
    waits for its first code. ``last_step`` is the time step of the last accepted code, so a
    code cannot be replayed within its window."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, null=False, unique=True, on_delete=OnDelete.cascade)
    secret_enc = Text(null=True, default=None)
    pending_secret_enc = Text(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    last_step = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RecoveryCode(Table, tablename="mfa_recovery_code"):
    """Single-use recovery codes, argon2id-hashed."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)
    code_hash = Text()
    created_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)

