"""Hearings and deadlines for the feed-builder tests: courts on both sides of daylight saving
(New York, London) and without it (Nairobi, Manila), with the UTC times a client must show
written out by hand rather than computed with the code under test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from calendars.feed import FeedDeadline, FeedHearing, FeedInfo

DOMAIN = "tracker.example.org"
INFO = FeedInfo(calendar_uid=f"calendar-7@{DOMAIN}", name="My court accompaniments",
                domain=DOMAIN)
UPDATED = datetime(2026, 2, 1, 8, 30, tzinfo=UTC)

COURTS = {
    "America/New_York": ("Kings County Criminal Court", "320 Jay St, Brooklyn, NY 11201"),
    "Europe/London": ("Southwark Crown Court", "1 English Grounds, London SE1 2HU"),
    "Africa/Nairobi": ("Kibera Law Courts", "Kibera Drive, Nairobi"),
    "Asia/Manila": ("Manila RTC Branch 12", "Padre Faura St, Ermita, Manila"),
}


def hearing(id: int, local: str, zone: str, *, minutes: int = 60, **changes) -> FeedHearing:
    """A hearing at ``local`` wall-clock time (ISO, no offset) in the court's ``zone``."""
    start = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))
    name, address = COURTS[zone]
    values = dict(
        id=id, version=1, case_reference=f"CR {id}/2026", kind="mention", status="scheduled",
        starts_at=start, duration=timedelta(minutes=minutes), court_name=name,
        court_address=address, courtroom="Courtroom 3", court_timezone=zone,
        accompanying_staff=("Grace Achieng", "Ana Cruz"), survivor_testifies=False,
        what_to_bring="Summons and ID", adjourned_to=None, adjourned_from=None,
        updated_at=UPDATED,
    )
    values.update(changes)
    return FeedHearing(**values)


def deadline(key: str = "case-12-rfe-1", due: date = date(2026, 3, 8), **changes) -> FeedDeadline:
    values = dict(key=key, due_date=due, title="Answer the request for evidence",
                  case_reference="CR 12/2026", what_to_do="Send the signed declaration",
                  updated_at=UPDATED)
    values.update(changes)
    return FeedDeadline(**values)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (hearing, expected start in UTC, expected end in UTC)
DST_CASES: list[tuple[FeedHearing, datetime, datetime]] = [
    # New York: clocks go forward at 02:00 on 8 March 2026 and back at 02:00 on 1 November.
    (hearing(102, "2026-03-08T10:00", "America/New_York"),
     utc("2026-03-08T14:00"), utc("2026-03-08T15:00")),
    (hearing(103, "2026-11-01T09:00", "America/New_York"),
     utc("2026-11-01T14:00"), utc("2026-11-01T15:00")),
    (hearing(104, "2026-10-30T09:00", "America/New_York"),
     utc("2026-10-30T13:00"), utc("2026-10-30T14:00")),
    # Starts in EST, ends in EDT: two hours of real time, 01:30 to 04:30 on the wall clock.
    (hearing(106, "2026-03-08T01:30", "America/New_York", minutes=120),
     utc("2026-03-08T06:30"), utc("2026-03-08T08:30")),
    # Just after the gap: 03:30 EDT.
    (hearing(107, "2026-03-08T03:30", "America/New_York"),
     utc("2026-03-08T07:30"), utc("2026-03-08T08:30")),
    # The second 01:30 of 1 November (EST, fold=1): only a UTC DTSTART can say so.
    (replace(hearing(105, "2026-11-01T01:30", "America/New_York", minutes=30),
             starts_at=utc("2026-11-01T06:30")),
     utc("2026-11-01T06:30"), utc("2026-11-01T07:00")),
    # London: forward on 29 March 2026, back on 25 October.
    (hearing(201, "2026-03-30T10:00", "Europe/London"),
     utc("2026-03-30T09:00"), utc("2026-03-30T10:00")),
    (hearing(202, "2026-10-26T10:00", "Europe/London"),
     utc("2026-10-26T10:00"), utc("2026-10-26T11:00")),
    (hearing(203, "2026-03-27T10:00", "Europe/London"),
     utc("2026-03-27T10:00"), utc("2026-03-27T11:00")),
    # Nairobi (UTC+3) and Manila (UTC+8) never change, including on New York's change days.
    (hearing(301, "2026-03-08T09:00", "Africa/Nairobi"),
     utc("2026-03-08T06:00"), utc("2026-03-08T07:00")),
    (hearing(302, "2026-11-01T09:00", "Africa/Nairobi"),
     utc("2026-11-01T06:00"), utc("2026-11-01T07:00")),
    (hearing(401, "2026-03-08T08:30", "Asia/Manila"),
     utc("2026-03-08T00:30"), utc("2026-03-08T01:30")),
    (hearing(402, "2026-11-01T08:30", "Asia/Manila", status="cancelled"),
     utc("2026-11-01T00:30"), utc("2026-11-01T01:30")),
]

# One hearing moved across New York's spring change: 10:00 on the wall clock both times,
# 15:00Z before and 14:00Z after.
MOVED_BEFORE = hearing(101, "2026-03-05T10:00", "America/New_York")
MOVED_AFTER = replace(MOVED_BEFORE, version=2,
                      starts_at=datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("America/New_York")),
                      updated_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
MOVED_UTC = (utc("2026-03-05T15:00"), utc("2026-03-09T14:00"))
