"""Calendar subscriptions: a secret, revocable token per feed, stored only as a hash."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from legal_tracker.organisation.tables import Staff


class CalendarSubscription(Table, tablename="calendar_subscription"):
    id = Serial(primary_key=True)
    owner = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)
    scope = Varchar(length=8)
    target_id = Integer()
    privacy = Varchar(length=16, default="standard")
    token_hash = Varchar(length=64, unique=True)
    name = Varchar(length=120, default="")
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    last_fetched_at = Timestamptz(null=True, default=None)
