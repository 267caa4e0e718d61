"""One's sessions and tokens (where from, ending any of them), deactivation final for every
credential, and the audit trail of account changes."""

from __future__ import annotations

import json

from legal_tracker.accounts import auth
from legal_tracker.audit import AuditEvent, Origin, current_origin
from tests.accounts.conftest import STRONG, app_client

PASSWORD = "correct horse battery"


async def test_a_person_sees_and_ends_their_sessions(world):
    office = await world.office()
    staff_id, first = await world.user("lawyer", office["id"], email="many@example.org")
    async with app_client(world.settings, user_agent="Firefox/128 on a phone") as phone:
        second_token = (await phone.post("/api/auth/login", json={
            "email": "many@example.org", "password": PASSWORD})).json()["token"]
    second = {"Authorization": f"Bearer {second_token}"}
    # A web-app session (the cookie's token comes from the same service).
    token = current_origin.set(Origin("10.0.0.7", "Chromium 130"))
    try:
        web = await auth.login(world.settings, "many@example.org", PASSWORD, kind="session")
    finally:
        current_origin.reset(token)
    listed = await world.client.get("/api/auth/sessions", headers=first)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == 3
    by_agent = {i["user_agent"]: i for i in items}
    assert by_agent["Firefox/128 on a phone"]["kind"] == "api"
    assert by_agent["Firefox/128 on a phone"]["ip"] == "127.0.0.1"
    assert by_agent["Chromium 130"] == {**by_agent["Chromium 130"], "kind": "session",
                                        "ip": "10.0.0.7", "current": False}
    assert [i["current"] for i in items].count(True) == 1
    assert all(set(i) >= {"created_at", "last_used_at", "expires_at"} for i in items)
    assert not any("token" in key for i in items for key in i)
    # End the phone's token: it stops at once, the others go on.
    phone_id = by_agent["Firefox/128 on a phone"]["id"]
    ended = await world.client.delete(f"/api/auth/sessions/{phone_id}", headers=first)
    assert ended.status_code == 204
    assert (await world.client.get("/api/offices", headers=second)).status_code == 401
    assert (await world.client.get("/api/offices", headers=first)).status_code == 200
    await auth.authenticate(world.settings, web.token, kind="session")
    again = await world.client.delete(f"/api/auth/sessions/{phone_id}", headers=first)
    assert again.status_code == 404
    # Someone else's session is not found, and stays alive.
    _, other = await world.user("lawyer", office["id"])
    web_id = by_agent["Chromium 130"]["id"]
    assert (await world.client.delete(f"/api/auth/sessions/{web_id}",
                                      headers=other)).status_code == 404
    await auth.authenticate(world.settings, web.token, kind="session")
    assert len((await world.client.get("/api/auth/sessions", headers=first)).json()["items"]) == 2
    assert await AuditEvent.count().where((AuditEvent.action == "end_session")
                                          & (AuditEvent.actor == staff_id)) == 1


async def test_deactivation_is_final_for_every_credential(world):
    office = await world.office()
    staff_id, headers = await world.user("caseworker", office["id"], email="leaver@example.org")
    feed = await world.client.post("/api/calendar-subscriptions", headers=headers,
                                   json={"scope": "staff", "target_id": staff_id})
    assert feed.status_code == 201, feed.text
    feed_path = "/calendars/" + feed.json()["url"].rsplit("/calendars/", 1)[1]
    assert (await world.client.get(feed_path)).status_code == 200
    reset = (await world.client.post(f"/api/staff/{staff_id}/password-reset",
                                     headers=world.admin)).json()["reset_url"].rsplit("/", 1)[1]
    off = await world.client.patch(f"/api/staff/{staff_id}", headers=world.admin,
                                   json={"active": False})
    assert off.status_code == 200
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 401
    assert (await world.client.get(feed_path)).status_code == 404
    on = await world.client.patch(f"/api/staff/{staff_id}", headers=world.admin,
                                  json={"active": True})
    assert on.status_code == 200
    # Reactivated: nothing old comes back.
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 401
    assert (await world.client.get(feed_path)).status_code == 404
    used = await world.client.post("/api/auth/reset", json={"token": reset, "password": STRONG})
    assert used.status_code == 410
    # The person signs in again and makes new links.
    assert (await world.client.post("/api/auth/login", json={
        "email": "leaver@example.org", "password": PASSWORD})).status_code == 200


async def test_the_audit_names_what_changed_with_old_and_new_values(world):
    office = await world.office()
    other_office = await world.office(name="Mombasa")
    staff_id, _ = await world.user("caseworker", office["id"], email="mover@example.org")
    changed = await world.client.patch(f"/api/staff/{staff_id}", headers=world.admin, json={
        "role": "lawyer", "office_id": other_office["id"], "password": STRONG,
        "name": "Mover Renamed"})
    assert changed.status_code == 200, changed.text
    off = await world.client.patch(f"/api/staff/{staff_id}", headers=world.admin,
                                   json={"active": False})
    assert off.status_code == 200
    events = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.action == "update") & (AuditEvent.entity == "staff")
        & (AuditEvent.entity_id == str(staff_id))).order_by(AuditEvent.id)
    first, second = (json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"]
                     for e in events)
    assert first["fields"] == ["name", "office", "password", "role"]
    assert first["changes"] == {
        "role": {"old": "caseworker", "new": "lawyer"},
        "office": {"old": office["id"], "new": other_office["id"]},
    }
    assert second == {"fields": ["active"], "changes": {"active": {"old": True, "new": False}}}
    raw = " ".join(str(e["detail"]) for e in events)
    assert STRONG not in raw and "Mover Renamed" not in raw
