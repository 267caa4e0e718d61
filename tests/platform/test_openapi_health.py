"""``GET /health`` and the OpenAPI document: every API.md route that this app registers is
documented with its request body, response body and error responses."""

from __future__ import annotations

import re

from api.app import create_app
from tests.platform.helpers import assert_problem

# API.md's resource table, as (method, path) with ``{id}`` placeholders.
API_MD: list[tuple[str, str]] = [
    *[(m, p) for p in ("/api/offices", "/api/courts", "/api/staff", "/api/survivors", "/api/cases")
      for m in ("GET", "POST")],
    *[(m, p + "/{id}") for p in ("/api/offices", "/api/courts", "/api/staff", "/api/survivors",
                                 "/api/cases") for m in ("GET", "PATCH")],
    ("GET", "/api/survivors/{id}/contacts"), ("POST", "/api/survivors/{id}/contacts"),
    ("GET", "/api/contacts/{id}"), ("PATCH", "/api/contacts/{id}"), ("DELETE", "/api/contacts/{id}"),
    ("GET", "/api/cases/{id}/hearings"), ("POST", "/api/cases/{id}/hearings"),
    ("GET", "/api/hearings"), ("GET", "/api/hearings/{id}"), ("PATCH", "/api/hearings/{id}"),
    ("POST", "/api/hearings/{id}/reschedule"), ("POST", "/api/hearings/{id}/adjourn"),
    ("POST", "/api/hearings/{id}/cancel"), ("POST", "/api/hearings/{id}/outcome"),
    ("GET", "/api/cases/{id}/statements"), ("POST", "/api/cases/{id}/statements"),
    ("GET", "/api/statements/{id}"), ("PATCH", "/api/statements/{id}"),
    ("GET", "/api/survivors/{id}/identity-documents"), ("POST", "/api/survivors/{id}/identity-documents"),
    ("GET", "/api/identity-documents/{id}"), ("PATCH", "/api/identity-documents/{id}"),
    ("GET", "/api/identity-documents/{id}/custody"), ("POST", "/api/identity-documents/{id}/custody"),
    ("GET", "/api/survivors/{id}/immigration"), ("POST", "/api/survivors/{id}/immigration"),
    ("GET", "/api/immigration/{id}"), ("PATCH", "/api/immigration/{id}"),
    ("GET", "/api/deadlines"), ("GET", "/api/reports/outcomes"), ("GET", "/api/audit"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/calendar-subscriptions"), ("GET", "/api/calendar-subscriptions"),
    ("DELETE", "/api/calendar-subscriptions/{id}"),
    ("GET", "/api/templates"), ("POST", "/api/templates"), ("GET", "/api/templates/{id}"),
    ("POST", "/api/cases/{id}/filings"), ("GET", "/api/filings/{id}/download"),
    ("GET", "/api/reminders"), ("POST", "/api/reminders/{id}/cancel"),
]
# The foundation's own routes (everything up to the hearing outcome, and login): these must
# exist whatever else has been built.
FOUNDATION = set(API_MD[:API_MD.index(("POST", "/api/hearings/{id}/outcome")) + 1]) | {
    ("POST", "/api/auth/login")}

# Other areas' routes whose API.md entry names a JSON body (cancel a reminder takes none).
BODIES = {"/api/calendar-subscriptions", "/api/cases/{id}/filings"}

_PARAM = re.compile(r"\{[^}]+\}")


def _norm(path: str) -> str:
    return _PARAM.sub("{id}", path.rstrip("/") or "/")


def _registered(app) -> set[tuple[str, str]]:
    out = set()
    for route in app.routes:
        for method in getattr(route, "methods", ()):
            if method not in {"HEAD", "OPTIONS"}:
                out.add((method, _norm(route.path)))
    return out


async def test_health(client):
    r = await client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["content-type"].startswith("application/json")


async def test_openapi_documents_every_registered_api_route(client, database):
    app = create_app(database, manage_database=False)
    registered = _registered(app)
    missing_foundation = FOUNDATION - registered
    assert not missing_foundation, missing_foundation
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.")
    documented = {(m.upper(), _norm(p)) for p, ops in spec["paths"].items() for m in ops
                  if m.upper() in {"GET", "POST", "PATCH", "PUT", "DELETE"}}
    ops = {(m.upper(), _norm(p)): op for p, item in spec["paths"].items() for m, op in item.items()
           if isinstance(op, dict)}
    checked = 0
    for method, path in API_MD:
        if (method, path) not in registered:
            continue  # another area has not built it yet
        assert (method, path) in documented, (method, path)
        op = ops[(method, path)]
        responses = op["responses"]
        ok = [code for code in responses if code.startswith("2")]
        assert ok, (method, path)
        if method != "DELETE" and not path.endswith("/download") and "templates" not in path:
            content = responses[ok[0]].get("content", {})
            assert any("schema" in v for v in content.values()), (method, path, "response schema")
        if method in {"POST", "PATCH"} and ((method, path) in FOUNDATION or path in BODIES):
            body = op.get("requestBody", {}).get("content", {})
            assert any("schema" in v for v in body.values()), (method, path, "request schema")
        errors = {code for code in responses if code[0] == "4"}
        assert errors, (method, path, "error responses")
        if path.startswith("/api/") and path != "/api/auth/login":
            assert "401" in responses, (method, path)
        if "{id}" in path:
            assert "404" in responses, (method, path)
        if method in {"POST", "PATCH"} and path in {p for _, p in FOUNDATION}:
            assert "422" in responses, (method, path)
        for code in errors:
            content = responses[code].get("content", {})
            assert "application/problem+json" in content, (method, path, code)
        checked += 1
    assert checked >= len(FOUNDATION)
    # Bearer auth is declared; /health is documented too.
    assert "BearerToken" in spec["components"]["securitySchemes"]
    assert "/health" in spec["paths"]


async def test_openapi_names_the_from_and_to_filters(client):
    spec = (await client.get("/schema/openapi.json")).json()
    params = {p["name"] for p in spec["paths"]["/api/hearings"]["get"]["parameters"]}
    assert {"from", "to", "court_id", "staff_id", "status", "case_id", "limit", "offset"} <= params


async def test_unknown_route_and_method_are_problems(client):
    assert_problem(await client.get("/nowhere"), 404)
    r = await client.delete("/health")
    assert_problem(r, 405)
