"""The feed builder's output as real calendar clients read it, without a database:

* Thunderbird's ical.js (node, pinned by calendars/clients/package-lock.json);
* Evolution's libical (a compiled helper, calendars/clients/libical_dump.c);
* Python's icalendar and recurring-ical-events.

Each must see every hearing at the right instant in UTC, including on and across the
daylight-saving changes of New York and London, while Nairobi and Manila (no DST) never
move. A tool that is genuinely absent skips its test and says how CI installs it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar

from calendars.feed import build_feed, clear_caches
from tests.calendars.feed_samples import (
    DST_CASES,
    INFO,
    MOVED_AFTER,
    MOVED_BEFORE,
    MOVED_UTC,
    deadline,
)

CLIENTS = Path(__file__).resolve().parents[2] / "calendars" / "clients"
EXPECTED = {f"hearing-{h.id}@{INFO.domain}": (start, end) for h, start, end in DST_CASES}
DEADLINE = deadline()
DEADLINE_UID = f"deadline-{DEADLINE.key}@{INFO.domain}"
# A TZID no client knows by itself: times can then only come from the feed's own VTIMEZONE.
PRIVATE_TZID = "Court/Kings-County"


@pytest.fixture(scope="module")
def feed() -> bytes:
    clear_caches()
    return build_feed(INFO, [h for h, _, _ in DST_CASES], [DEADLINE])


@pytest.fixture(scope="module")
def libical_dump(tmp_path_factory) -> Path:
    if shutil.which("cc") is None or shutil.which("pkg-config") is None:
        pytest.skip("no C compiler or pkg-config (apt-get install gcc libc6-dev pkg-config)")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libical"], capture_output=True,
                           text=True)
    if flags.returncode != 0:
        pytest.skip("libical is not installed (apt-get install libical-dev)")
    binary = tmp_path_factory.mktemp("libical") / "libical_dump"
    subprocess.run(["cc", "-O1", "-Wall", "-o", str(binary), str(CLIENTS / "libical_dump.c"),
                    *flags.stdout.split()], check=True)
    return binary


@pytest.fixture(scope="module")
def icaljs() -> list[str]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (apt-get install nodejs npm)")
    if not (CLIENTS / "node_modules" / "ical.js").exists():
        pytest.skip("ical.js is not installed (npm ci --prefix calendars/clients)")
    return ["node", str(CLIENTS / "icaljs_dump.cjs")]


def _icaljs(command: list[str], feed: bytes) -> dict:
    result = subprocess.run(command, input=feed, capture_output=True)
    assert result.returncode == 0, result.stderr.decode() or "ical.js left a TZID unresolved"
    return json.loads(result.stdout)


def _libical(binary: Path, feed: bytes) -> dict[str, list[str]]:
    result = subprocess.run([str(binary)], input=feed, capture_output=True)
    assert result.returncode == 0, (
        f"libical exit {result.returncode} (2 unparsable, 3 unresolved TZID, 4 X-LIC-ERROR)\n"
        + result.stderr.decode())
    rows = [line.split("\t") for line in result.stdout.decode().splitlines()]
    return {row[0]: row[1:] for row in rows}


def _z(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _rename_tzid(feed: bytes) -> bytes:
    return feed.replace(b"America/New_York", PRIVATE_TZID.encode())


# Thunderbird ------------------------------------------------------------------------------


def test_ical_js_reads_every_hearing_at_the_right_instant(icaljs, feed):
    parsed = _icaljs(icaljs, feed)
    assert parsed["name"] == parsed["rfc7986_name"] == INFO.name
    assert parsed["uid"] == INFO.calendar_uid
    assert parsed["refresh_interval"] == parsed["published_ttl"] == "PT1H"
    assert parsed["timezones"] == sorted({h.court_timezone for h, _, _ in DST_CASES})
    events = {e["uid"]: e for e in parsed["events"]}
    seen = {uid: (_iso(e["start"]), _iso(e["end"])) for uid, e in events.items()
            if not e["all_day"]}
    assert seen == EXPECTED
    assert all(e["class"] == "PRIVATE" for e in events.values())
    cancelled = events[f"hearing-402@{INFO.domain}"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["summary"] == "CANCELLED: Mention — CR 402/2026"
    assert events[f"hearing-102@{INFO.domain}"]["tzid"] == "America/New_York"
    # The second 01:30 on 1 November is written in UTC, and ical.js reads it so.
    assert events[f"hearing-105@{INFO.domain}"]["tzid"] is None
    due = events[DEADLINE_UID]
    assert due["all_day"] and (due["start"], due["end"]) == ("2026-03-08", "2026-03-09")


def test_ical_js_needs_nothing_but_the_feeds_own_vtimezone(icaljs, feed):
    parsed = _icaljs(icaljs, _rename_tzid(feed))
    seen = {e["uid"]: (_iso(e["start"]), _iso(e["end"])) for e in parsed["events"]
            if not e["all_day"]}
    assert seen == EXPECTED


def test_ical_js_follows_a_hearing_moved_across_the_dst_change(icaljs):
    before = _icaljs(icaljs, build_feed(INFO, [MOVED_BEFORE]))["events"]
    after = _icaljs(icaljs, build_feed(INFO, [MOVED_AFTER]))["events"]
    assert before[0]["uid"] == after[0]["uid"] == f"hearing-101@{INFO.domain}"
    assert (before[0]["sequence"], after[0]["sequence"]) == (1, 2)
    assert (_iso(before[0]["start"]), _iso(after[0]["start"])) == MOVED_UTC


def test_ical_js_reads_an_empty_feed(icaljs):
    parsed = _icaljs(icaljs, build_feed(INFO, [], []))
    assert parsed["events"] == [] and parsed["name"] == INFO.name


# Evolution --------------------------------------------------------------------------------


def test_libical_reads_every_hearing_at_the_right_instant(libical_dump, feed):
    rows = _libical(libical_dump, feed)
    seen = {uid: (_z(row[0]), _z(row[1])) for uid, row in rows.items() if uid != DEADLINE_UID}
    assert seen == EXPECTED
    assert rows[f"hearing-402@{INFO.domain}"][3] == "CANCELLED"
    assert rows[f"hearing-402@{INFO.domain}"][4].startswith("CANCELLED: ")
    assert rows[f"hearing-102@{INFO.domain}"][2:4] == ["1", "CONFIRMED"]
    assert rows[DEADLINE_UID][:2] == ["20260308", "20260309"]


def test_libical_needs_nothing_but_the_feeds_own_vtimezone(libical_dump, feed):
    rows = _libical(libical_dump, _rename_tzid(feed))
    seen = {uid: (_z(row[0]), _z(row[1])) for uid, row in rows.items() if uid != DEADLINE_UID}
    assert seen == EXPECTED


def test_libical_follows_a_hearing_moved_across_the_dst_change(libical_dump):
    before = _libical(libical_dump, build_feed(INFO, [MOVED_BEFORE]))
    after = _libical(libical_dump, build_feed(INFO, [MOVED_AFTER]))
    uid = f"hearing-101@{INFO.domain}"
    assert list(before) == list(after) == [uid]
    assert (before[uid][2], after[uid][2]) == ("1", "2")
    assert (_z(before[uid][0]), _z(after[uid][0])) == MOVED_UTC


def test_libical_reads_an_empty_feed(libical_dump):
    assert _libical(libical_dump, build_feed(INFO, [], [])) == {}


# Python -----------------------------------------------------------------------------------


def test_icalendar_reads_every_hearing_at_the_right_instant(feed):
    calendar = Calendar.from_ical(feed)
    seen = {}
    for event in calendar.events:
        if isinstance(event.start, datetime):
            seen[str(event.uid)] = (event.start.astimezone(UTC), event.end.astimezone(UTC))
        else:
            assert (event.start, event.end) == (date(2026, 3, 8), date(2026, 3, 9))
    assert seen == EXPECTED


def test_icalendar_needs_nothing_but_the_feeds_own_vtimezone(feed):
    calendar = Calendar.from_ical(_rename_tzid(feed))
    seen = {str(e.uid): (e.start.astimezone(UTC), e.end.astimezone(UTC))
            for e in calendar.events if isinstance(e.start, datetime)}
    assert seen == EXPECTED


def test_recurring_ical_events_places_every_hearing_and_deadline(feed):
    calendar = Calendar.from_ical(feed)
    occurrences = recurring_ical_events.of(calendar).between(date(2026, 1, 1), date(2027, 1, 1))
    seen = {}
    for event in occurrences:
        start = event.decoded("DTSTART")
        if isinstance(start, datetime):
            seen[str(event["UID"])] = (start.astimezone(UTC),
                                       event.decoded("DTEND").astimezone(UTC))
        else:
            assert str(event["UID"]) == DEADLINE_UID and start == date(2026, 3, 8)
    assert seen == EXPECTED
    # What a day view of 8 March in New York shows: the hearings on that local day only.
    day = recurring_ical_events.of(calendar).at(date(2026, 3, 8))
    assert f"hearing-102@{INFO.domain}" in {str(e["UID"]) for e in day}


def test_recurring_ical_events_follows_the_moved_hearing():
    for version, expected in ((MOVED_BEFORE, MOVED_UTC[0]), (MOVED_AFTER, MOVED_UTC[1])):
        calendar = Calendar.from_ical(build_feed(INFO, [version]))
        [event] = recurring_ical_events.of(calendar).between(date(2026, 3, 1), date(2026, 4, 1))
        assert event.decoded("DTSTART").astimezone(UTC) == expected
        assert int(event["SEQUENCE"]) == version.version
