"""Accounts (issue 13): what kind of client a token belongs to and where it signed in from,
one-time links (invitations, resets, the second sign-in step), TOTP secrets (encrypted) and
recovery codes (hashed)."""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        "ALTER TABLE auth_token ADD COLUMN kind VARCHAR(8) NOT NULL DEFAULT 'api'",
        "ALTER TABLE auth_token ADD COLUMN user_agent VARCHAR(256)",
        "ALTER TABLE auth_token ADD COLUMN ip VARCHAR(64)",
        "CREATE INDEX auth_token_staff_idx ON auth_token (staff, revoked_at)",
        f"""CREATE TABLE account_link (
            id {d.pk},
            staff {d.fk('staff', 'CASCADE')} NOT NULL,
            kind VARCHAR(16) NOT NULL,
            token_hash VARCHAR(64) NOT NULL UNIQUE,
            created_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL,
            used_at TIMESTAMPTZ,
            revoked_at TIMESTAMPTZ,
            created_by INTEGER
        )""",
        "CREATE INDEX account_link_staff_idx ON account_link (staff, kind, created_at)",
        f"""CREATE TABLE staff_mfa (
            id {d.pk},
            staff {d.fk('staff', 'CASCADE')} NOT NULL UNIQUE,
            secret_enc TEXT,
            pending_secret_enc TEXT,
            confirmed_at TIMESTAMPTZ,
            last_step INTEGER NOT NULL DEFAULT 0,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )""",
        f"""CREATE TABLE mfa_recovery_code (
            id {d.pk},
            staff {d.fk('staff', 'CASCADE')} NOT NULL,
            code_hash TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            used_at TIMESTAMPTZ
        )""",
        "CREATE INDEX mfa_recovery_code_staff_idx ON mfa_recovery_code (staff)",
    ]
