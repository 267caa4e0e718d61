"""The 304 path (issue 14 item 14): an unchanged feed is answered from the token lookup alone
(one query, which also reads the change counter of m0655), and every kind of change a feed
shows still reaches it at once."""

from __future__ import annotations

from typing import Any

import pytest

import calendars.render as render
from legal_tracker import db
from legal_tracker.migrations.m0655_feed_generation import FEED_TABLES
from tests.calendars.test_feed_http import _fetch, _future, _setup, _subscribe


class _Counted:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[str] = []
        self.states = 0
        fast_read, feed_state = db.fast_read, render.feed_state

        async def counting_read(sql: str, *args: Any) -> Any:
            self.reads.append(sql)
            return await fast_read(sql, *args)

        async def counting_state(*args: Any, **kwargs: Any) -> Any:
            self.states += 1
            return await feed_state(*args, **kwargs)

        monkeypatch.setattr(db, "fast_read", counting_read)
        monkeypatch.setattr(render, "feed_state", counting_state)

    def reset(self) -> None:
        self.reads.clear()
        self.states = 0


async def test_an_unchanged_feed_is_answered_from_the_token_lookup(world, monkeypatch):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(4), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    counted = _Counted(monkeypatch)
    first = await _fetch(world, sub["url"])
    assert first.status_code == 200 and counted.states == 1
    etag = first.headers["etag"]

    for _ in range(2):
        counted.reset()
        again = await _fetch(world, sub["url"], **{"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["etag"] == etag
        # One read: the token, its owner and the change counter. No state query, no rows.
        assert counted.states == 0 and len(counted.reads) == 1, counted.reads
        assert "feed_generation" in counted.reads[0]

    # A change the feed shows: the next request works the state out again and sees it.
    moved = await world.client.post(f"/api/hearings/{hearing['id']}/reschedule", headers=world.admin,
                                    json={"starts_at": _future(5), "reason": "court diary"})
    assert moved.status_code == 200, moved.text
    counted.reset()
    after = await _fetch(world, sub["url"], **{"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag and counted.states == 1
    # An unrelated write elsewhere (a hearing nobody in this feed accompanies) moves the
    # counter: the state is worked out once more, and it is still the same content (304).
    await world.hearing(case["id"], _future(9))
    counted.reset()
    same = await _fetch(world, sub["url"], **{"If-None-Match": after.headers["etag"]})
    assert same.status_code == 304 and counted.states == 1
    # Time alone can change a feed (a hearing leaving the 90-day window, a deadline's day):
    # a remembered ETag is trusted for a minute at most.
    monkeypatch.setattr(render, "STATE_TTL_SECONDS", -1.0)
    counted.reset()
    assert (await _fetch(world, sub["url"], **{"If-None-Match": after.headers["etag"]})).status_code == 304
    assert counted.states == 1


async def _generation() -> int:
    return int((await db.fast_read("SELECT n FROM feed_generation WHERE id = 1"))[0]["n"])


async def test_every_table_a_feed_is_made_from_moves_the_counter(world):
    """Insert, update and delete on each table of m0655's list, on both engines (on
    PostgreSQL the count moves at commit, once per transaction)."""
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(4), staff_ids=[worker_id])
    sub = await _subscribe(world, world.admin, "case", case["id"])
    before = await _generation()
    await _fetch(world, sub["url"])  # reading moves nothing (the feed's ETag is kept elsewhere)
    assert await _generation() == before
    for table in FEED_TABLES:
        start = await _generation()
        rows = await db.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 1")  # noqa: S608
        if rows:
            await db.execute(f"UPDATE {table} SET id = id WHERE id = {{}}", rows[0]["id"])  # noqa: S608
            assert await _generation() > start, f"UPDATE on {table} did not move the counter"
    # Deleting and inserting: an accompaniment taken away and given back.
    for sql in ("DELETE FROM hearing_staff WHERE hearing = {}",
                "INSERT INTO hearing_staff (hearing, staff) VALUES ({}, " + str(worker_id) + ")"):
        start = await _generation()
        await db.execute(sql, hearing["id"])
        assert await _generation() > start, sql
    async with db.transaction():
        start = await _generation()
        for _ in range(3):
            await db.execute("UPDATE court SET name = name WHERE id = {}", court["id"])
    assert await _generation() > start
