"""GET /api/cases: search (q), filters, totals, and unknown parameters refused."""

from __future__ import annotations

from tests.conftest import World
from tests.platform.helpers import assert_problem


async def test_search_finds_what_people_type(world: World) -> None:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    other_court = await world.court(name="Milimani Law Courts", office_id=office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"])
    survivor = await world.survivor(office["id"], lawyer, code="KX-4471")
    a = await world.case(office["id"], court["id"], lawyer, reference="CR 120/2026",
                         court_case_number="MCCR/E481/2026", survivor_ids=[survivor["id"]],
                         accused=[{"name": "Joseph Mwangi Kamau", "status": "remanded"}])
    b = await world.case(office["id"], other_court["id"], lawyer, reference="CR 121/2026",
                         status="trial")
    # A case the lawyer is not on: never found by them, whatever they type.
    hidden = await world.case(office["id"], court["id"], reference="CR 120/2099")

    async def ids(headers: dict[str, str] = lawyer, **params: object) -> tuple[list[int], int]:
        r = await world.client.get("/api/cases", params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        return [c["id"] for c in body["items"]], body["total"]

    assert await ids(q="cr 120") == ([a["id"]], 1)           # part of the reference, any case
    assert await ids(q="e481") == ([a["id"]], 1)             # part of the court case number
    assert await ids(q="kx-44") == ([a["id"]], 1)            # survivor code prefix
    assert await ids(q="4471") == ([], 0)                    # ... a prefix, not any part
    assert await ids(q="mwangi") == ([a["id"]], 1)           # part of an accused's name
    assert await ids(q="12") == ([b["id"], a["id"]], 2)
    assert await ids(q="%") == ([], 0) and await ids(q="_") == ([], 0)  # literal, not wildcards
    assert await ids(status="trial") == ([b["id"]], 1)
    assert await ids(court_id=other_court["id"]) == ([b["id"]], 1)
    assert await ids(staff_id=lawyer_id, limit=1) == ([b["id"]], 2)  # a page of one, total two
    assert (await ids(world.admin, q="120"))[1] == 2
    assert hidden["id"] in (await ids(world.admin, q="2099"))[0]


async def test_unknown_query_parameters_are_refused(world: World) -> None:
    r = await world.client.get("/api/cases", params={"refrence": "CR 1"}, headers=world.admin)
    assert_problem(r, 400, "refrence")
    r = await world.client.get("/api/cases", params={"q": "x" * 101}, headers=world.admin)
    assert_problem(r, 400, "q")
