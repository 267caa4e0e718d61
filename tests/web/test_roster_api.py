"""GET /api/roster: the office's court roster and the roster rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import World
from tests.platform.helpers import assert_problem


def _day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


async def _office_with_hearings(world: World) -> dict:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"], name="Amina Lawyer")
    worker_id, worker = await world.user("caseworker", office["id"], name="Grace Caseworker")
    survivor = await world.survivor(office["id"], lawyer, code="SRV-7Q2")
    case = await world.case(office["id"], court["id"], lawyer, reference="CR 991/2026",
                            survivor_ids=[survivor["id"]])
    day = _day(3)
    hearing = await world.hearing(case["id"], f"{day}T09:00:00+03:00", lawyer,
                                  survivor_attends=True, staff_ids=[worker_id],
                                  courtroom="Court 4")
    bare = await world.hearing(case["id"], f"{day}T13:00:00+03:00", lawyer, survivor_attends=True)
    return {"office": office, "court": court, "lawyer": lawyer, "worker": worker, "day": day,
            "hearing": hearing, "bare": bare, "worker_id": worker_id, "lawyer_id": lawyer_id,
            "case": case}


async def test_assigned_lawyer_sees_reference_codes_and_link(world: World) -> None:
    w = await _office_with_hearings(world)
    r = await world.client.get("/api/roster", params={"day": w["day"]}, headers=w["lawyer"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2 and body["office_id"] == w["office"]["id"]
    first, second = body["items"]
    assert first["restricted"] is False and first["case_reference"] == "CR 991/2026"
    assert first["survivor_codes"] == ["SRV-7Q2"] and first["hearing_id"] == w["hearing"]["id"]
    assert first["courtroom"] == "Court 4" and first["starts_at"].endswith("09:00:00+03:00")
    assert [p["name"] for p in first["accompanying_staff"]] == ["Grace Caseworker"]
    assert first["unaccompanied"] is False and second["unaccompanied"] is True


async def test_unassigned_caseworker_sees_only_the_open_fields(world: World) -> None:
    w = await _office_with_hearings(world)
    r = await world.client.get("/api/roster", params={"day": w["day"]}, headers=w["worker"])
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 2
    for item in items:
        assert item["restricted"] is True
        assert item["hearing_id"] is None and item["case_id"] is None
        assert item["case_reference"] is None and item["survivor_codes"] == []
    assert items[0]["mine"] is True and items[0]["court_name"] == "Kibera Law Courts"
    assert "CR 991" not in r.text and "SRV-7Q2" not in r.text
    # ... and the hearings themselves stay out of reach.
    assert (await world.client.get(f"/api/hearings/{w['hearing']['id']}",
                                   headers=w["worker"])).status_code == 404


async def test_week_double_bookings_and_other_offices(world: World) -> None:
    w = await _office_with_hearings(world)
    other = await world.office(name="Manila", timezone="Asia/Manila", country="PH")
    other_court = await world.court(name="Manila RTC", timezone="Asia/Manila", office_id=other["id"])
    other_case = await world.case(other["id"], other_court["id"], reference="PH 1/2026")
    await world.hearing(other_case["id"], f"{w['day']}T09:00:00+08:00")
    # The caseworker also accompanies an overlapping hearing: both are flagged.
    await world.hearing(w["case"]["id"], f"{w['day']}T10:00:00+03:00", w["lawyer"],
                        staff_ids=[w["worker_id"]])
    monday = datetime.fromisoformat(w["day"]).isocalendar()
    week = f"{monday[0]}-W{monday[1]:02d}"
    r = await world.client.get("/api/roster", params={"week": week}, headers=w["lawyer"])
    body = r.json()
    assert r.status_code == 200 and body["total"] == 3, r.text
    assert "PH 1/2026" not in r.text
    flagged = [i for i in body["items"] if i["double_booked_staff"]]
    assert len(flagged) == 2 and all(i["double_booked_staff"] == [w["worker_id"]] for i in flagged)
    assert body["first_day"] <= w["day"] <= body["last_day"]


async def test_bad_questions_are_refused(world: World) -> None:
    w = await _office_with_hearings(world)
    both = await world.client.get("/api/roster", params={"day": w["day"], "week": "2026-W49"},
                                  headers=w["lawyer"])
    assert_problem(both, 400, "day")
    assert_problem(await world.client.get("/api/roster", params={"week": "2026-W60"},
                                          headers=w["lawyer"]), 400, "week")
    assert_problem(await world.client.get("/api/roster", params={"day": w["day"]},
                                          headers=world.admin), 400, "office_id")
    other = await world.office(name="Elsewhere")
    assert_problem(await world.client.get("/api/roster", params={"day": w["day"],
                                                                 "office_id": other["id"]},
                                          headers=w["lawyer"]), 404)
    assert (await world.client.get("/api/roster", params={"day": w["day"]})).status_code == 401
