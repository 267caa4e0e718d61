"""Security headers everywhere (data, errors, docs), CORS closed unless configured, request
body limits answered with problem+json, and nothing internal (stack traces, SQL, values) in
an error a client sees, even when the database itself fails."""

from __future__ import annotations

import logging

import httpx

from api.app import create_app
from legal_tracker import db
from legal_tracker.audit import AuditEvent
from legal_tracker.cases.tables import Contact, Survivor

HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
           "referrer-policy": "no-referrer"}
INTERNALS = ("Traceback", "SELECT", "INSERT", "sqlite", "asyncpg", "psycopg", "relation",
             "no such table", "File \"", ".py", "legal_name", "piccolo")


def _assert_hardened(response: httpx.Response, docs: bool = False) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    if not docs:
        assert csp.startswith("default-src 'none'"), csp
    assert "unsafe-eval" not in csp
    assert "access-control-allow-origin" not in response.headers
    assert "server" not in response.headers or "uvicorn" not in response.headers["server"]


async def test_security_headers_on_data_error_and_docs_responses(world):
    cases = [
        ("GET", "/api/offices", world.admin, 200, False),
        ("GET", "/health", {}, 200, False),
        ("GET", "/schema/openapi.json", {}, 200, False),
        ("GET", "/api/cases/999", world.admin, 404, False),
        ("GET", "/api/offices", {}, 401, False),
        ("GET", "/api/offices", {"Authorization": "Bearer forged"}, 401, False),
        ("DELETE", "/api/offices", world.admin, 405, False),
        ("GET", "/no/such/page", {}, 404, False),
        ("GET", "/api/offices?limit=0", world.admin, 400, False),
        ("GET", "/schema", {}, 200, True),
        ("GET", "/schema/swagger", {}, 200, True),
    ]
    for method, path, headers, status, docs in cases:
        response = await world.client.request(method, path, headers=headers)
        assert response.status_code == status, (path, response.status_code)
        _assert_hardened(response, docs)
        if status >= 400:
            assert response.headers["content-type"].startswith("application/problem+json"), path
    invalid = await world.client.post("/api/offices", json={"name": ""}, headers=world.admin)
    assert invalid.status_code == 422
    _assert_hardened(invalid)
    assert {e["field"] for e in invalid.json()["errors"]} >= {"name"}


async def test_cors_is_off_unless_configured(world, database):
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    response = await world.client.options("/api/offices", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    response = await world.client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    app = create_app(database.with_overrides(cors_origins=("https://app.example.org",)),
                     manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        allowed = await client.options("/api/offices", headers={
            "Origin": "https://app.example.org", "Access-Control-Request-Method": "GET"})
        assert allowed.headers.get("access-control-allow-origin") == "https://app.example.org"
        refused = await client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers


async def test_request_bodies_over_the_limit_get_413_problem_json(world, database):
    office = await world.office()
    huge = {"office_id": office["id"], "legal_name": "x" * (database.max_body_bytes + 10)}
    for path, headers in (("/api/survivors", world.admin), ("/api/auth/login", {})):
        response = await world.client.post(path, json=huge, headers=headers)
        assert response.status_code == 413, (path, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 413
        _assert_hardened(response)
    assert await Survivor.count() == 0
    # A smaller limit from the settings (LEGAL_TRACKER_MAX_BODY_BYTES) is honoured.
    app = create_app(database.with_overrides(max_body_bytes=2_000), manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        small = {"office_id": office["id"], "legal_name": "y" * 3_000}
        response = await client.post("/api/survivors", json=small, headers=world.admin)
        assert response.status_code == 413
        ok = await client.post("/api/survivors", json={"office_id": office["id"]},
                               headers=world.admin)
        assert ok.status_code == 201


def _no_internals(response: httpx.Response) -> None:
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    for word in INTERNALS:
        assert word.lower() not in response.text.lower(), word
    assert response.json()["detail"] == "an internal error occurred; it has been logged"
    _assert_hardened(response)


async def test_a_real_database_failure_reveals_nothing_and_leaves_nothing_half_written(
        world, caplog):
    office = await world.office()
    survivor = await world.survivor(office["id"])
    # Inserting a contact now fails inside the database, with SQL and (on PostgreSQL) the
    # contact's name in the error's text.
    if db.is_sqlite():
        await db.execute(
            "CREATE TRIGGER contact_boom BEFORE INSERT ON contact BEGIN "
            "SELECT RAISE(ABORT, 'boom: SELECT name FROM contact WHERE name = Halima'); END")
    else:
        await db.execute(
            "CREATE FUNCTION contact_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'boom: SELECT name FROM contact WHERE name = %', NEW.name; END $$")
        await db.execute("CREATE TRIGGER contact_boom BEFORE INSERT ON contact "
                         "FOR EACH ROW EXECUTE FUNCTION contact_boom()")
    caplog.set_level(logging.DEBUG)  # DEBUG: the level at which tracebacks are logged
    audited = await AuditEvent.count()
    response = await world.client.post(
        f"/api/survivors/{survivor['id']}/contacts", headers=world.admin,
        json={"name": "Halima Nuru", "relationship": "aunt", "phone": "+254722000111"})
    _no_internals(response)
    assert await Contact.count() == 0 and await AuditEvent.count() == audited  # rolled back
    # A table the query needs has gone.
    await db.execute("ALTER TABLE court RENAME TO court_moved")
    response = await world.client.get("/api/courts", headers=world.admin)
    _no_internals(response)
    assert "court_moved" not in response.text
    logged = caplog.text
    assert "unhandled" in logged and "cases/survivors.py" in logged  # where, not what
    for word in ("Halima", "boom", "SELECT", "court_moved", "254722000111"):
        assert word not in logged, word
