"""The feed as real calendar clients read it: Thunderbird's ical.js, Evolution's libical,
Python's icalendar, recurring-ical-events, vobject (Radicale's parser) and ics, including a
hearing moved across a daylight-saving change, courts in daylight-saving zones over several
years, the repeated hour of the night clocks go back and a hearing running across the night
they go forward. CI installs node + ical.js (npm ci) and libical-dev; where a tool
is genuinely absent the test says which one and skips."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import ics
import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar

CLIENTS = Path(__file__).resolve().parents[2] / "calendars" / "clients"


@pytest.fixture(scope="module")
def libical_dump(tmp_path_factory) -> Path:
    if shutil.which("cc") is None or shutil.which("pkg-config") is None:
        pytest.skip("no C compiler or pkg-config (apt-get install gcc pkg-config libical-dev)")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libical"], capture_output=True,
                           text=True)
    if flags.returncode != 0:
        pytest.skip("libical is not installed (apt-get install libical-dev)")
    binary = tmp_path_factory.mktemp("libical") / "libical_dump"
    subprocess.run(["cc", "-O1", "-o", str(binary), str(CLIENTS / "libical_dump.c"),
                    *flags.stdout.split()], check=True)
    return binary


@pytest.fixture(scope="module")
def icaljs() -> list[str]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (CLIENTS / "node_modules" / "ical.js").exists():
        pytest.skip("ical.js is not installed (npm ci --prefix calendars/clients)")
    return ["node", str(CLIENTS / "icaljs_dump.cjs")]


async def _feed_with_dst_move(world) -> tuple[bytes, dict[str, datetime]]:
    year = datetime.now(UTC).year + 1
    expected: dict[str, datetime] = {}
    ny = await world.office("New York", "America/New_York", "US")
    ny_court = await world.court("Kings County Criminal Court", "America/New_York", ny["id"])
    ny_case = await world.case(ny["id"], ny_court["id"])
    # 10:00 EST on 1 March, moved to 10:00 EDT on 15 March: the UTC hour must change.
    moved = await world.hearing(ny_case["id"], f"{year}-03-01T10:00:00-05:00")
    response = await world.client.post(f"/api/hearings/{moved['id']}/reschedule",
                                       json={"starts_at": f"{year}-03-15T10:00:00-04:00"},
                                       headers=world.admin)
    assert response.status_code == 200, response.text
    expected[f"hearing-{moved['id']}"] = datetime(year, 3, 15, 14, 0, tzinfo=UTC)
    autumn = await world.hearing(ny_case["id"], f"{year}-11-02T09:30:00-05:00")
    expected[f"hearing-{autumn['id']}"] = datetime(year, 11, 2, 14, 30, tzinfo=UTC)
    body_ny = await _case_feed(world, ny_case["id"])

    nbo = await world.office("Nairobi", "Africa/Nairobi", "KE")
    mnl_court = await world.court("Manila RTC Branch 12", "Asia/Manila", nbo["id"])
    mnl_case = await world.case(nbo["id"], mnl_court["id"])
    manila = await world.hearing(mnl_case["id"], f"{year}-03-10T08:30:00+08:00")
    expected[f"hearing-{manila['id']}"] = datetime(year, 3, 10, 0, 30, tzinfo=UTC)
    body_mnl = await _case_feed(world, mnl_case["id"])
    return body_ny + b"\n" + body_mnl, expected


async def _case_feed(world, case_id: int) -> bytes:
    sub = await world.post("/api/calendar-subscriptions", {"scope": "case", "target_id": case_id})
    response = await world.client.get(sub["url"].split("tracker.example.org", 1)[1])
    assert response.status_code == 200
    return response.content


def _feeds(bodies: bytes) -> list[bytes]:
    parts = bodies.split(b"END:VCALENDAR\r\n\n")
    return [p if p.endswith(b"END:VCALENDAR\r\n") else p + b"END:VCALENDAR\r\n" for p in parts]


def _uid_key(uid: str) -> str:
    return uid.split("@", 1)[0]


async def test_python_icalendar_and_recurring_ical_events(world):
    bodies, expected = await _feed_with_dst_move(world)
    seen: dict[str, datetime] = {}
    for feed in _feeds(bodies):
        calendar = Calendar.from_ical(feed)
        for event in calendar.walk("VEVENT"):
            seen[_uid_key(str(event["UID"]))] = event.decoded("DTSTART").astimezone(UTC)
        year = datetime.now(UTC).year + 1
        window = (date(year, 1, 1), date(year + 1, 1, 1))
        for event in recurring_ical_events.of(calendar).between(*window):
            key = _uid_key(str(event["UID"]))
            assert event.decoded("DTSTART").astimezone(UTC) == expected[key]
    assert seen == expected


async def test_thunderbird_ical_js(world, icaljs):
    bodies, expected = await _feed_with_dst_move(world)
    seen = {}
    for feed in _feeds(bodies):
        result = subprocess.run(icaljs, input=feed, capture_output=True, check=True)
        parsed = json.loads(result.stdout)
        assert parsed["name"].startswith("Hearings ")
        for event in parsed["events"]:
            start = event["start"].replace("Z", "+00:00")
            seen[_uid_key(event["uid"])] = datetime.fromisoformat(start)
            assert event["sequence"] >= 1
    assert seen == expected


async def test_evolution_libical(world, libical_dump):
    bodies, expected = await _feed_with_dst_move(world)
    seen = {}
    for feed in _feeds(bodies):
        result = subprocess.run([str(libical_dump)], input=feed, capture_output=True)
        assert result.returncode == 0, "libical could not resolve a time zone"
        for line in result.stdout.decode().splitlines():
            uid, start, *_ = line.split("\t")
            seen[_uid_key(uid)] = datetime.strptime(start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert seen == expected


# Daylight-saving zones over several years ------------------------------------------------
#
# Each parser reads the feed on its own (only the feed's VTIMEZONE to go by) and answers
# {hearing uid: (start, end) in UTC}. The expected instants are written out by hand.

Parsed = dict[str, tuple[datetime, datetime]]


def _by_icalendar(feed: bytes) -> Parsed:
    return {_uid_key(str(e["UID"])): (e.decoded("DTSTART").astimezone(UTC),
                                      e.decoded("DTEND").astimezone(UTC))
            for e in Calendar.from_ical(feed).walk("VEVENT")}


def _by_recurring_ical_events(feed: bytes) -> Parsed:
    events = recurring_ical_events.of(Calendar.from_ical(feed)).between(
        date(2020, 1, 1), date(2040, 1, 1))
    return {_uid_key(str(e["UID"])): (e.decoded("DTSTART").astimezone(UTC),
                                      e.decoded("DTEND").astimezone(UTC)) for e in events}


def _by_vobject(feed: bytes) -> Parsed:
    calendar = vobject.readOne(feed.decode())
    return {_uid_key(e.uid.value): (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
            for e in calendar.vevent_list}


def _by_ics(feed: bytes) -> Parsed:
    # ics parses with TatSu, which calls colorama.init() on every parse; each call wraps
    # sys.stdout once more, and under pytest's capture a few dozen parses overflow the stack.
    import tatsu.color

    tatsu.color.init = lambda: None
    return {_uid_key(e.uid): (e.begin.datetime.astimezone(UTC), e.end.datetime.astimezone(UTC))
            for e in ics.Calendar(feed.decode()).events}


def _by_icaljs(command: list[str], feed: bytes) -> Parsed:
    result = subprocess.run(command, input=feed, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    out = {}
    for event in json.loads(result.stdout)["events"]:
        out[_uid_key(event["uid"])] = tuple(
            datetime.fromisoformat(event[k].replace("Z", "+00:00")) for k in ("start", "end"))
    return out


def _by_libical(binary: Path, feed: bytes) -> Parsed:
    result = subprocess.run([str(binary)], input=feed, capture_output=True)
    # 4: libical flagged something it could not accept (X-LIC-ERROR), 3: an unresolved TZID.
    assert result.returncode == 0, (result.returncode, result.stderr.decode()[:2000])
    out = {}
    for line in result.stdout.decode().splitlines():
        uid, start, end, *_ = line.split("\t")
        out[_uid_key(uid)] = tuple(datetime.strptime(v, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                                   for v in (start, end))
    return out


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (start as a person types it, minutes, court, expected start and end in UTC)
FIRST_YEAR = [
    ("2027-06-15T10:00:00+01:00", 60, "london", "2027-06-15T09:00", "2027-06-15T10:00"),
    ("2027-07-01T09:00:00-04:00", 60, "new_york", "2027-07-01T13:00", "2027-07-01T14:00"),
]
LATER = [
    # The hearing that, added to the two above, made ical.js put them an hour late.
    ("2028-02-01T09:00:00Z", 60, "london", "2028-02-01T09:00", "2028-02-01T10:00"),
    # The repeated hour in London: the first 01:30 (BST) and the second (GMT) of 31 Oct 2027.
    ("2027-10-31T01:30:00+01:00", 60, "london", "2027-10-31T00:30", "2027-10-31T01:30"),
    ("2027-10-31T01:30:00+00:00", 30, "london", "2027-10-31T01:30", "2027-10-31T02:00"),
    # 180 minutes from 23:30 GMT the night clocks go forward: ends 03:30 BST (02:30Z).
    ("2028-03-25T23:30:00+00:00", 180, "london", "2028-03-25T23:30", "2028-03-26T02:30"),
    # New York: across the spring gap, and both 01:30s of the autumn nights, in later years.
    ("2028-03-12T01:30:00-05:00", 120, "new_york", "2028-03-12T06:30", "2028-03-12T08:30"),
    ("2028-11-05T01:30:00-05:00", 60, "new_york", "2028-11-05T06:30", "2028-11-05T07:30"),
    ("2029-11-04T01:30:00-04:00", 60, "new_york", "2029-11-04T05:30", "2029-11-04T06:30"),
    ("2029-07-10T10:00:00+01:00", 60, "london", "2029-07-10T09:00", "2029-07-10T10:00"),
    ("2029-12-20T14:00:00+00:00", 60, "london", "2029-12-20T14:00", "2029-12-20T15:00"),
]


class _DstWorld:
    def __init__(self, world) -> None:
        self.world = world
        self.expected: Parsed = {}
        self.api_ends: dict[str, str] = {}

    async def setup(self) -> None:
        office = await self.world.office("London", "Europe/London", "GB")
        # Organisation-wide courts: any office's case may sit in them.
        self.courts = {
            "london": await self.world.court("Southwark Crown Court", "Europe/London", None),
            "new_york": await self.world.court("Kings County Criminal Court", "America/New_York",
                                               None),
        }
        self.case = await self.world.case(office["id"], self.courts["london"]["id"])
        sub = await self.world.post("/api/calendar-subscriptions",
                                    {"scope": "case", "target_id": self.case["id"]})
        self.path = sub["url"].split("tracker.example.org", 1)[1]

    async def add(self, rows) -> None:
        for starts_at, minutes, court, start, end in rows:
            hearing = await self.world.hearing(self.case["id"], starts_at,
                                               court_id=self.courts[court]["id"],
                                               duration_minutes=minutes)
            key = f"hearing-{hearing['id']}"
            self.expected[key] = (_utc(start), _utc(end))
            self.api_ends[key] = hearing["ends_at"]

    async def feed(self) -> bytes:
        response = await self.world.client.get(self.path)
        assert response.status_code == 200
        return response.content


@pytest.fixture
async def dst_world(world) -> _DstWorld:
    built = _DstWorld(world)
    await built.setup()
    return built


PYTHON_PARSERS = {"icalendar": _by_icalendar, "recurring-ical-events": _by_recurring_ical_events,
                  "vobject": _by_vobject, "ics": _by_ics}


async def _check_every_parser(dst_world: _DstWorld, icaljs: list[str], libical: Path) -> None:
    feed = await dst_world.feed()
    parsers = {**PYTHON_PARSERS, "ical.js": lambda f: _by_icaljs(icaljs, f),
               "libical": lambda f: _by_libical(libical, f)}
    for name, parse in parsers.items():
        assert parse(feed) == dst_world.expected, name


async def test_dst_zones_over_several_years_read_the_same_in_every_client(
        dst_world, icaljs, libical_dump):
    await dst_world.add(FIRST_YEAR)
    await _check_every_parser(dst_world, icaljs, libical_dump)
    # Later hearings widen the feed to three years; nothing already there may move.
    await dst_world.add(LATER)
    await _check_every_parser(dst_world, icaljs, libical_dump)


async def test_the_api_and_the_feed_agree_on_when_a_hearing_ends(dst_world):
    await dst_world.add(LATER)
    for key, (_, end) in dst_world.expected.items():
        assert datetime.fromisoformat(dst_world.api_ends[key]).astimezone(UTC) == end, key


def test_the_repeated_hour_is_unambiguous_in_the_feed_itself():
    from datetime import timedelta

    from calendars.feed import FeedHearing, FeedInfo, build_feed

    info = FeedInfo(calendar_uid="calendar-1@tracker.example.org", name="x",
                    domain="tracker.example.org")
    first = FeedHearing(
        id=1, version=1, case_reference="CR 1/2027", kind="mention", status="scheduled",
        starts_at=_utc("2027-10-31T00:30"), duration=timedelta(minutes=60), court_name="C",
        court_address="", courtroom=None, court_timezone="Europe/London",
        accompanying_staff=(), survivor_testifies=False, what_to_bring="", adjourned_to=None,
        adjourned_from=None, updated_at=_utc("2027-01-01T00:00"))
    body = build_feed(info, [first])
    # Neither a floating nor a TZID-local 01:30 on that night: it exists twice.
    assert b"DTSTART:20271031T003000Z\r\n" in body
    assert b"DTEND:20271031T013000Z\r\n" in body
