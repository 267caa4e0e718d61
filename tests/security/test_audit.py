"""The audit trail: every write, every reveal and every failed login is recorded with who,
what, when and from where, never the sensitive values; admins read it (office admins their
office's events); nothing, not even SQL, can change or delete it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from legal_tracker import db
from legal_tracker.audit import AuditEvent
from tests.security import scenario
from tests.security.scenario import CONTACT_NAME, SECRETS

AGENT = {"User-Agent": "audit-test/1.0"}


async def _events(client, headers, **query) -> list[dict]:
    response = await client.get("/api/audit", params={"limit": 200, **query}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_writes_reveals_and_failed_logins_are_recorded_without_values(world):
    world.client.headers.update(AGENT)
    ids = await scenario.run(world)
    events = await _events(world.client, world.admin)
    seen = {(e["action"], e["entity"]) for e in events}
    for expected in [("create", "office"), ("create", "court"), ("create", "staff"),
                     ("create", "survivor"), ("update", "survivor"), ("create", "contact"),
                     ("update", "contact"), ("create", "case"), ("create", "hearing"),
                     ("reschedule", "hearing"), ("reveal", "survivor"), ("reveal", "contact"),
                     ("login", "staff"), ("login_failed", "staff")]:
        assert expected in seen, expected
    reveal = next(e for e in events if e["action"] == "reveal" and e["entity"] == "survivor")
    assert reveal["entity_id"] == str(ids["survivor"]["id"])
    assert reveal["actor_id"] == 1 and reveal["office_id"] == ids["office"]["id"]
    assert reveal["ip"] == "127.0.0.1" and reveal["user_agent"] == "audit-test/1.0"
    assert reveal["detail"] == {"fields": ["legal_name"]}
    assert datetime.fromisoformat(reveal["at"]) > datetime.now(UTC) - timedelta(minutes=5)
    failed = [e for e in events if e["action"] == "login_failed"]
    assert len(failed) == 3 and all(e["ip"] == "127.0.0.1" for e in failed)
    # Unknown addresses are recorded as failures without saying who was tried.
    assert any(e["actor_id"] is None and e["entity_id"] is None for e in failed)
    raw = repr(await AuditEvent.select())
    for secret in (*SECRETS, CONTACT_NAME, "wrong "):
        assert secret not in raw, secret


async def test_filters_and_paging(world):
    ids = await scenario.run(world)
    survivor = str(ids["survivor"]["id"])
    on_survivor = await _events(world.client, world.admin, entity="survivor", entity_id=survivor)
    assert on_survivor and {e["entity_id"] for e in on_survivor} == {survivor}
    assert {e["entity"] for e in on_survivor} == {"survivor"}
    reveals = await _events(world.client, world.admin, action="reveal")
    assert {(e["entity"], e["entity_id"]) for e in reveals} == {
        ("survivor", survivor), ("contact", str(ids["contact"]["id"]))}
    by_admin = await _events(world.client, world.admin, actor_id=1)
    assert by_admin and {e["actor_id"] for e in by_admin} == {1}
    everything = await _events(world.client, world.admin)
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    middle = datetime.fromisoformat(everything[len(everything) // 2]["at"])
    since = await _events(world.client, world.admin, since=middle.isoformat())
    until = await _events(world.client, world.admin, until=middle.isoformat())
    assert len(since) + len(until) == len(everything)
    assert all(datetime.fromisoformat(e["at"]) >= middle for e in since)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await _events(world.client, world.admin, since=future) == []
    # Paging: newest first, next_offset until the end.
    collected, offset = [], 0
    while offset is not None:
        page = (await world.client.get("/api/audit", params={"limit": 7, "offset": offset},
                                       headers=world.admin)).json()
        assert len(page["items"]) <= 7
        collected += [e["id"] for e in page["items"]]
        offset = page["next_offset"]
    assert collected == [e["id"] for e in everything]
    naive = await world.client.get("/api/audit", params={"since": "2026-01-01T00:00:00"},
                                   headers=world.admin)
    assert naive.status_code == 400 and naive.json()["errors"][0]["field"] == "since"
    bad = await world.client.get("/api/audit", params={"entity": "x' OR 1=1 --"},
                                 headers=world.admin)
    assert bad.status_code == 400


async def test_audit_is_for_admins_and_office_admins_see_their_office(world):
    ids = await scenario.run(world)
    office_id = ids["office"]["id"]
    _, lawyer = await world.user("lawyer", office_id)
    _, viewer = await world.user("viewer", office_id)
    for headers in (lawyer, viewer):
        response = await world.client.get("/api/audit", headers=headers)
        assert response.status_code == 403
    assert (await world.client.get("/api/audit")).status_code == 401
    other = await world.office("Manila", "Asia/Manila", "PH")
    _, other_admin = await world.user("admin", other["id"])
    theirs = await _events(world.client, other_admin)
    assert all(e["office_id"] == other["id"] for e in theirs)
    assert not [e for e in theirs if e["entity"] in ("survivor", "contact", "case", "hearing")]
    _, own_admin = await world.user("admin", office_id)
    mine = await _events(world.client, own_admin)
    assert mine and all(e["office_id"] == office_id for e in mine)
    kinds = {(e["action"], e["entity"]) for e in mine}
    # Family contacts' events belong to the survivor's office too (not only org admins see them).
    for expected in [("reveal", "survivor"), ("reveal", "contact"), ("update", "contact"),
                     ("create", "case"), ("reschedule", "hearing"), ("create", "court")]:
        assert expected in kinds, expected


async def test_no_api_changes_the_trail(world):
    await scenario.run(world)
    before = await AuditEvent.count()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("/api/audit", "/api/audit/1"):
            response = await world.client.request(method, path, headers=world.admin, json={})
            assert response.status_code in (404, 405), (method, path)
    assert await AuditEvent.count() >= before


async def test_the_database_refuses_to_change_or_delete_audit_rows(world, database):
    await scenario.run(world)
    before = await AuditEvent.select().order_by(AuditEvent.id)
    assert len(before) > 10
    for statement in ("UPDATE audit_event SET action = 'nothing'",
                      "UPDATE audit_event SET ip = NULL WHERE id = 1",
                      "DELETE FROM audit_event", "DELETE FROM audit_event WHERE id = 1"):
        with pytest.raises(Exception, match="append-only"):
            async with db.transaction():
                await db.execute(statement)
    # Straight through the driver, outside the application, too.
    if db.is_sqlite():
        conn = sqlite3.connect(database.sqlite_path)
        try:
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute("DELETE FROM audit_event")
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute("UPDATE audit_event SET detail = '{}'")
        finally:
            conn.close()
    else:
        conn = await asyncpg.connect(database.database_url)
        try:
            for statement in ("DELETE FROM audit_event", "UPDATE audit_event SET detail = '{}'",
                              "TRUNCATE audit_event"):
                with pytest.raises(asyncpg.PostgresError, match="append-only"):
                    await conn.execute(statement)
        finally:
            await conn.close()
    after = await AuditEvent.select().order_by(AuditEvent.id)
    assert after[:len(before)] == before
    # Appending still works.
    response = await world.client.get("/api/offices", headers=world.admin)
    assert response.status_code == 200
    await world.client.post("/api/auth/login", json={"email": "x@example.org", "password": "y" * 10})
    assert await AuditEvent.count() > len(before)
