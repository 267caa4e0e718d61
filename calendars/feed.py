"""The court calendar feed as bytes: pure, deterministic, fast, and independent of the database.

The caller (``calendars.render`` today, any service tomorrow) decides *which* hearings and
deadlines a subscription shows and hands them over as the frozen dataclasses below. This
module only decides *how* they look in an RFC 5545 / RFC 7986 feed:

* One VEVENT per hearing. Its UID comes from the hearing's id alone, so a reschedule,
  adjournment or cancellation updates the same event in every client; SEQUENCE is the
  hearing's version. DTSTAMP and LAST-MODIFIED are the hearing's ``updated_at``: RFC 5545
  lets a published feed use the time the information was last revised, and a DTSTAMP of
  "now" would make every response different and every ETag useless.
* Times are in the court's zone (never floating, never only UTC) with one VTIMEZONE per TZID,
  generated from zoneinfo, one observance per change, over a fixed span of years (widened
  when an event falls outside it), so clients get daylight-saving right without trusting
  their own tz database for our TZID. A time in the hour that happens twice when clocks go
  back is written in UTC: it is the one form every parser reads as the same instant.
* Deadlines are all-day events with their own stable UIDs.
* Privacy: the input types simply have no field for a survivor's name or the offence. A
  SUMMARY is the kind of hearing and the case reference; CLASS is PRIVATE.
* Speed: serialised VEVENTs and VTIMEZONEs are cached, so a rebuild after one change
  serialises one event. The ETag is not computed here: ``calendars.render`` derives it from
  the database's state of the feed and :func:`environment_marker`.

The output is a pure function of the inputs (in any order), the domain and privacy level,
the tz database and the icalendar version.
"""

from __future__ import annotations

import importlib.metadata
import zoneinfo
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import icalendar
from icalendar import Calendar, Event, vDuration
from icalendar.enums import CLASS, STATUS, TRANSP

from legal_tracker.domain import HearingKind, HearingStatus

# Bump whenever the layout of an event or the header changes, so every ETag changes with it.
FORMAT_VERSION = "5"
PRODID = "-//Court accompaniment tracker//Court calendar 1.0//EN"
# Clients that honour it (Apple, Thunderbird, Outlook) re-fetch hourly; Google ignores it.
REFRESH = timedelta(hours=1)

Privacy = Literal["standard", "minimal"]

KIND_LABELS: dict[str, str] = {
    "mention": "Mention",
    "plea": "Plea",
    "bail": "Bail hearing",
    "pre_trial": "Pre-trial",
    "testimony": "Testimony",
    "judgment": "Judgment",
    "sentencing": "Sentencing",
    "appeal": "Appeal",
}
_STATUSES = frozenset(get_args(HearingStatus))
_PRIVACY = frozenset(get_args(Privacy))
# strftime's %a/%b follow the process locale; a feed must not change with the server's locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_END = b"END:VCALENDAR\r\n"


@cache
def environment_marker() -> str:
    """The feed layout, icalendar and tz database versions: what, besides the data, the bytes
    depend on. Part of the ETags that ``calendars.render`` computes from database state."""
    tz_version = "unknown"
    # zoneinfo reads the system database first and falls back to the tzdata package.
    for directory in zoneinfo.TZPATH:
        try:
            with open(f"{directory}/tzdata.zi", encoding="ascii") as first_line:
                tz_version = first_line.readline().strip().removeprefix("# version ")
            break
        except OSError:
            continue
    else:
        try:
            tz_version = "tzdata " + importlib.metadata.version("tzdata")
        except importlib.metadata.PackageNotFoundError:
            pass
    return f"{FORMAT_VERSION}|icalendar {icalendar.__version__}|tz {tz_version}"


def _utc(field: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware (a floating time has no meaning here)")
    # One canonical form (UTC, whole seconds, which is all iCalendar can carry) keeps equal
    # instants equal for the caches and the fingerprint.
    return value.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """The subscription as the feed shows it.

    ``calendar_uid`` must stay the same for the life of the subscription (RFC 7986 UID);
    ``domain`` is the right-hand side of every event UID, normally the public host name.
    ``privacy="minimal"`` shows when and where only (kind, case reference, court, time and
    the status of the hearing): not who accompanies, whether the survivor testifies or the
    family attends, nor what to bring.
    """

    calendar_uid: str
    name: str
    domain: str
    privacy: Privacy = "standard"

    def __post_init__(self) -> None:
        if self.privacy not in _PRIVACY:
            raise ValueError(f"privacy must be one of {sorted(_PRIVACY)}, not {self.privacy!r}")
        if not self.domain or "@" in self.domain:
            raise ValueError("domain must be a host name such as tracker.example.org")


@dataclass(frozen=True, slots=True)
class FeedHearing:
    """One hearing as a calendar shows it. There is deliberately no field for a survivor's
    name or the offence: what is not handed to the feed cannot leak through it.

    ``version`` must grow with every change of the hearing (it becomes SEQUENCE);
    ``updated_at`` is the last change of anything shown here (hearing, court, staff names).
    ``adjourned_to`` / ``adjourned_from`` are the start times of the linked hearings.
    """

    id: int
    version: int
    case_reference: str
    kind: HearingKind
    status: HearingStatus
    starts_at: datetime
    duration: timedelta
    court_name: str
    court_address: str
    courtroom: str | None
    court_timezone: str
    accompanying_staff: tuple[str, ...]
    survivor_testifies: bool
    what_to_bring: str
    adjourned_to: datetime | None
    adjourned_from: datetime | None
    updated_at: datetime
    family_attends: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KIND_LABELS:
            raise ValueError(f"unknown hearing kind {self.kind!r}")
        if self.status not in _STATUSES:
            raise ValueError(f"unknown hearing status {self.status!r}")
        if self.duration <= timedelta(0):
            raise ValueError("duration must be positive")
        ZoneInfo(self.court_timezone)  # an unknown zone fails here, not in a client
        # A list would make the dataclass unhashable (and the event cache impossible).
        object.__setattr__(self, "accompanying_staff", tuple(self.accompanying_staff))
        object.__setattr__(self, "duration",
                           timedelta(seconds=int(self.duration.total_seconds())))
        for name in ("starts_at", "updated_at", "adjourned_to", "adjourned_from"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _utc(name, value))

    @property
    def ends_at(self) -> datetime:
        # Added in UTC: adding to a local time would add wall-clock time across a DST change.
        return self.starts_at + self.duration


@dataclass(frozen=True, slots=True)
class FeedDeadline:
    """Something with a due date a lawyer must not miss, shown as an all-day event.
    ``key`` is stable for the deadline's life (e.g. ``"case-12-rfe-3"``)."""

    key: str
    due_date: date
    title: str
    case_reference: str | None
    what_to_do: str
    updated_at: datetime
    version: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.due_date, datetime):
            raise ValueError("due_date must be a date, not a datetime")
        if not self.key or any(c.isspace() or c == "@" for c in self.key):
            raise ValueError("key must be non-empty, without spaces or '@'")
        object.__setattr__(self, "updated_at", _utc("updated_at", self.updated_at))


class _LRU:
    """A small LRU map; the caches below are per process and rebuild themselves when lost."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: bytes) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


# Sized for the biggest office feed several times over (about 0.5 kB per event).
_events = _LRU(100_000)
_timezones = _LRU(512)
_headers = _LRU(1_024)


def clear_caches() -> None:
    """Forget every serialised piece (for tests and cold-start measurements)."""
    _events.clear()
    _timezones.clear()
    _headers.clear()


def _day(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def _day_and_time(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return (f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year},"
            f" {local:%H:%M}")


def hearing_summary(hearing: FeedHearing) -> str:
    """"Mention — CR 112/2026", marked when cancelled, adjourned or held."""
    zone = ZoneInfo(hearing.court_timezone)
    text = f"{KIND_LABELS[hearing.kind]} — {hearing.case_reference}"
    if hearing.status == "adjourned":
        text += (f" (adjourned to {_day(hearing.adjourned_to, zone)})"
                 if hearing.adjourned_to else " (adjourned)")
    elif hearing.adjourned_from is not None:
        text += f" (adjourned from {_day(hearing.adjourned_from, zone)})"
    elif hearing.status == "held":
        text += " (held)"
    if hearing.status == "cancelled":
        text = "CANCELLED: " + text
    return text


def _description(hearing: FeedHearing, privacy: Privacy) -> str:
    zone = ZoneInfo(hearing.court_timezone)
    lines = []
    if privacy == "standard":
        # ``minimal`` shows when and where only: nothing about the people involved.
        staff = ", ".join(hearing.accompanying_staff) or "nobody assigned yet"
        lines.append(f"Accompanying: {staff}")
        lines.append("Survivor testifies: " + ("yes" if hearing.survivor_testifies else "no"))
        if hearing.family_attends:
            lines.append("Family attends: yes")
        if hearing.what_to_bring.strip():
            lines.append(f"Bring: {hearing.what_to_bring.strip()}")
    if hearing.status == "cancelled":
        lines.append("This hearing was cancelled.")
    if hearing.adjourned_to is not None:
        lines.append(f"Adjourned to {_day_and_time(hearing.adjourned_to, zone)} (court time).")
    if hearing.adjourned_from is not None:
        lines.append(
            f"Adjourned from {_day_and_time(hearing.adjourned_from, zone)} (court time).")
    return "\n".join(lines)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    local = value.astimezone(zone)
    if local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset():
        # A wall-clock time that happens twice (01:30 the night the clocks go back). RFC 5545
        # says a TZID time then means the first one, but parsers disagree (several take the
        # second), so a time in the repeated hour, first or second pass, is written in UTC:
        # the one form every client reads as the same instant.
        return value
    return local


def _location(hearing: FeedHearing) -> str:
    parts = (hearing.court_name, hearing.courtroom, hearing.court_address)
    return ", ".join(p.strip() for p in parts if p and p.strip())


def hearing_event(hearing: FeedHearing, info: FeedInfo) -> bytes:
    """One hearing's VEVENT, as ``build_feed`` writes it (cached in this process)."""
    return _hearing_event(hearing, info)


def _hearing_event(hearing: FeedHearing, info: FeedInfo) -> bytes:
    # The whole (hashable) dataclass is the key: a renamed court or member of staff changes
    # the event even when the hearing's own version does not.
    key = (hearing, info.domain, info.privacy)
    cached = _events.get(key)
    if cached is not None:
        return cached
    zone = ZoneInfo(hearing.court_timezone)
    cancelled = hearing.status == "cancelled"
    event = Event.new(
        uid=f"hearing-{hearing.id}@{info.domain}",
        sequence=hearing.version,
        stamp=hearing.updated_at,
        last_modified=hearing.updated_at,
        start=_local(hearing.starts_at, zone),
        end=_local(hearing.ends_at, zone),
        summary=hearing_summary(hearing),
        location=_location(hearing),
        description=_description(hearing, info.privacy),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        # A cancelled hearing must not block the caseworker's day in free/busy views.
        transparency=TRANSP.TRANSPARENT if cancelled else TRANSP.OPAQUE,
        classification=CLASS.PRIVATE,
    )
    body = event.to_ical()
    _events.put(key, body)
    return body


def deadline_summary(deadline: FeedDeadline) -> str:
    text = f"Deadline: {deadline.title}"
    if deadline.case_reference:
        text += f" — {deadline.case_reference}"
    return text


def _deadline_event(deadline: FeedDeadline, info: FeedInfo) -> bytes:
    key = (deadline, info.domain)
    cached = _events.get(key)
    if cached is not None:
        return cached
    event = Event.new(
        uid=f"deadline-{deadline.key}@{info.domain}",
        sequence=deadline.version,
        stamp=deadline.updated_at,
        last_modified=deadline.updated_at,
        start=deadline.due_date,
        # Exclusive end; explicit because some clients show a DTEND-less all-day event as
        # zero-length.
        end=deadline.due_date + timedelta(days=1),
        summary=deadline_summary(deadline),
        description=deadline.what_to_do,
        transparency=TRANSP.TRANSPARENT,
        classification=CLASS.PRIVATE,
    )
    body = event.to_ical()
    _events.put(key, body)
    return body


def _header(info: FeedInfo) -> bytes:
    cached = _headers.get(info)
    if cached is not None:
        return cached
    # Calendar.new writes NAME and X-WR-CALNAME (the latter is what Google and Outlook read).
    calendar = Calendar.new(uid=info.calendar_uid, prodid=PRODID, name=info.name,
                            calscale="GREGORIAN")
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL; Calendar.new(refresh_interval=)
    # leaves it out.
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    body = calendar.to_ical().removesuffix(_END)
    _headers.put(info, body)
    return body


# Every VTIMEZONE covers at least these years, whatever the events: clients that keep a zone
# by its TZID across refreshes (vobject, and so Radicale, does for the life of the process)
# would otherwise go on using a narrower definition from an earlier fetch, and a hearing in a
# later year would be read in the wrong offset.
TIMEZONE_SPAN = (date(2020, 1, 1), date(2040, 1, 1))


def timezone_range(hearings: Sequence[FeedHearing]) -> tuple[date, date] | None:
    """The span every VTIMEZONE of the feed covers: ``TIMEZONE_SPAN``, widened to whole
    calendar years when an event falls outside it. The same span for every feed keeps the
    bytes stable while events come and go, and one cached component per zone."""
    if not hearings:
        return None
    return span_for(min(h.starts_at for h in hearings), max(h.ends_at for h in hearings))


def span_for(first_start: datetime, last_end: datetime) -> tuple[date, date]:
    # A day either side: the local date may differ from the UTC date.
    first = first_start - timedelta(days=1)
    last = last_end + timedelta(days=1)
    return (min(TIMEZONE_SPAN[0], date(first.year, 1, 1)),
            max(TIMEZONE_SPAN[1], date(last.year + 1, 1, 1)))


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _utc_offset(aware: datetime) -> timedelta:
    """An aware datetime's offset (``utcoffset()`` is typed Optional: None only when naive)."""
    offset = aware.utcoffset()
    if offset is None:
        raise ValueError("a timezone-aware datetime is needed")
    return offset


def _observance(start_utc: datetime, before: timedelta, local: datetime) -> bytes:
    kind = "DAYLIGHT" if local.dst() else "STANDARD"
    # RFC 5545 3.6.5: an observance's DTSTART is the local time *before* the change (in
    # TZOFFSETFROM), never floating-ambiguous: 01:00 for London's spring change, not 02:00.
    onset = (start_utc + before).replace(tzinfo=None)
    return (f"BEGIN:{kind}\r\nDTSTART:{onset:%Y%m%dT%H%M%S}\r\n"
            f"TZOFFSETFROM:{_offset(before)}\r\nTZOFFSETTO:{_offset(_utc_offset(local))}\r\n"
            f"TZNAME:{local.tzname()}\r\nEND:{kind}\r\n").encode()


def _changes(zone: ZoneInfo, first: datetime, last: datetime) -> list[datetime]:
    """The instants (UTC) between ``first`` and ``last`` at which the zone's UTC offset
    changes: sampled every few days (no zone changes its offset twice within a week),
    then each change found to the second by bisection."""
    found = []
    previous = first
    previous_offset = previous.astimezone(zone).utcoffset()
    step = timedelta(days=5)
    moment = first + step
    while previous < last:
        moment = min(moment, last)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous_offset:
            low, high = previous, moment
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(zone).utcoffset() == previous_offset:
                    low = middle
                else:
                    high = middle
            found.append(high)
            previous_offset = offset
        previous = moment
        moment = moment + step
    return found


def vtimezone(tzid: str, first: date, last: date) -> bytes:
    """A VTIMEZONE for ``tzid`` valid from ``first`` to ``last``, from zoneinfo, cached.

    Written here rather than by ``icalendar.Timezone.from_tzid`` because that one (7.x)
    gathers a zone's changes into RDATE lists, which ical.js (Thunderbird) misreads: it skips
    the observance's own DTSTART, so a feed spanning several years puts the first year's
    daylight-saving hearings an hour off. It also adds a COMMENT, which RFC 5545 does not
    allow in a VTIMEZONE (libical flags every feed with X-LIC-ERROR), and dates the onset of
    daylight time in the new offset. Here every change is its own observance with a plain
    DTSTART in the offset before it, which every parser reads the same way.
    """
    key = (tzid, first, last)
    cached = _timezones.get(key)
    if cached is None:
        zone = ZoneInfo(tzid)
        start = datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)
        end = datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(UTC)
        initial = start.astimezone(zone)
        parts = [f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n".encode(),
                 _observance(start, _utc_offset(initial), initial)]
        for change in _changes(zone, start, end):
            before = _utc_offset((change - timedelta(seconds=1)).astimezone(zone))
            parts.append(_observance(change, before, change.astimezone(zone)))
        parts.append(b"END:VTIMEZONE\r\n")
        cached = b"".join(parts)
        _timezones.put(key, cached)
    return cached


def _timezones_for(hearings: Sequence[FeedHearing]) -> list[bytes]:
    span = timezone_range(hearings)
    if span is None:
        return []
    return [vtimezone(tzid, *span) for tzid in sorted({h.court_timezone for h in hearings})]


def _ordered(hearings: Iterable[FeedHearing], deadlines: Iterable[FeedDeadline],
             ) -> tuple[list[FeedHearing], list[FeedDeadline]]:
    # The caller's order must not change the bytes (or the ETag): sort canonically.
    hs = sorted(hearings, key=lambda h: (h.starts_at, h.id))
    ds = sorted(deadlines, key=lambda d: (d.due_date, d.key))
    return hs, ds


def _check_unique(hearings: Sequence[FeedHearing], deadlines: Sequence[FeedDeadline]) -> None:
    # Two events with one UID make clients drop one of them at random.
    if len({h.id for h in hearings}) != len(hearings):
        raise ValueError("a hearing appears twice in the feed")
    if len({d.key for d in deadlines}) != len(deadlines):
        raise ValueError("a deadline key appears twice in the feed")


def build_feed(info: FeedInfo, hearings: Iterable[FeedHearing],
               deadlines: Iterable[FeedDeadline] = ()) -> bytes:
    """The whole feed (``text/calendar; charset=utf-8``). Which hearings to include (e.g.
    cancelled ones only for 30 days) is the caller's decision."""
    hs, ds = _ordered(hearings, deadlines)
    _check_unique(hs, ds)
    return assemble_feed(info, [(h.starts_at, h.ends_at, h.court_timezone,
                                 _hearing_event(h, info)) for h in hs], ds)


def assemble_feed(info: FeedInfo, events: Sequence[tuple[datetime, datetime, str, bytes]],
                  deadlines: Sequence[FeedDeadline] = ()) -> bytes:
    """The feed from hearing events already serialised (``hearing_event``, or kept from an
    earlier build), each with its UTC start and end and its court's zone, in order, and the
    deadlines in order: a concatenation plus the VTIMEZONEs."""
    parts = [_header(info)]
    if events:
        span = span_for(min(e[0] for e in events), max(e[1] for e in events))
        parts.extend(vtimezone(tzid, *span) for tzid in sorted({e[2] for e in events}))
    parts.extend(e[3] for e in events)
    parts.extend(_deadline_event(d, info) for d in deadlines)
    parts.append(_END)
    return b"".join(parts)
