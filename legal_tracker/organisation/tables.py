"""The organisation: its offices, the courts they work in, and its staff.

The schema is created by the hand-written migrations in ``legal_tracker/migrations``;
these classes describe it for queries. Columns ending in ``_enc`` hold ciphertext.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Office(Table, tablename="office"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    country = Varchar(length=2)
    timezone = Varchar(length=64)
    phone = Varchar(length=32, null=True, default=None)
    sms_sender_name = Varchar(length=64, null=True, default=None)
    reminder_policy = JSON(default="{}")
    # The language filings are drafted in (BCP 47), unless a filing says otherwise.
    language = Varchar(length=16, default="en")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Court(Table, tablename="court"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    address = Varchar(length=500, default="")
    timezone = Varchar(length=64)
    office = ForeignKey(references=Office, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Staff(Table, tablename="staff"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    email = Varchar(length=254, unique=True)
    role = Varchar(length=16)
    office = ForeignKey(references=Office, null=True, default=None, on_delete=OnDelete.restrict)
    phone_enc = Text(null=True, default=None)
    language = Varchar(length=16, default="en")
    password_hash = Text(null=True, default=None)
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
