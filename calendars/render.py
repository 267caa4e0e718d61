"""Building the iCalendar feed, fast and stable.

* Every hearing is one VEVENT whose UID is derived from its id alone, so a reschedule,
  adjournment or cancellation updates the same event in every client; SEQUENCE is the
  hearing's version, DTSTAMP and LAST-MODIFIED its last change (a feed whose data did not
  change is byte-for-byte the same, which is what makes the ETag honest).
* Times are in the court's zone with a VTIMEZONE for every TZID, covering the feed's range.
* Privacy: SUMMARY is the kind of hearing and the case reference; never a name, never the
  offence. ``minimal`` feeds leave out who accompanies and what to bring.
* Speed: the ETag is computed from the rows before anything is serialised; each VEVENT's
  bytes and each VTIMEZONE are cached, so a changed hearing re-serialises only itself.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

from calendars.service import feed_state, load_feed_rows, state_last_modified
from calendars.subscriptions import FeedRequest
from legal_tracker.settings import Settings

PRODID = "-//Court accompaniment tracker//Court calendar 1.0//EN"
FORMAT_VERSION = "2"  # bump when the event layout changes, so every ETag changes with it
REFRESH = timedelta(hours=1)

KIND_LABELS = {
    "mention": "Mention", "plea": "Plea", "bail": "Bail hearing", "pre_trial": "Pre-trial",
    "testimony": "Testimony", "judgment": "Judgment", "sentencing": "Sentencing",
    "appeal": "Appeal",
}


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
            _bodies.put(self.etag, cached)
        return cached


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


_events = _LRU(50_000)
_timezones = _LRU(256)
_bodies = _LRU(512)


def _domain(settings: Settings) -> str:
    return urlsplit(settings.public_url).hostname or "legal-tracker.invalid"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _day(value: datetime, zone: str) -> str:
    local = value.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y}"


def _hearing_key(row: dict[str, Any], privacy: str) -> tuple:
    return (
        row["id"], row["version"], row["updated_at"], row["court_updated_at"], row["court_name"],
        row["court_address"], row["court_timezone"], row["case_reference"],
        tuple(row["staff"]), row["adjourned_to_starts_at"], row["adjourned_from_starts_at"],
        privacy,
    )


def _deadline_key(row: dict[str, Any]) -> tuple:
    return (row["key"], row["due_date"], row.get("title"), row.get("case_reference"),
            row.get("what_to_do"), row.get("updated_at"))


def fingerprint(feed: FeedRequest, state: tuple[Any, ...], domain: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT_VERSION}|{feed.id}|{feed.name}|{feed.privacy}|{domain}".encode())
    digest.update(repr(state).encode())
    return '"' + digest.hexdigest() + '"'


def _summary(row: dict[str, Any]) -> str:
    text = f"{KIND_LABELS.get(row['kind'], row['kind'].title())} — {row['case_reference']}"
    zone = row["court_timezone"]
    if row["status"] == "adjourned" and row["adjourned_to_starts_at"]:
        text += f" (adjourned to {_day(row['adjourned_to_starts_at'], zone)})"
    elif row["adjourned_from_starts_at"]:
        text += f" (adjourned from {_day(row['adjourned_from_starts_at'], zone)})"
    if row["status"] == "cancelled":
        text = "CANCELLED: " + text
    elif row["status"] == "held":
        text += " (held)"
    return text


def _description(row: dict[str, Any], privacy: str) -> str:
    lines = []
    if privacy != "minimal":
        names = ", ".join(name for _, name, _ in row["staff"]) or "nobody assigned yet"
        lines.append(f"Accompanying: {names}")
    lines.append("Survivor testifies: " + ("yes" if row["survivor_testifies"] else "no"))
    if row["family_attends"]:
        lines.append("Family attends: yes")
    if privacy != "minimal" and row["what_to_bring"]:
        lines.append(f"Bring: {row['what_to_bring']}")
    if row["status"] == "cancelled":
        lines.append("This hearing was cancelled.")
    elif row["status"] == "adjourned" and row["adjourned_to_starts_at"]:
        lines.append("Adjourned to " + _day(row["adjourned_to_starts_at"], row["court_timezone"]) + ".")
    return "\n".join(lines)


def _hearing_event(row: dict[str, Any], privacy: str, domain: str) -> bytes:
    key = _hearing_key(row, privacy) + (domain,)
    cached = _events.get(key)
    if cached is not None:
        return cached
    zone = ZoneInfo(row["court_timezone"])
    start = row["starts_at"].astimezone(zone)
    place = ", ".join(p for p in (row["court_name"], row["courtroom"], row["court_address"]) if p)
    event = Event.new(
        uid=f"hearing-{row['id']}@{domain}",
        sequence=row["version"],
        stamp=_utc(row["updated_at"]).replace(microsecond=0),
        last_modified=_utc(row["updated_at"]).replace(microsecond=0),
        start=start,
        end=start + timedelta(minutes=row["duration_minutes"]),
        summary=_summary(row),
        location=place,
        description=_description(row, privacy),
        status="CANCELLED" if row["status"] == "cancelled" else "CONFIRMED",
        transparency="TRANSPARENT" if row["status"] == "cancelled" else "OPAQUE",
        classification="PRIVATE",
    )
    body = event.to_ical()
    _events.put(key, body)
    return body


def _deadline_event(row: dict[str, Any], domain: str) -> bytes:
    key = _deadline_key(row) + (domain,)
    cached = _events.get(key)
    if cached is not None:
        return cached
    due: date = row["due_date"]
    stamp = _utc(row.get("updated_at") or datetime(due.year, due.month, due.day, tzinfo=UTC))
    title = f"Deadline: {row['title']}"
    if row.get("case_reference"):
        title += f" — {row['case_reference']}"
    event = Event.new(
        uid=f"deadline-{row['key']}@{domain}",
        stamp=stamp.replace(microsecond=0),
        start=due,
        end=due + timedelta(days=1),
        summary=title,
        description=row.get("what_to_do") or "",
        classification="PRIVATE",
        transparency="TRANSPARENT",
    )
    body = event.to_ical()
    _events.put(key, body)
    return body


def _vtimezone(tzid: str, first: date, last: date) -> bytes:
    # Whole years keep the cache small and the component stable between requests.
    key = (tzid, first.year, last.year)
    cached = _timezones.get(key)
    if cached is None:
        component = Timezone.from_tzid(tzid, first_date=date(first.year, 1, 1),
                                       last_date=date(last.year + 1, 1, 1))
        cached = component.to_ical()
        _timezones.put(key, cached)
    return cached


def _header(feed: FeedRequest, domain: str) -> bytes:
    calendar = Calendar.new(uid=f"calendar-{feed.id}@{domain}", prodid=PRODID, name=feed.name)
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL; icalendar leaves it out.
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    calendar.add("CALSCALE", "GREGORIAN")
    text = calendar.to_ical()
    return text.removesuffix(b"END:VCALENDAR\r\n")


def build_calendar(feed: FeedRequest, rows: dict[str, Any], domain: str) -> bytes:
    parts = [_header(feed, domain)]
    zones: dict[str, tuple[date, date]] = {}
    for row in rows["hearings"]:
        local = row["starts_at"].astimezone(ZoneInfo(row["court_timezone"])).date()
        first, last = zones.get(row["court_timezone"], (local, local))
        zones[row["court_timezone"]] = (min(first, local), max(last, local))
    for tzid in sorted(zones):
        first, last = zones[tzid]
        parts.append(_vtimezone(tzid, first, last))
    parts.extend(_hearing_event(row, feed.privacy, domain) for row in rows["hearings"])
    parts.extend(_deadline_event(row, domain) for row in rows["deadlines"])
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


async def prepare_feed(feed: FeedRequest, settings: Settings) -> PreparedFeed:
    state = await feed_state(feed)
    domain = _domain(settings)
    return PreparedFeed(feed, domain, fingerprint(feed, state, domain),
                        state_last_modified(state, datetime(2020, 1, 1, tzinfo=UTC)))
