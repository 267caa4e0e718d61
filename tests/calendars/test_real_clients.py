"""The feed as real calendar clients read it: Thunderbird's ical.js, Evolution's libical,
Python's icalendar and recurring-ical-events, including a hearing moved across a
daylight-saving change. CI installs node + ical.js (npm ci) and libical-dev; where a tool
is genuinely absent the test says which one and skips."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import recurring_ical_events
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
