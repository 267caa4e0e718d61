"""Bad input of every kind gets a 4xx problem+json naming the field, and writes nothing.

One table: each row is a request that must be refused, the status, the fields named, and the
list whose length must not change (the check that nothing was written).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.platform.helpers import assert_problem, future

OK_OFFICE = {"name": "Demo Office", "country": "KE", "timezone": "Africa/Nairobi"}
OK_CONTACT = {"name": "Demo Aunt", "relationship": "aunt", "phone": "+254712345678"}


def _office(**changes: Any) -> dict[str, Any]:
    return {**OK_OFFICE, **changes}


def _hearing(**changes: Any) -> dict[str, Any]:
    return {"starts_at": future(5), "kind": "mention", **changes}


# (name, method, path template, body (dict = JSON, bytes = raw), status, fields, list to check)
CASES: list[tuple[str, str, str, Any, int, tuple[str, ...], str | None]] = [
    ("malformed JSON", "POST", "/api/offices", b'{"name": "x",', 400, (), "/api/offices"),
    ("not JSON at all", "POST", "/api/offices", b"name=x", 400, (), "/api/offices"),
    ("non-UTF-8 bytes", "POST", "/api/offices",
     b'{"name": "N\xe9robi", "country": "KE", "timezone": "Africa/Nairobi"}', 400, (), "/api/offices"),
    ("UTF-16 body", "POST", "/api/offices", json.dumps(OK_OFFICE).encode("utf-16"), 400, (),
     "/api/offices"),
    ("lone surrogate", "POST", "/api/offices", b'{"name": "\\ud800", "country": "KE", '
     b'"timezone": "UTC"}', 400, (), "/api/offices"),
    ("array instead of object", "POST", "/api/offices", b"[1, 2]", 422, ("body",), "/api/offices"),
    ("wrong type", "POST", "/api/offices", _office(name=5), 422, ("name",), "/api/offices"),
    ("boolean for string", "POST", "/api/courts", {"name": True, "timezone": "UTC"}, 422, ("name",),
     "/api/courts"),
    ("missing field", "POST", "/api/offices", {"name": "x", "country": "KE"}, 422, ("timezone",),
     "/api/offices"),
    ("unknown field", "POST", "/api/offices", _office(colour="red"), 422, ("colour",), "/api/offices"),
    ("overlong name", "POST", "/api/offices", _office(name="x" * 201), 422, ("name",), "/api/offices"),
    ("empty name", "POST", "/api/offices", _office(name=""), 422, ("name",), "/api/offices"),
    ("NUL character", "POST", "/api/offices", _office(name="a\u0000b"), 422, ("name",),
     "/api/offices"),
    ("invalid IANA zone", "POST", "/api/offices", _office(timezone="Africa/Atlantis"), 422,
     ("timezone",), "/api/offices"),
    ("zone abbreviation", "POST", "/api/courts", {"name": "x", "timezone": "EAT"}, 422, ("timezone",),
     "/api/courts"),
    ("invalid country", "POST", "/api/offices", _office(country="XX"), 422, ("country",),
     "/api/offices"),
    ("lower-case country", "POST", "/api/offices", _office(country="ke"), 422, ("country",),
     "/api/offices"),
    ("office phone not E.164", "POST", "/api/offices", _office(phone="0712345678"), 422, ("phone",),
     "/api/offices"),
    ("several problems at once", "POST", "/api/offices", _office(country="XX", timezone="Nowhere"),
     422, ("country", "timezone"), "/api/offices"),
    ("huge number in body", "POST", "/api/courts",
     {"name": "x", "timezone": "UTC", "office_id": 10**30}, 422, ("office_id",), "/api/courts"),
    ("number beyond float range", "POST", "/api/courts",
     b'{"name": "x", "timezone": "UTC", "office_id": 1e400}', 400, (), "/api/courts"),
    ("unknown office id", "POST", "/api/courts", {"name": "x", "timezone": "UTC", "office_id": 2147483647},
     422, ("office_id",), "/api/courts"),
    ("unknown role", "POST", "/api/staff", {"name": "x", "email": "x@example.org", "role": "owner"},
     422, ("role",), "/api/staff"),
    ("bad email", "POST", "/api/staff", {"name": "x", "email": "not an email", "role": "viewer"},
     422, ("email",), "/api/staff"),
    ("staff phone not E.164", "POST", "/api/staff",
     {"name": "x", "email": "x@example.org", "role": "viewer", "phone": "+1 000"}, 422, ("phone",),
     "/api/staff"),
    ("short password", "POST", "/api/staff",
     {"name": "x", "email": "x@example.org", "role": "viewer", "password": "short"}, 422,
     ("password",), "/api/staff"),
    ("huge birth year", "POST", "/api/survivors", {"office_id": "{office}", "birth_year": 10**40}, 422,
     ("birth_year",), "/api/survivors"),
    ("bad survivor code", "POST", "/api/survivors", {"office_id": "{office}", "code": "no spaces"}, 422,
     ("code",), "/api/survivors"),
    ("bad language", "POST", "/api/survivors", {"office_id": "{office}", "language": "English!"}, 422,
     ("language",), "/api/survivors"),
    ("contact phone not E.164", "POST", "/api/survivors/{survivor}/contacts",
     {**OK_CONTACT, "phone": "+2541"}, 422, ("phone",), "/api/survivors/{survivor}/contacts"),
    ("contact phone national form", "POST", "/api/survivors/{survivor}/contacts",
     {**OK_CONTACT, "phone": "0712 345 678"}, 422, ("phone",), "/api/survivors/{survivor}/contacts"),
    ("contact zone", "POST", "/api/survivors/{survivor}/contacts",
     {**OK_CONTACT, "timezone": "Mars/Olympus"}, 422, ("timezone",),
     "/api/survivors/{survivor}/contacts"),
    ("contact consent not bool", "POST", "/api/survivors/{survivor}/contacts",
     {**OK_CONTACT, "sms_consent": "yes"}, 422, ("sms_consent",), "/api/survivors/{survivor}/contacts"),
    ("unknown case status", "POST", "/api/cases", {"reference": "R1", "office_id": "{office}",
                                                   "status": "finished"}, 422, ("status",), "/api/cases"),
    ("unknown accused status", "POST", "/api/cases",
     {"reference": "R1", "office_id": "{office}", "accused": [{"name": "A", "status": "escaped"}]}, 422,
     ("accused[0].status",), "/api/cases"),
    ("impossible date", "POST", "/api/cases", {"reference": "R1", "office_id": "{office}",
                                               "charged_on": "2026-02-30"}, 422, ("charged_on",),
     "/api/cases"),
    ("huge id in list", "POST", "/api/cases", {"reference": "R1", "office_id": "{office}",
                                               "survivor_ids": [10**12]}, 422, ("survivor_ids[0]",),
     "/api/cases"),
    ("survivor of nobody", "POST", "/api/cases", {"reference": "R1", "office_id": "{office}",
                                                  "survivor_ids": [999999]}, 422, ("survivor_ids",),
     "/api/cases"),
    ("naive starts_at", "POST", "/api/cases/{case}/hearings",
     _hearing(starts_at="2030-01-10T09:00:00"), 422, ("starts_at",), "/api/hearings"),
    ("starts_at year 1", "POST", "/api/cases/{case}/hearings",
     _hearing(starts_at="0001-01-01T00:00:00+03:00"), 422, ("starts_at",), "/api/hearings"),
    ("starts_at at the end of time", "POST", "/api/cases/{case}/hearings",
     _hearing(starts_at="9999-12-31T23:00:00-03:00"), 422, ("starts_at",), "/api/hearings"),
    ("starts_at not a date", "POST", "/api/cases/{case}/hearings", _hearing(starts_at="tomorrow"), 422,
     ("starts_at",), "/api/hearings"),
    ("unknown hearing kind", "POST", "/api/cases/{case}/hearings", _hearing(kind="party"), 422,
     ("kind",), "/api/hearings"),
    ("huge duration", "POST", "/api/cases/{case}/hearings", _hearing(duration_minutes=10**20), 422,
     ("duration_minutes",), "/api/hearings"),
    ("staff of nobody", "POST", "/api/cases/{case}/hearings", _hearing(staff_ids=[999999]), 422,
     ("staff_ids",), "/api/hearings"),
    ("overlong notes", "POST", "/api/cases/{case}/hearings", _hearing(notes="n" * 10_001), 422,
     ("notes",), "/api/hearings"),
    ("PATCH null into required", "PATCH", "/api/offices/{office}", {"name": None}, 422, ("name",), None),
    ("PATCH bad zone", "PATCH", "/api/courts/{court}", {"timezone": "Europe/Nowhere"}, 422,
     ("timezone",), None),
    ("PATCH starts_at", "PATCH", "/api/hearings/{hearing}", {"starts_at": future(9)}, 422,
     ("starts_at",), None),
    ("reschedule naive", "POST", "/api/hearings/{hearing}/reschedule",
     {"starts_at": "2030-01-10T09:00:00"}, 422, ("starts_at",), None),
    ("adjourn unknown reason", "POST", "/api/hearings/{hearing}/adjourn",
     {"next_starts_at": future(20), "reason": "tired"}, 422, ("reason",), None),
    ("huge id in path", "GET", "/api/cases/99999999999999999999", None, 400, ("case_id",), None),
    ("id 0 in path", "GET", "/api/hearings/0", None, 400, ("hearing_id",), None),
    ("huge id in query", "GET", "/api/hearings?court_id=99999999999999999999999", None, 400,
     ("court_id",), None),
    ("huge limit", "GET", "/api/hearings?limit=99999999999999999999999", None, 400, ("limit",), None),
    ("huge offset", "GET", "/api/cases?offset=99999999999999999999999", None, 400, ("offset",), None),
    ("unknown status filter", "GET", "/api/hearings?status=postponed", None, 400, ("status",), None),
    ("naive from", "GET", "/api/hearings?from=2026-01-01T00:00:00", None, 400, ("from",), None),
    ("garbage to", "GET", "/api/hearings?to=soon", None, 400, ("to",), None),
    ("from out of range", "GET", "/api/hearings?from=0001-01-01T00:00:00%2B05:00", None, 400, ("from",),
     None),
    ("NUL in query", "GET", "/api/survivors?code=a%00b", None, 400, ("code",), None),
    ("non-UTF-8 query", "GET", "/api/hearings?court_id=%FF", None, 400, ("court_id",), None),
    ("unknown reveal", "GET", "/api/survivors/{survivor}?reveal=everything", None, 400, ("reveal",),
     None),
]


async def _fixture(world) -> dict[str, int]:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    survivor = await world.survivor(office["id"])
    case = await world.case(office["id"], court["id"])
    hearing = await world.hearing(case["id"], future(3))
    return {"office": office["id"], "court": court["id"], "survivor": survivor["id"],
            "case": case["id"], "hearing": hearing["id"]}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids) if "{" in value and "}" in value and "\\u" not in value else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def _snapshot(world, path: str | None) -> Any:
    if path is None:
        return None
    r = await world.client.get(path, params={"limit": 200}, headers=world.admin)
    assert r.status_code == 200, r.text
    return r.json()["items"]


@pytest.mark.parametrize(("name", "method", "path", "body", "status", "fields", "check"), CASES,
                         ids=[c[0] for c in CASES])
async def test_bad_input_is_refused_and_writes_nothing(world, name, method, path, body, status,
                                                       fields, check):
    ids = await _fixture(world)
    path = _fill(path, ids)
    check = _fill(check, ids)
    before_audit = await _audit_count()
    before = await _snapshot(world, check)
    hearing_before = (await world.client.get(f"/api/hearings/{ids['hearing']}",
                                             headers=world.admin)).json()
    headers = {**world.admin, "content-type": "application/json"}
    if isinstance(body, bytes):
        r = await world.client.request(method, path, content=body, headers=headers)
    elif body is None:
        r = await world.client.request(method, path, headers=world.admin)
    else:
        r = await world.client.request(method, path, content=json.dumps(_fill(body, ids)), headers=headers)
    problem = assert_problem(r, status, *fields)
    assert problem["instance"] == path.split("?")[0]
    assert await _snapshot(world, check) == before
    hearing_after = (await world.client.get(f"/api/hearings/{ids['hearing']}",
                                            headers=world.admin)).json()
    assert hearing_after == hearing_before
    # Refused writes leave no audit event either (reads such as the reveal are not writes).
    assert await _audit_count(writes_only=True) == before_audit


async def _audit_count(writes_only: bool = True) -> int:
    from legal_tracker.audit import AuditEvent

    query = AuditEvent.count()
    if writes_only:
        query = query.where(AuditEvent.action.not_in(["read", "list", "reveal", "login"]))
    return await query


async def test_unknown_ids_are_404(world):
    ids = await _fixture(world)
    c, h = world.client, world.admin
    for path in ("/api/offices/999999", "/api/courts/999999", "/api/staff/999999",
                 "/api/survivors/999999", "/api/contacts/999999", "/api/cases/999999",
                 "/api/hearings/999999", "/api/survivors/999999/contacts", "/api/cases/999999/hearings",
                 "/api/hearings/999999/history", "/api/cases/2147483647"):
        assert_problem(await c.get(path, headers=h), 404)
    assert_problem(await c.patch("/api/cases/999999", json={"status": "trial"}, headers=h), 404)
    assert_problem(await c.post("/api/cases/999999/hearings", json=_hearing(), headers=h), 404)
    assert_problem(await c.post("/api/hearings/999999/cancel", json={"reason": "x"}, headers=h), 404)
    assert_problem(await c.delete("/api/contacts/999999", headers=h), 404)
    assert_problem(await c.get("/api/no-such-thing", headers=h), 404)
    assert ids


async def test_conflicts_are_409(world):
    ids = await _fixture(world)
    c, h = world.client, world.admin
    r = await c.post(f"/api/hearings/{ids['hearing']}/adjourn", headers=h,
                     json={"next_starts_at": future(30), "reason": "witness_absent"})
    assert_problem(r, 409)  # a hearing on a later day is rescheduled, not adjourned
    me = (await c.get("/api/staff", headers=h)).json()["items"][0]
    r = await c.patch(f"/api/staff/{me['id']}", headers=h, json={"active": False})
    assert_problem(r, 409)  # an admin cannot lock themselves out
    await c.post(f"/api/hearings/{ids['hearing']}/cancel", headers=h, json={"reason": "x"})
    r = await c.patch(f"/api/hearings/{ids['hearing']}", headers=h, json={"courtroom": "4"})
    assert_problem(r, 409)


async def test_auth_failures(world):
    c = world.client
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer " + "x" * 500}):
        r = await c.get("/api/cases", headers=headers)
        assert_problem(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
    r = await c.post("/api/auth/login", json={"email": "admin@example.org", "password": "wrong password"})
    assert_problem(r, 401)
    r = await c.post("/api/auth/login", json={"email": "admin@example.org", "password": 5})
    assert_problem(r, 422, "password")


async def test_body_too_large_is_413(world):
    r = await world.client.post("/api/offices", headers={**world.admin, "content-type": "application/json"},
                                content=b'{"name": "' + b"x" * 2_000_000 + b'"}')
    assert_problem(r, 413)


async def test_an_unknown_reveal_is_named_as_a_query_parameter(world):
    # One check for every ?reveal= (survivors, contacts, identity documents): the problem names
    # the query parameter, not a body field.
    office = await world.office()
    survivor = await world.survivor(office["id"])
    contact = await world.post(f"/api/survivors/{survivor['id']}/contacts",
                               {"name": "Aunt", "relationship": "aunt", "phone": "+254712345678"})
    document = await world.post(f"/api/survivors/{survivor['id']}/identity-documents",
                                {"kind": "passport", "issuing_country": "KE", "status": "withheld",
                                 "number": "A1234567"})
    for path in (f"/api/survivors/{survivor['id']}", f"/api/contacts/{contact['id']}",
                 f"/api/identity-documents/{document['id']}"):
        r = await world.client.get(path, params={"reveal": "everything"}, headers=world.admin)
        problem = assert_problem(r, 400, "reveal")
        assert [(e["field"], e["source"]) for e in problem["errors"]] == [("reveal", "query")], path
