"""Accounts and sessions: argon2id, opaque tokens stored as hashes, lockout, expiry, idle
timeout, logout, deactivation, rate limiting, and the create-user command."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import timedelta

import httpx

from api.auth import PUBLIC_API_PATHS
from legal_tracker import db
from legal_tracker.accounts.auth import token_digest
from legal_tracker.accounts.tables import AuthToken
from legal_tracker.audit import AuditEvent
from legal_tracker.common import utcnow
from legal_tracker.organisation.tables import Staff
from tests.conftest import TEST_KEY

PASSWORD = "correct horse battery"


async def _login(client, email, password):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_passwords_are_argon2id_and_tokens_are_stored_only_as_digests(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"])
    token = headers["Authorization"].split()[1]
    assert len(token) >= 40
    stored = await Staff.select(Staff.password_hash).where(Staff.id == staff_id).first()
    assert stored["password_hash"].startswith("$argon2id$") and PASSWORD not in stored["password_hash"]
    rows = await AuthToken.select().where(AuthToken.staff == staff_id)
    assert [r["token_hash"] for r in rows] == [token_digest(token)]
    assert token not in repr(rows)


async def test_six_failures_lock_the_account_even_for_the_right_password(world):
    office = await world.office()
    staff_id, _ = await world.user("lawyer", office["id"], email="locked@example.org")
    for attempt in range(6):
        response = await _login(world.client, "locked@example.org", "wrong password!!")
        assert response.status_code == 401, attempt
        assert response.headers["content-type"].startswith("application/problem+json")
    locked = await _login(world.client, "locked@example.org", PASSWORD)
    assert locked.status_code == 401
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.ip).where(
        AuditEvent.entity_id == str(staff_id))
    actions = [e["action"] for e in events]
    assert actions.count("login_failed") == 7 and "account_locked" in actions
    assert {e["ip"] for e in events if e["action"] == "login_failed"} == {"127.0.0.1"}
    # The failure message does not say whether the account exists or is locked.
    unknown = await _login(world.client, "nobody@example.org", "whatever123")
    assert unknown.json()["detail"] == locked.json()["detail"]
    # When the lockout period is over, the right password works again (and the count restarts).
    await Staff.update({Staff.locked_until: utcnow() - timedelta(seconds=1)}).where(
        Staff.id == staff_id)
    assert (await _login(world.client, "locked@example.org", PASSWORD)).status_code == 200
    row = await Staff.select(Staff.failed_logins, Staff.locked_until).where(Staff.id == staff_id).first()
    assert row == {"failed_logins": 0, "locked_until": None}


async def test_five_failures_then_success_do_not_lock(world):
    office = await world.office()
    await world.user("lawyer", office["id"], email="careful@example.org")
    for _ in range(5):
        assert (await _login(world.client, "careful@example.org", "wrong password!!")).status_code == 401
    assert (await _login(world.client, "careful@example.org", PASSWORD)).status_code == 200
    for _ in range(5):  # "in a row": the success reset the count
        assert (await _login(world.client, "careful@example.org", "wrong password!!")).status_code == 401
    assert (await _login(world.client, "careful@example.org", PASSWORD)).status_code == 200


async def test_parallel_guesses_cannot_slip_past_the_lockout(world):
    office = await world.office()
    staff_id, _ = await world.user("lawyer", office["id"], email="parallel@example.org")
    responses = await asyncio.gather(*[
        _login(world.client, "parallel@example.org", f"wrong password {i}") for i in range(6)])
    assert {r.status_code for r in responses} == {401}
    row = await Staff.select(Staff.locked_until).where(Staff.id == staff_id).first()
    assert row["locked_until"] is not None
    assert (await _login(world.client, "parallel@example.org", PASSWORD)).status_code == 401


async def test_expired_and_idle_tokens_stop_working(world):
    office = await world.office()
    _, headers = await world.user("caseworker", office["id"])
    token = headers["Authorization"].split()[1]
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 200
    # Idle for longer than LEGAL_TRACKER_TOKEN_IDLE_MINUTES (60), although not expired.
    await AuthToken.update({AuthToken.last_used_at: utcnow() - timedelta(minutes=61)}).where(
        AuthToken.token_hash == token_digest(token))
    idle = await world.client.get("/api/offices", headers=headers)
    assert idle.status_code == 401 and idle.headers["www-authenticate"] == "Bearer"
    assert idle.headers["content-type"].startswith("application/problem+json")
    # Recently used but past its expiry.
    _, fresh = await world.user("caseworker", office["id"])
    token = fresh["Authorization"].split()[1]
    assert (await world.client.get("/api/offices", headers=fresh)).status_code == 200
    await AuthToken.update({AuthToken.expires_at: utcnow() - timedelta(seconds=1)}).where(
        AuthToken.token_hash == token_digest(token))
    assert (await world.client.get("/api/offices", headers=fresh)).status_code == 401
    # A token used within the idle period keeps working.
    _, used = await world.user("caseworker", office["id"])
    token = used["Authorization"].split()[1]
    await AuthToken.update({AuthToken.last_used_at: utcnow() - timedelta(minutes=59)}).where(
        AuthToken.token_hash == token_digest(token))
    assert (await world.client.get("/api/offices", headers=used)).status_code == 200


async def test_login_reports_the_expiry(world):
    office = await world.office()
    await world.user("viewer", office["id"], email="viewer@example.org")
    body = (await _login(world.client, "viewer@example.org", PASSWORD)).json()
    assert set(body) >= {"token", "expires_at"}
    row = await AuthToken.select(AuthToken.expires_at).where(
        AuthToken.token_hash == token_digest(body["token"])).first()
    lifetime = row["expires_at"] - utcnow()
    assert timedelta(hours=11, minutes=59) < lifetime <= timedelta(hours=12)


async def test_deactivation_revokes_at_once_and_logout_revokes_only_that_token(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"], email="leaver@example.org")
    second = await world.login("leaver@example.org")
    assert (await world.client.get("/api/cases", headers=headers)).status_code == 200
    off = await world.client.patch(f"/api/staff/{staff_id}", json={"active": False},
                                   headers=world.admin)
    assert off.status_code == 200 and off.json()["active"] is False
    for h in (headers, second):
        assert (await world.client.get("/api/cases", headers=h)).status_code == 401
    tokens = await AuthToken.select(AuthToken.revoked_at).where(AuthToken.staff == staff_id)
    assert tokens and all(t["revoked_at"] is not None for t in tokens)
    # An inactive account cannot log in either...
    assert (await _login(world.client, "leaver@example.org", PASSWORD)).status_code == 401
    # ...and reactivation does not bring the old sessions back.
    await world.client.patch(f"/api/staff/{staff_id}", json={"active": True}, headers=world.admin)
    assert (await world.client.get("/api/cases", headers=headers)).status_code == 401
    assert (await _login(world.client, "leaver@example.org", PASSWORD)).status_code == 200
    # Logout revokes the token it is called with, and no other.
    _, one = await world.user("lawyer", office["id"], email="two@example.org")
    two = await world.login("two@example.org")
    assert (await world.client.post("/api/auth/logout", headers=one)).status_code == 204
    assert (await world.client.get("/api/cases", headers=one)).status_code == 401
    assert (await world.client.get("/api/cases", headers=two)).status_code == 200


async def test_login_is_rate_limited_per_address(world):
    app = world.client._transport.app  # type: ignore[attr-defined]
    limiter = app.state.login_limiter
    limiter.per_minute = 3
    # The fixture's own logins came from this address too; the counts live in the database.
    await db.execute("DELETE FROM rate_limit_hit")
    codes = [(await _login(world.client, "x@example.org", "nope nope nope")).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    response = await _login(world.client, "x@example.org", "nope nope nope")
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/problem+json")
    # Even the right password is refused from that address for now...
    assert (await _login(world.client, "admin@example.org", PASSWORD)).status_code == 429
    # ...while another address is not affected.
    transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        assert (await _login(other, "admin@example.org", PASSWORD)).status_code == 200


async def test_every_api_path_but_login_needs_a_token(world):
    app = world.client._transport.app  # type: ignore[attr-defined]
    paths = sorted({route.path for route in app.routes if route.path.startswith("/api/")})
    assert len(paths) > 15
    for path in paths:
        if path in PUBLIC_API_PATHS:  # signing in and one-time links (tests/accounts)
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in ("GET", "POST", "PATCH", "DELETE"):
            for headers in ({}, {"Authorization": "Bearer not-a-token"},
                            {"Authorization": "Basic YWRtaW46YWRtaW4="}):
                response = await world.client.request(method, concrete, headers=headers)
                assert response.status_code in (401, 405), (method, path, response.status_code)


def _cli(database, *args: str, stdin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEGAL_TRACKER_DATABASE_URL": database.database_url,
           "LEGAL_TRACKER_DATA_DIR": str(database.data_dir), "LEGAL_TRACKER_SECRET_KEY": TEST_KEY}
    return subprocess.run([sys.executable, "-m", "legal_tracker.cli", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


async def test_create_user_reads_the_password_from_stdin_never_argv(client, database):
    args = ("create-user", "--email", "first@example.org", "--role", "admin", "--name", "First")
    short = await asyncio.to_thread(_cli, database, *args, stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    refused = await asyncio.to_thread(_cli, database, *args, "--password", "on the command line",
                                      stdin="")
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
    made = await asyncio.to_thread(_cli, database, *args, stdin="a long enough secret\n")
    assert made.returncode == 0, made.stderr
    assert "a long enough secret" not in made.stdout + made.stderr
    assert (await _login(client, "first@example.org", "a long enough secret")).status_code == 200
