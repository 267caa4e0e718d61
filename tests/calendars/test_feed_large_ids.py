"""Feeds of an installation with more than 46,340 hearings (found by ``bench/bench_national.py``
at full scale, where the 500-event feed answered 400): the feed's state summed ``id * id``,
which on PostgreSQL is a 32-bit product and fails with "integer out of range" as soon as one
hearing in the feed has an id past 46,340 (46,341² > 2³¹ − 1). Every poll of every feed
showing such a hearing failed, whatever its scope. Run on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from legal_tracker import db
from tests.calendars.test_feed_http import _fetch, _future, _setup, _subscribe

LAST_SAFE = 46_340  # the largest id whose square fits a 32-bit integer


async def _next_hearing_id(engine_name: str, next_id: int) -> None:
    """Makes the next hearing inserted get ``next_id``, as after that many hearings."""
    if engine_name == "postgres":
        await db.execute("SELECT setval(pg_get_serial_sequence('hearing', 'id'), {}, false)",
                         next_id)
    else:
        await db.execute("DELETE FROM sqlite_sequence WHERE name = 'hearing'")
        await db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('hearing', {})",
                         next_id - 1)


def _hearing_uids(body: bytes) -> set[str]:
    return {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(body).walk("VEVENT")
            if str(e["UID"]).startswith("hearing-")}


async def test_feeds_with_hearing_ids_past_46340(world, engine_name):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    await _next_hearing_id(engine_name, LAST_SAFE)
    safe = await world.hearing(case["id"], _future(3), staff_ids=[worker_id])
    assert safe["id"] == LAST_SAFE
    feeds = [await _subscribe(world, worker, "staff", worker_id),
             await _subscribe(world, worker, "case", case["id"]),
             await _subscribe(world, world.admin, "office", office["id"])]
    for sub in feeds:
        response = await _fetch(world, sub["url"])
        assert response.status_code == 200, response.text
        assert _hearing_uids(response.content) == {f"hearing-{LAST_SAFE}"}

    past = await world.hearing(case["id"], _future(4), staff_ids=[worker_id])
    await _next_hearing_id(engine_name, 1_000_000)  # a national network's numbers
    far = await world.hearing(case["id"], _future(5), staff_ids=[worker_id])
    assert (past["id"], far["id"]) == (LAST_SAFE + 1, 1_000_000)
    expected = {f"hearing-{i}" for i in (LAST_SAFE, LAST_SAFE + 1, 1_000_000)}
    etags = {}
    for sub in feeds:
        # Was: 400 "a value in the request cannot be stored" on PostgreSQL, on every poll.
        response = await _fetch(world, sub["url"])
        assert response.status_code == 200, (sub["scope"], response.text)
        assert _hearing_uids(response.content) == expected, sub["scope"]
        etags[sub["scope"]] = response.headers["etag"]
        assert (await _fetch(world, sub["url"], **{"If-None-Match": etags[sub["scope"]]})
                ).status_code == 304

    # The state still sees a change to one of them (a new ETag, the new time in the event).
    moved = await world.client.post(f"/api/hearings/{far['id']}/reschedule", headers=world.admin,
                                    json={"starts_at": _future(6), "reason": "court diary"})
    assert moved.status_code == 200, moved.text
    for sub in feeds:
        response = await _fetch(world, sub["url"], **{"If-None-Match": etags[sub["scope"]]})
        assert response.status_code == 200, (sub["scope"], response.text)
        event = next(e for e in Calendar.from_ical(response.content).walk("VEVENT")
                     if str(e["UID"]).startswith("hearing-1000000@"))
        start = event.decoded("DTSTART").astimezone(UTC)
        assert start.date() == datetime.fromisoformat(_future(6)).astimezone(UTC).date()
