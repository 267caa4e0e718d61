"""What the API refuses in what clients send (api/inputs.py, api/errors.py): query values a
lax conversion would misread, bodies that are not JSON or nest too deeply, enum values
outside their set (the problem lists the allowed ones)."""

from __future__ import annotations

import pytest

from tests.platform.helpers import assert_problem

TIME_MESSAGE = "ISO 8601"


@pytest.mark.parametrize(("path", "parameter"), [
    ("/api/hearings?from=0.5", "from"),
    ("/api/hearings?to=1700000000", "to"),
    ("/api/reminders?to=1", "to"),
    ("/api/reminders?from=0", "from"),
    ("/api/audit?until=5", "until"),
    ("/api/audit?since=1.5", "since"),
    ("/api/hearings?from=2030-01-10T09:00:00", "from"),  # no UTC offset
])
async def test_numbers_are_not_read_as_times(world, path, parameter):
    problem = assert_problem(await world.client.get(path, headers=world.admin), 400, parameter)
    assert TIME_MESSAGE in problem["errors"][0]["message"]
    assert problem["errors"][0]["source"] == "query"


async def test_a_number_is_not_a_date(world):
    r = await world.client.get("/api/reports/outcomes?from=20260101", headers=world.admin)
    assert_problem(r, 400, "from")
    r = await world.client.get("/api/hearings?day=1", headers=world.admin)
    assert_problem(r, 400, "day")


@pytest.mark.parametrize("value", ["1", "0", "yes", "on"])
async def test_booleans_are_true_or_false(world, value):
    r = await world.client.get(f"/api/calendar-subscriptions?include_revoked={value}",
                               headers=world.admin)
    problem = assert_problem(r, 400, "include_revoked")
    assert "true or false" in problem["errors"][0]["message"]


@pytest.mark.parametrize("value", ["1e2", "10.0", "+5", "0x10", " 5"])
async def test_whole_numbers_are_digits(world, value):
    r = await world.client.get("/api/cases", params={"limit": value}, headers=world.admin)
    assert_problem(r, 400, "limit")


async def test_well_formed_query_values_still_work(world):
    office = await world.office()
    court = await world.court(office_id=office["id"])
    survivor = await world.survivor(office["id"])
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]])
    hearing = await world.hearing(case["id"], "2030-01-10T09:00:00+03:00")
    c, h = world.client, world.admin
    r = await c.get("/api/hearings", params={"from": "2030-01-10T00:00:00+03:00",
                                             "to": "2030-01-11T00:00:00Z", "limit": "10"}, headers=h)
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()["items"]] == [hearing["id"]]
    r = await c.get("/api/hearings", params={"from": "2030-01-10T10:00:00+03:00"}, headers=h)
    assert r.status_code == 200 and r.json()["items"] == []
    for value in ("true", "false", "True"):
        r = await c.get(f"/api/calendar-subscriptions?include_revoked={value}", headers=h)
        assert r.status_code == 200, r.text
    r = await c.get("/api/audit", params={"until": "2100-01-01T00:00:00Z", "limit": 5}, headers=h)
    assert r.status_code == 200, r.text
    r = await c.get("/api/reports/outcomes", params={"from": "2026-01-01"}, headers=h)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    None,
])
async def test_a_json_endpoint_refuses_other_media_types(world, content_type):
    headers = dict(world.admin)
    if content_type:
        headers["content-type"] = content_type
    body = b'{"name": "Mombasa", "country": "KE", "timezone": "Africa/Nairobi"}'
    r = await world.client.post("/api/offices", content=body, headers=headers)
    problem = assert_problem(r, 415)
    assert "application/json" in problem["detail"]
    offices = (await world.client.get("/api/offices", headers=world.admin)).json()["items"]
    assert offices == []


async def test_json_media_types_are_accepted(world):
    for content_type in ("application/json", "application/json; charset=utf-8",
                         "application/merge-patch+json"):
        r = await world.client.post(
            "/api/offices", headers={**world.admin, "content-type": content_type},
            content=b'{"name": "Mombasa", "country": "KE", "timezone": "Africa/Nairobi"}')
        assert r.status_code == 201, (content_type, r.text)


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/offices", "/api/cases"])
async def test_deeply_nested_bodies_are_400(world, path):
    for body in (b"[" * 1000 + b"]" * 1000,
                 b'{"email": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1000 + b"}"):
        r = await world.client.post(path, content=body,
                                    headers={**world.admin, "content-type": "application/json"})
        problem = assert_problem(r, 400)
        assert "nested too deeply" in problem["detail"]


async def test_deep_login_bodies_do_not_reach_the_rate_limiter(world):
    world.client._transport.app.state["login_limiter"].per_minute = 1  # one a minute
    deep = b"[" * 1000 + b"]" * 1000
    for _ in range(3):
        r = await world.client.post("/api/auth/login", content=deep,
                                    headers={"content-type": "application/json"})
        assert_problem(r, 400)


async def test_enum_errors_list_the_allowed_values(world):
    office = await world.office()
    court = await world.court(office_id=office["id"])
    case = await world.case(office["id"], court["id"])
    hearing = await world.hearing(case["id"], "2030-01-10T09:00:00+03:00")
    c, h = world.client, world.admin
    r = await c.post(f"/api/hearings/{hearing['id']}/adjourn", headers=h,
                     json={"next_starts_at": "2030-02-10T09:00:00+03:00",
                           "reason": "Accused did not come"})
    error = assert_problem(r, 422, "reason")["errors"][0]
    assert error["allowed"] == ["accused_absent", "court_did_not_sit", "defence_application",
                                "interpreter_unavailable", "other", "prosecutor_not_ready",
                                "witness_absent"]
    assert "must be one of accused_absent, court_did_not_sit" in error["message"]
    # A nested field, and a query parameter.
    r = await c.patch(f"/api/cases/{case['id']}", headers=h,
                      json={"survivors": [{"id": 1, "role": "victim"}]})
    error = assert_problem(r, 422)["errors"][0]
    assert error["field"] == "survivors[0].role"
    assert error["allowed"] == ["complainant", "witness"]
    r = await c.get("/api/staff?role=boss", headers=h)
    error = assert_problem(r, 400, "role")["errors"][0]
    assert error["allowed"] == ["admin", "caseworker", "lawyer", "viewer"]
    assert "must be one of admin, caseworker, lawyer, viewer" in error["message"]
