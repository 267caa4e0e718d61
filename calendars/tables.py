"""Calendar subscriptions: a secret, revocable token per feed, stored only as a hash."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from legal_tracker.cases.tables import Hearing
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
    # The ETag last served and when that content was first served (Last-Modified).
    feed_etag = Varchar(length=64, null=True, default=None)
    feed_modified_at = Timestamptz(null=True, default=None)


class FeedEvent(Table, tablename="feed_event"):
    """A hearing's VEVENT as last rendered for one privacy level, kept across restarts.
    ``digest`` covers every value the event shows and the renderer (feed layout, icalendar
    and tz database versions): a stored event is used only while it still matches."""

    id = Serial(primary_key=True)
    hearing = ForeignKey(references=Hearing, null=False, on_delete=OnDelete.cascade)
    privacy = Varchar(length=16)
    hearing_version = Integer()
    renderer = Varchar(length=120)
    digest = Varchar(length=32)
    body = Text()
    updated_at = Timestamptz()
