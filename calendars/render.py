"""Serving one subscription's feed: database rows in, ``calendars.feed`` bytes out.

The layout of the feed (UIDs, SEQUENCE, VTIMEZONE, privacy, caching of serialised events)
lives in ``calendars.feed``, which knows nothing of the database. This module only

* turns the rows ``calendars.service`` loads into ``FeedHearing`` / ``FeedDeadline``, and
* computes the ETag from ``service.feed_state`` — one aggregate query and no rows — so an
  unchanged feed answers 304 without loading or serialising anything; the body is built
  (or taken from a per-ETag cache) only when a client really needs it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from calendars import feed as ical
from calendars.service import feed_state, load_feed_rows, state_last_modified
from calendars.subscriptions import FeedRequest
from legal_tracker.settings import Settings

# Whole feeds by ETag: a burst of clients polling the same subscription after a change
# builds it once.
_BODIES_MAX = 512
_bodies: OrderedDict[str, bytes] = OrderedDict()


@dataclass(frozen=True, slots=True)
class PreparedFeed:
    """What a conditional request needs (ETag, Last-Modified), known before any row is
    loaded or serialised; ``body()`` builds (or reuses) the calendar only when asked."""

    feed: FeedRequest
    domain: str
    etag: str
    last_modified: datetime

    async def body(self) -> bytes:
        cached = _bodies.get(self.etag)
        if cached is None:
            rows = await load_feed_rows(self.feed)
            cached = build_calendar(self.feed, rows, self.domain)
            _bodies[self.etag] = cached
            if len(_bodies) > _BODIES_MAX:
                _bodies.popitem(last=False)
        return cached


def _domain(settings: Settings) -> str:
    return urlsplit(settings.public_url).hostname or "legal-tracker.invalid"


def feed_info(feed: FeedRequest, domain: str) -> ical.FeedInfo:
    privacy: ical.Privacy = "minimal" if feed.privacy == "minimal" else "standard"
    return ical.FeedInfo(calendar_uid=f"calendar-{feed.id}@{domain}", name=feed.name,
                         domain=domain, privacy=privacy)


def feed_hearing(row: dict[str, Any]) -> ical.FeedHearing:
    staff = row.get("staff") or []
    # Last-Modified/DTSTAMP: the last change to anything the event shows, not only the
    # hearing row (a renamed court or member of staff changes the event too).
    changes = [row["updated_at"], row.get("court_updated_at"), *(s[2] for s in staff)]
    return ical.FeedHearing(
        id=row["id"],
        version=row["version"],
        case_reference=row["case_reference"],
        kind=row["kind"],
        status=row["status"],
        starts_at=row["starts_at"],
        duration=timedelta(minutes=row["duration_minutes"]),
        court_name=row["court_name"],
        court_address=row["court_address"] or "",
        courtroom=row.get("courtroom"),
        court_timezone=row["court_timezone"],
        accompanying_staff=tuple(s[1] for s in staff),
        survivor_testifies=bool(row["survivor_testifies"]),
        what_to_bring=row.get("what_to_bring") or "",
        adjourned_to=row.get("adjourned_to_starts_at"),
        adjourned_from=row.get("adjourned_from_starts_at"),
        updated_at=max(c for c in changes if c is not None),
        family_attends=bool(row.get("family_attends")),
    )


def feed_deadline(row: dict[str, Any]) -> ical.FeedDeadline:
    due: date = row["due_date"]
    # Computed deadlines (e.g. "call the family before the hearing") have no row of their
    # own; their due date is the only thing that can change.
    updated = row.get("updated_at") or datetime(due.year, due.month, due.day, tzinfo=UTC)
    return ical.FeedDeadline(key=row["key"], due_date=due, title=row["title"],
                             case_reference=row.get("case_reference"),
                             what_to_do=row.get("what_to_do") or "", updated_at=updated)


def build_calendar(feed: FeedRequest, rows: dict[str, Any], domain: str) -> bytes:
    return ical.build_feed(feed_info(feed, domain),
                           [feed_hearing(r) for r in rows["hearings"]],
                           [feed_deadline(r) for r in rows["deadlines"]])


def fingerprint(feed: FeedRequest, state: tuple[Any, ...], domain: str) -> str:
    """A strong ETag from the aggregate state: it changes whenever a row the feed shows
    changes, and with the feed's layout, icalendar and the tz database."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{ical.environment_marker()}|{feed.id}|{feed.name}|{feed.privacy}|"
                  f"{domain}".encode())
    digest.update(repr(state).encode())
    return '"' + digest.hexdigest() + '"'


_first_seen: OrderedDict[str, datetime] = OrderedDict()
_latest_issued = datetime(2020, 1, 1, tzinfo=UTC)


def _last_modified_for(etag: str, state_stamp: datetime) -> datetime:
    """When this content was first served by this process, at least its newest change.

    The newest ``updated_at`` alone is not enough: an event *leaving* a feed (a caseworker
    unassigned) changes the content without raising the newest stamp of what remains, and
    If-Modified-Since would then answer a wrong 304. Content first seen after a change is
    always later than the Last-Modified a client got before it; after a restart the stamp is
    new, which costs one full download and never a stale calendar."""
    global _latest_issued
    seen = _first_seen.get(etag)
    if seen is None:
        # HTTP dates have whole seconds: keep new content strictly later than anything issued.
        seen = max(datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1), state_stamp,
                   _latest_issued + timedelta(seconds=1))
        _latest_issued = seen
        _first_seen[etag] = seen
        if len(_first_seen) > _BODIES_MAX * 4:
            _first_seen.popitem(last=False)
    return seen


async def prepare_feed(feed: FeedRequest, settings: Settings) -> PreparedFeed:
    state = await feed_state(feed)
    domain = _domain(settings)
    etag = fingerprint(feed, state, domain)
    stamp = state_last_modified(state, datetime(2020, 1, 1, tzinfo=UTC))
    return PreparedFeed(feed, domain, etag, _last_modified_for(etag, stamp))
