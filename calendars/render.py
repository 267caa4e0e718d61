"""Serving one subscription's feed: database rows in, ``calendars.feed`` bytes out.

The layout of the feed (UIDs, SEQUENCE, VTIMEZONE, privacy, caching of serialised events)
lives in ``calendars.feed``, which knows nothing of the database. This module only

* turns the rows ``calendars.service`` loads into ``FeedHearing`` / ``FeedDeadline``, and
* computes the ETag from ``service.feed_state`` — one aggregate query and no rows — so an
  unchanged feed answers 304 without loading or serialising anything; the body is built
  (or taken from a per-ETag cache) only when a client really needs it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec

from calendars import feed as ical
from calendars.service import feed_state, load_feed_rows
from calendars.subscriptions import FeedRequest
from calendars.tables import CalendarSubscription, FeedEvent
from legal_tracker import db
from legal_tracker.settings import Settings

log = logging.getLogger(__name__)

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
            rows = await load_feed_rows(self.feed, privacy=_privacy(self.feed))
            cached, fresh = assemble_calendar(self.feed, rows, self.domain)
            if fresh:
                await store_events(_privacy(self.feed), fresh)
            _remember(self.etag, cached)
        return cached

    async def gzipped(self) -> bytes:
        """The body compressed (calendar text shrinks about tenfold), built once per ETag."""
        key = self.etag + "gzip"
        cached = _bodies.get(key)
        if cached is None:
            cached = gzip.compress(await self.body(), compresslevel=6, mtime=0)
            _remember(key, cached)
        return cached


def _remember(key: str, body: bytes) -> None:
    _bodies[key] = body
    if len(_bodies) > _BODIES_MAX:
        _bodies.popitem(last=False)


def _privacy(feed: FeedRequest) -> ical.Privacy:
    return "minimal" if feed.privacy == "minimal" else "standard"


def _domain(settings: Settings) -> str:
    return urlsplit(settings.public_url).hostname or "legal-tracker.invalid"


def feed_info(feed: FeedRequest, domain: str) -> ical.FeedInfo:
    return ical.FeedInfo(calendar_uid=f"calendar-{feed.id}@{domain}", name=feed.name,
                         domain=domain, privacy=_privacy(feed))


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
    return assemble_calendar(feed, rows, domain)[0]


_ROW_FIELDS = ("id", "version", "updated_at", "starts_at", "duration_minutes", "kind", "status",
               "courtroom", "survivor_testifies", "family_attends", "what_to_bring",
               "case_reference", "court_name", "court_address", "court_timezone",
               "court_updated_at", "adjourned_to_starts_at", "adjourned_from_starts_at", "staff")
_row_values = itemgetter(*_ROW_FIELDS)
_encoder = msgspec.msgpack.Encoder()


def event_digest(row: dict[str, Any], renderer: str, info: ical.FeedInfo) -> str:
    """Every value a hearing's event is made from, and the renderer: a stored event whose
    digest still matches is byte for byte what rendering it now would give."""
    values = _row_values(row)
    return hashlib.blake2b(_encoder.encode((renderer, info.domain, info.privacy, values)),
                           digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class FreshEvent:
    hearing_id: int
    hearing_version: int
    renderer: str
    digest: str
    body: bytes


def assemble_calendar(feed: FeedRequest, rows: dict[str, Any], domain: str,
                      ) -> tuple[bytes, list[FreshEvent]]:
    """The feed, reusing each hearing's stored event (``stored_body``) when its digest still
    matches and rendering the others, which are returned for ``store_events``."""
    info = feed_info(feed, domain)
    renderer = ical.environment_marker()
    events = []
    fresh = []
    for row in rows["hearings"]:
        digest = event_digest(row, renderer, info)
        stored = row.get("stored_body")
        if stored is not None and row.get("stored_digest") == digest:
            body = stored.encode() if isinstance(stored, str) else bytes(stored)
        else:
            body = ical.hearing_event(feed_hearing(row), info)
            fresh.append(FreshEvent(row["id"], row["version"], renderer, digest, body))
        starts = row["starts_at"].astimezone(UTC).replace(microsecond=0)
        events.append((starts, row["id"], starts + timedelta(minutes=row["duration_minutes"]),
                       row["court_timezone"], body))
    events.sort(key=lambda e: (e[0], e[1]))
    deadlines = sorted((feed_deadline(r) for r in rows["deadlines"]),
                       key=lambda d: (d.due_date, d.key))
    body = ical.assemble_feed(info, [(s, e, tz, b) for s, _, e, tz, b in events], deadlines)
    return body, fresh


async def store_events(privacy: str, fresh: list[FreshEvent]) -> None:
    """Keeps freshly rendered events for the next cold build (after a restart, in another
    process). Only a cache: when it cannot be written the feed is served all the same."""
    now = datetime.now(UTC)
    sql = ("INSERT INTO feed_event (hearing, privacy, hearing_version, renderer, digest, body, "
           "updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (hearing, privacy) DO "
           "UPDATE SET hearing_version = excluded.hearing_version, renderer = excluded.renderer, "
           "digest = excluded.digest, body = excluded.body, updated_at = excluded.updated_at")
    try:
        async with db.transaction():
            for event in fresh:
                await FeedEvent.raw(sql, event.hearing_id, privacy, event.hearing_version,
                                    event.renderer, event.digest, event.body.decode(), now)
    except (sqlite3.Error, asyncpg.PostgresError) as error:  # a lost race, a busy database
        log.warning("could not keep rendered calendar events: %s", type(error).__name__)


def fingerprint(feed: FeedRequest, state: tuple[Any, ...], domain: str) -> str:
    """A strong ETag from the aggregate state: it changes whenever a row the feed shows
    changes, and with the feed's layout, icalendar and the tz database."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{ical.environment_marker()}|{feed.id}|{feed.name}|{feed.privacy}|"
                  f"{domain}".encode())
    digest.update(repr(state).encode())
    return '"' + digest.hexdigest() + '"'


async def _content_modified_at(feed: FeedRequest, etag: str, now: datetime) -> datetime:
    """When this content (this ETag) was first served, kept on the subscription so every
    process and every restart gives the same answer.

    The newest ``updated_at`` alone is not enough: an event *leaving* a feed (a caseworker
    unassigned) changes the content without raising the newest stamp of what remains, and
    If-Modified-Since would then answer a wrong 304."""
    if feed.feed_etag == etag and feed.feed_modified_at is not None:
        return feed.feed_modified_at
    try:
        async with db.transaction():
            await CalendarSubscription.update({
                CalendarSubscription.feed_etag: etag.strip('"'),
                CalendarSubscription.feed_modified_at: now,
            }).where(CalendarSubscription.id == feed.id)
    except (sqlite3.Error, asyncpg.PostgresError) as error:
        log.warning("could not record a calendar's new content: %s", type(error).__name__)
    return now


def last_modified_header(modified: datetime, now: datetime) -> datetime:
    """HTTP dates have whole seconds, and Last-Modified must never be later than Date: the
    second after the change, but never later than the second before now (a server's Date
    header may lag the clock by a fraction of a second). ``not_modified_since`` is the
    matching If-Modified-Since test: a date earlier than the second after the change never
    proves the client has this content, so it costs at most one more full download."""
    return min(_ceil_second(modified), now.replace(microsecond=0) - timedelta(seconds=1))


def not_modified_since(modified: datetime, since: datetime) -> bool:
    """If-Modified-Since: only a date at or after the second following the change proves
    the client has this content (a date within that second may predate it)."""
    return since >= _ceil_second(modified)


def _ceil_second(value: datetime) -> datetime:
    floor = value.replace(microsecond=0)
    return floor if floor == value else floor + timedelta(seconds=1)


async def warm_up() -> None:
    """Builds what every first fetch after a restart would otherwise pay for: the VTIMEZONE
    of every court's zone and the calendar header machinery. Called once at start-up."""
    from legal_tracker.organisation.tables import Court

    zones = sorted({r["timezone"] for r in await Court.select(Court.timezone).distinct()})
    first, last = ical.TIMEZONE_SPAN
    for zone in zones:
        try:
            ical.vtimezone(zone, first, last)
        except (ValueError, KeyError, OSError):  # an unknown zone fails when it is used
            continue
    ical.environment_marker()
    ical.assemble_feed(ical.FeedInfo(calendar_uid="warm-up@invalid", name="", domain="invalid"),
                       [])


# ETags this process worked out, by token digest: the change counter (m0655) they were worked
# out at, what else the ETag covers, and when. While the counter has not moved, no row a feed
# shows has changed; only time can change a feed then (a hearing leaving the 90-day window, a
# deadline's day), so an entry is trusted for STATE_TTL_SECONDS at most.
STATE_TTL_SECONDS = 60.0
_VERIFIED_MAX = 10_000


@dataclass(frozen=True, slots=True)
class _Verified:
    generation: int
    covers: tuple[str, str, str, str]
    etag: str
    at: float


_verified: OrderedDict[str, _Verified] = OrderedDict()


def _known_etag(feed: FeedRequest, covers: tuple[str, str, str, str]) -> str | None:
    known = _verified.get(feed.token_hash or "")
    if known is None or feed.generation is None or known.generation != feed.generation or \
            known.covers != covers or time.monotonic() - known.at > STATE_TTL_SECONDS:
        return None
    return known.etag


async def prepare_feed(feed: FeedRequest, settings: Settings) -> PreparedFeed:
    """The feed's ETag and Last-Modified. When nothing the feed is made from changed since
    this process last worked them out (the counter read with the token, m0655), they are
    known without a query: a 304 costs the token lookup alone. Otherwise one aggregate query
    (``feed_state``); the counter was read before it, so a change committed meanwhile can only
    make the remembered ETag newer than its counter, never older."""
    domain = _domain(settings)
    covers = (domain, feed.name, feed.privacy, ical.environment_marker())
    etag = _known_etag(feed, covers)
    if etag is None:
        etag = fingerprint(feed, await feed_state(feed), domain)
        if feed.token_hash and feed.generation is not None:
            _verified[feed.token_hash] = _Verified(feed.generation, covers, etag, time.monotonic())
            _verified.move_to_end(feed.token_hash)
            if len(_verified) > _VERIFIED_MAX:
                _verified.popitem(last=False)
    now = datetime.now(UTC)
    modified = await _content_modified_at(feed, etag.strip('"'), now)
    return PreparedFeed(feed, domain, etag, modified)
