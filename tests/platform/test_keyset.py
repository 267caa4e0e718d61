"""Keyset paging of GET /api/hearings (``cursor`` beside ``next_offset``), and the hearing's
denormalised office (m0643) kept in step with its case by the database itself (issue 15)."""

from __future__ import annotations

import pytest

from legal_tracker import db
from legal_tracker.cases.tables import Hearing
from tests.platform.helpers import assert_problem
from tests.platform.test_pagination import _many_hearings


async def _walk(world, limit: int, **params) -> tuple[list[int], int]:
    ids, pages, cursor = [], 0, None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        body = (await world.client.get("/api/hearings", params=query, headers=world.admin)).json()
        ids += [h["id"] for h in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        assert (cursor is None) == (body["next_offset"] is None)
        if cursor is None:
            return ids, pages


@pytest.mark.parametrize("limit", [1, 7, 50])
async def test_the_cursor_walks_everything_once_in_order(world, limit):
    _, ids = await _many_hearings(world, 121)  # three hearings share each start time
    walked, pages = await _walk(world, limit)
    assert walked == ids
    assert pages == -(-121 // limit)  # no empty last page


async def test_the_cursor_keeps_the_filters_and_survives_inserts(world):
    case_id, ids = await _many_hearings(world, 30)
    first = (await world.client.get("/api/hearings", params={"limit": 10, "case_id": case_id},
                                    headers=world.admin)).json()
    assert [h["id"] for h in first["items"]] == ids[:10]
    # A hearing added before the cursor's position does not shift the next page (offset would).
    earliest = (await Hearing.select(Hearing.starts_at).where(Hearing.id == ids[0]).first())
    await Hearing.insert(Hearing(case=case_id, court=first["items"][0]["court_id"], kind="mention",
                                 starts_at=earliest["starts_at"], created_at=earliest["starts_at"],
                                 updated_at=earliest["starts_at"]))
    second = (await world.client.get("/api/hearings", params={
        "limit": 10, "case_id": case_id, "cursor": first["next_cursor"]}, headers=world.admin)).json()
    assert [h["id"] for h in second["items"]] == ids[10:20]


async def test_a_bad_cursor_is_a_problem_naming_it(world):
    await _many_hearings(world, 3)
    for bad in ("nonsense", "bm90IGEgY3Vyc29y", "MjAyNi0wMS0wMVQwMDowMDowMHwx"):  # no zone
        response = await world.client.get("/api/hearings", params={"cursor": bad},
                                          headers=world.admin)
        assert_problem(response, 400, "cursor")
    both = await world.client.get("/api/hearings", params={"cursor": "x", "offset": 5},
                                  headers=world.admin)
    assert_problem(both, 400, "cursor")


async def test_the_hearing_office_follows_its_case(world):
    nairobi, mombasa = await world.office("Nairobi"), await world.office("Mombasa")
    court = await world.court(office_id=nairobi["id"])
    case = await world.case(nairobi["id"], court["id"])
    hearing = await world.hearing(case["id"], "2031-03-11T09:30:00+03:00")
    _, mombasa_admin = await world.user("admin", mombasa["id"])
    _, nairobi_admin = await world.user("admin", nairobi["id"])

    async def seen_by(headers) -> list[int]:
        body = (await world.client.get("/api/hearings", headers=headers)).json()
        return [h["id"] for h in body["items"]]

    assert await seen_by(nairobi_admin) == [hearing["id"]] and await seen_by(mombasa_admin) == []
    rows = await db.execute("SELECT office FROM hearing WHERE id = {}", hearing["id"])
    assert rows[0]["office"] == nairobi["id"]
    # The case moves office (only possible in the database today): its hearings follow.
    await db.execute('UPDATE legal_case SET office = {} WHERE id = {}', mombasa["id"], case["id"])
    assert await seen_by(mombasa_admin) == [hearing["id"]] and await seen_by(nairobi_admin) == []
    filtered = (await world.client.get("/api/hearings", params={"office_id": mombasa["id"]},
                                       headers=world.admin)).json()
    assert [h["id"] for h in filtered["items"]] == [hearing["id"]]
    # Nobody can point a hearing at another office than its case's.
    await db.execute("UPDATE hearing SET office = {} WHERE id = {}", nairobi["id"], hearing["id"])
    rows = await db.execute("SELECT office FROM hearing WHERE id = {}", hearing["id"])
    assert rows[0]["office"] == mombasa["id"]
