"""The HTTP surface says what it does: OPTIONS names every method of a path, unknown schema
paths are 404 problems, the OpenAPI document describes the answers the feed and the SMS
webhooks really give, Update types are their Create types made optional, and the app is
built without any deprecation warning."""

from __future__ import annotations

import warnings

import msgspec
import pytest
from msgspec import UNSET

from api.app import create_app
from api.schemas.cases import CaseCreate, CaseUpdate, HearingUpdate
from api.schemas.casework import StatementCreate, StatementUpdate
from api.schemas.organisation import StaffUpdate
from api.schemas.survivors import SurvivorUpdate
from tests.platform.helpers import PROBLEM, assert_problem


def _methods(app) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for route in app.routes:
        if hasattr(route, "route_handler_map"):
            out.setdefault(route.path_format, set()).update(route.methods)
    return out


async def test_options_allows_every_method_of_every_path(client, database):
    app = client._transport.app
    paths = _methods(app)
    samples = {"/api/cases": {"GET", "POST"}, "/api/cases/{case_id}": {"GET", "PATCH"},
               "/api/contacts/{contact_id}": {"GET", "PATCH", "DELETE"},
               "/api/survivors/{survivor_id}/contacts": {"GET", "POST"}}
    for path, expected in samples.items():
        assert expected <= paths[path], (path, paths[path])
    checked = 0
    for path, methods in paths.items():
        if path.startswith("/schema"):
            continue
        url = path.replace("{filename}", "x.ics")
        for name in ("case_id", "contact_id", "survivor_id", "hearing_id", "staff_id", "office_id",
                     "court_id", "statement_id", "document_id", "application_id", "deadline_id",
                     "reminder_id", "subscription_id", "filing_id", "session_id", "key"):
            url = url.replace("{" + name + "}", "1" if name != "key" else "k")
        r = await client.options(url)
        assert r.status_code == 204, (url, r.text)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert allowed == methods, (path, allowed, methods)
        checked += 1
    assert checked > 40


async def test_unknown_schema_paths_are_problems(client):
    for path in ("/schema/nothing", "/schema/a/b", "/schema/openapi.yaml"):
        assert_problem(await client.get(path), 404)
    assert (await client.get("/schema/openapi.json")).status_code == 200
    r = await client.get("/schema/swagger")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


async def test_every_error_answer_is_documented_as_problem_json(client):
    spec = (await client.get("/schema/openapi.json")).json()
    wrong = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45" and set(response.get("content") or {}) != {PROBLEM}:
                    wrong.append((method, path, status))
    assert wrong == []


async def test_a_malformed_feed_token_is_the_documented_problem(client):
    spec = (await client.get("/schema/openapi.json")).json()
    documented = spec["paths"]["/calendars/{filename}"]["get"]["responses"]["400"]["content"]
    r = await client.get("/calendars/not-a-token.ics")
    assert_problem(r, 400, "filename")
    assert r.headers["content-type"].split(";")[0] in documented


async def test_sms_webhooks_document_what_they_answer(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/webhooks/sms/twilio/status", "/webhooks/sms/africastalking/delivery",
                 "/webhooks/sms/africastalking/inbound"):
        responses = paths[path]["post"]["responses"]
        assert "200" not in responses, path
        assert not responses["204"].get("content"), path
    responses = paths["/webhooks/sms/twilio/inbound"]["post"]["responses"]
    assert "204" not in responses
    assert set(responses["200"]["content"]) == {"application/xml"}
    # What they do (tests/reminders/test_webhooks_and_staff.py checks the success answers).
    r = await client.post("/webhooks/sms/twilio/status", data={"MessageSid": "SM1"})
    assert_problem(r, 403)


def test_update_types_are_their_create_types_made_optional():
    create = {f.name: f for f in msgspec.structs.fields(StatementCreate)}
    update = {f.name: f for f in msgspec.structs.fields(StatementUpdate)}
    assert create.keys() == update.keys()
    assert all(f.default is UNSET for f in update.values())
    assert msgspec.json.decode(b"{}", type=StatementUpdate).kind is UNSET
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"nope": 1}', type=StatementUpdate)
    with pytest.raises(msgspec.ValidationError, match="Invalid enum value"):
        msgspec.json.decode(b'{"kind": "nope"}', type=StatementUpdate)
    # None clears a field only where Create allows None.
    assert msgspec.json.decode(b'{"taken_at": null}', type=StatementUpdate).taken_at is None
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"kind": null}', type=StatementUpdate)
    # Fields an Update declares itself: other types, or only in Update.
    names = {f.name for f in msgspec.structs.fields(CaseUpdate)}
    assert "office_id" not in names and {"outcome", "closed_on"} <= names
    assert {f.name for f in msgspec.structs.fields(CaseCreate)} - names == {"office_id"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"court_id": null}', type=HearingUpdate)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"code": null}', type=SurvivorUpdate)
    assert msgspec.json.decode(b'{"active": false}', type=StaffUpdate).active is False
    assert StaffUpdate.__module__ == "api.schemas.organisation"


def test_the_app_is_built_without_deprecation_warnings(database):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        app = create_app(database, manage_database=False)
        app.openapi_schema.to_schema()
