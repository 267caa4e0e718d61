"""Login hardening: lockout, token expiry and idle timeout, deactivation, rate limiting."""

from __future__ import annotations

import re
from datetime import timedelta

from legal_tracker.services.auth import token_digest
from legal_tracker.services.common import utcnow
from legal_tracker.tables import AuditEvent, AuthToken


async def _login(client, email, password, address="127.0.0.1"):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_six_failures_lock_the_account_even_for_the_right_password(world):
    office = await world.office()
    staff_id, _ = await world.user("lawyer", office["id"], email="locked@example.org")
    for _ in range(6):
        response = await _login(world.client, "locked@example.org", "wrong password!!")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
    locked = await _login(world.client, "locked@example.org", "correct horse battery")
    assert locked.status_code == 401
    events = await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity_id == str(staff_id))
    actions = [e["action"] for e in events]
    assert actions.count("login_failed") == 7 and "account_locked" in actions
    # The failure message does not say whether the account exists.
    unknown = await _login(world.client, "nobody@example.org", "whatever123")
    assert unknown.json()["detail"] == locked.json()["detail"]


async def test_expired_and_idle_tokens_stop_working(world):
    office = await world.office()
    _, headers = await world.user("caseworker", office["id"])
    token = headers["Authorization"].split()[1]
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 200
    await AuthToken.update({AuthToken.last_used_at: utcnow() - timedelta(hours=2)}).where(
        AuthToken.token_hash == token_digest(token))
    idle = await world.client.get("/api/offices", headers=headers)
    assert idle.status_code == 401 and idle.headers["www-authenticate"] == "Bearer"
    _, fresh = await world.user("caseworker", office["id"])
    token = fresh["Authorization"].split()[1]
    await AuthToken.update({AuthToken.expires_at: utcnow() - timedelta(seconds=1)}).where(
        AuthToken.token_hash == token_digest(token))
    assert (await world.client.get("/api/offices", headers=fresh)).status_code == 401


async def test_deactivation_and_logout_revoke_at_once(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"])
    assert (await world.client.get("/api/cases", headers=headers)).status_code == 200
    off = await world.client.patch(f"/api/staff/{staff_id}", json={"active": False},
                                   headers=world.admin)
    assert off.status_code == 200
    assert (await world.client.get("/api/cases", headers=headers)).status_code == 401
    # Reactivation does not bring the old session back: it was revoked.
    await world.client.patch(f"/api/staff/{staff_id}", json={"active": True}, headers=world.admin)
    assert (await world.client.get("/api/cases", headers=headers)).status_code == 401
    _, other = await world.user("lawyer", office["id"])
    assert (await world.client.post("/api/auth/logout", headers=other)).status_code == 204
    assert (await world.client.get("/api/cases", headers=other)).status_code == 401


async def test_login_is_rate_limited_per_address(world):
    limiter = world.client._transport.app.state.login_limiter  # type: ignore[attr-defined]
    limiter.per_minute = 3
    limiter._hits.clear()  # the fixture's own logins came from this address too
    codes = [(await _login(world.client, "x@example.org", "nope nope nope")).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    response = await _login(world.client, "x@example.org", "nope nope nope")
    assert int(response.headers["retry-after"]) > 0


async def test_every_api_path_but_login_needs_a_token(world):
    app = world.client._transport.app  # type: ignore[attr-defined]
    paths = sorted({route.path for route in app.routes if route.path.startswith("/api/")})
    assert len(paths) > 15
    for path in paths:
        if path == "/api/auth/login":
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in ("GET", "POST", "PATCH", "DELETE"):
            response = await world.client.request(method, concrete)
            assert response.status_code in (401, 405), (method, path, response.status_code)
