"""Security headers everywhere, CORS closed unless configured, and nothing internal (stack
traces, SQL) in an error a client sees."""

from __future__ import annotations

import httpx

from api.app import create_app
from legal_tracker.tables import Office

HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
           "referrer-policy": "no-referrer"}


async def test_security_headers_on_data_error_and_docs_responses(world):
    for path, headers in (("/api/offices", world.admin), ("/api/cases/999", world.admin),
                          ("/api/offices", {}), ("/schema", {}), ("/health", {})):
        response = await world.client.get(path, headers=headers)
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        if path != "/schema":
            assert csp.startswith("default-src 'none'")


async def test_cors_is_off_unless_configured(world, database):
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    response = await world.client.options("/api/offices", headers=preflight)
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


async def test_a_database_failure_reveals_nothing(world, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError('SELECT "office"."secret" FROM office WHERE name = \'Amina\'')

    monkeypatch.setattr(Office, "select", lambda *a, **k: type("Q", (), {
        "order_by": lambda self, *a, **k: self, "limit": lambda self, *a: self,
        "offset": lambda self, *a: self, "__await__": lambda self: broken().__await__()})())
    response = await world.client.get("/api/offices", headers=world.admin)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.text
    assert "SELECT" not in body and "Amina" not in body and "Traceback" not in body
    assert response.json()["detail"] == "an internal error occurred; it has been logged"
