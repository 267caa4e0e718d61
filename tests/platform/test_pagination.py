"""Paging: at most 200 a page, and ``next_offset`` walks a whole list without gaps or repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from legal_tracker.cases.tables import Case, Hearing
from legal_tracker.organisation.tables import Office
from tests.platform.helpers import all_items, assert_problem


async def _many_hearings(world, n: int) -> tuple[int, list[int]]:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    case = await world.case(office["id"], court["id"])
    now = datetime.now(UTC)
    # Inserted directly (the API path is covered elsewhere); several share a start time so the
    # order must be broken by id for pages to be stable.
    rows = [Hearing(case=case["id"], court=court["id"], kind="mention",
                    starts_at=now + timedelta(days=i // 3), created_at=now, updated_at=now)
            for i in range(n)]
    await Hearing.insert(*rows)
    ids = [r["id"] for r in await Hearing.select(Hearing.id).order_by(Hearing.starts_at).order_by(Hearing.id)]
    return case["id"], ids


@pytest.mark.parametrize("limit", [1, 7, 50, 200])
async def test_next_offset_walks_everything_once(world, limit):
    _, ids = await _many_hearings(world, 251)
    items = await all_items(world.client, "/api/hearings", world.admin, limit=limit)
    assert [h["id"] for h in items] == ids


async def test_page_fields_and_limits(world):
    case_id, ids = await _many_hearings(world, 205)
    c, h = world.client, world.admin
    r = await c.get("/api/hearings", headers=h)
    body = r.json()
    assert body["limit"] == 50 and body["offset"] == 0 and body["next_offset"] == 50
    assert len(body["items"]) == 50
    r = await c.get("/api/hearings", params={"limit": 200, "offset": 200}, headers=h)
    body = r.json()
    assert [x["id"] for x in body["items"]] == ids[200:] and body["next_offset"] is None
    r = await c.get("/api/hearings", params={"limit": 5, "offset": 200}, headers=h)
    assert r.json()["next_offset"] is None  # exactly the last five
    r = await c.get("/api/hearings", params={"offset": 10_000}, headers=h)
    assert r.json()["items"] == [] and r.json()["next_offset"] is None
    for path in ("/api/hearings", "/api/cases", "/api/offices", "/api/courts", "/api/staff",
                 "/api/survivors", f"/api/cases/{case_id}/hearings"):
        assert_problem(await c.get(path, params={"limit": 201}, headers=h), 400, "limit")
        assert_problem(await c.get(path, params={"limit": 0}, headers=h), 400, "limit")
        assert_problem(await c.get(path, params={"offset": -1}, headers=h), 400, "offset")
        assert (await c.get(path, params={"limit": 200}, headers=h)).status_code == 200


async def test_cases_and_offices_walk(world):
    office = await world.office()
    now = datetime.now(UTC)
    await Case.insert(*[Case(office=office["id"], reference=f"R{i}", created_at=now, updated_at=now)
                        for i in range(130)])
    await Office.insert(*[Office(name=f"O{i}", country="KE", timezone="UTC", created_at=now,
                                 updated_at=now) for i in range(60)])
    cases = await all_items(world.client, "/api/cases", world.admin, limit=9)
    assert len(cases) == 130 and len({c["id"] for c in cases}) == 130
    offices = await all_items(world.client, "/api/offices", world.admin, limit=8)
    assert len(offices) == 61 and len({o["id"] for o in offices}) == 61
