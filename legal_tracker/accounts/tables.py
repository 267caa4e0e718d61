"""Credentials: API and session tokens (stored hashed).
"""

from __future__ import annotations

from piccolo.columns import (
    ForeignKey,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from legal_tracker.organisation.tables import Staff


class AuthToken(Table, tablename="auth_token"):
    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    last_used_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
