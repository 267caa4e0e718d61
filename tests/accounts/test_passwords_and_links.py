"""Strong passwords (zxcvbn, with the person's name, email and office as known words), one's
own password change, invitations and reset links (one-time, hashed, expiring, said plainly),
reset by email through a real SMTP server, and unlocking."""

from __future__ import annotations

import re
from datetime import timedelta

from legal_tracker import db
from legal_tracker.accounts.auth import token_digest
from legal_tracker.accounts.tables import AccountLink, AuthToken
from legal_tracker.audit import AuditEvent
from legal_tracker.common import utcnow
from legal_tracker.organisation.tables import Staff
from tests.accounts.conftest import STRONG, app_client

PASSWORD = "correct horse battery"


async def _login(client, email, password):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


def _field_messages(response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def test_weak_passwords_are_refused_with_reasons_in_words(world):
    office = await world.office(name="Nairobi")
    base = {"name": "Amina Wanjiru", "role": "lawyer", "office_id": office["id"]}
    cases = {
        "short": "at least 12 characters",
        " " * 12: "Repeats",
        "password1234": "very common password",
        "Nairobi2026!!": "your organisation's name",
        "AminaWanjiru1": "your name",
        "amina.w@example.org": "email address",
    }
    for password, reason in cases.items():
        response = await world.client.post("/api/staff", headers=world.admin, json={
            **base, "email": "amina.w@example.org", "password": password})
        assert response.status_code == 422, password
        assert reason in _field_messages(response)["password"], (password, response.text)
    assert await Staff.count().where(Staff.name == "Amina Wanjiru") == 0  # nothing half-written
    made = await world.client.post("/api/staff", headers=world.admin, json={
        **base, "email": "amina.w@example.org", "password": STRONG})
    assert made.status_code == 201 and made.json()["invitation_url"] is None
    # An administrator setting someone's password meets the same rule.
    weak = await world.client.patch(f"/api/staff/{made.json()['id']}", headers=world.admin,
                                    json={"password": "qwertyuiop12"})
    assert weak.status_code == 422 and "password" in _field_messages(weak)


async def test_changing_ones_own_password_ends_every_other_session(world):
    office = await world.office()
    staff_id, first = await world.user("caseworker", office["id"], email="cw@example.org")
    second = await world.login("cw@example.org")
    wrong = await world.client.post("/api/auth/password", headers=first, json={
        "current_password": "not my password", "new_password": STRONG})
    assert wrong.status_code == 422 and "current_password" in _field_messages(wrong)
    row = await Staff.select(Staff.failed_logins).where(Staff.id == staff_id).first()
    assert row["failed_logins"] == 1  # counts toward the lockout like a wrong sign-in
    weak = await world.client.post("/api/auth/password", headers=first, json={
        "current_password": PASSWORD, "new_password": "cw@example.org1"})
    assert weak.status_code == 422 and "new_password" in _field_messages(weak)
    done = await world.client.post("/api/auth/password", headers=first, json={
        "current_password": PASSWORD, "new_password": STRONG})
    assert done.status_code == 204, done.text
    assert (await world.client.get("/api/offices", headers=first)).status_code == 200
    assert (await world.client.get("/api/offices", headers=second)).status_code == 401
    assert (await _login(world.client, "cw@example.org", PASSWORD)).status_code == 401
    assert (await _login(world.client, "cw@example.org", STRONG)).status_code == 200
    event = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.action == "password_changed") & (AuditEvent.entity_id == str(staff_id))).first()
    assert '"fields": ["password"]' in event["detail"] and STRONG not in event["detail"]


async def test_an_invited_account_chooses_its_password_once(world):
    office = await world.office()
    made = await world.client.post("/api/staff", headers=world.admin, json={
        "name": "Joseph Otieno", "email": "joseph@example.org", "role": "caseworker",
        "office_id": office["id"]})
    assert made.status_code == 201, made.text
    url = made.json()["invitation_url"]
    assert url.startswith("https://tracker.example.org/app/invitation/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 40 and made.json()["invitation_expires_at"]
    # Stored only as a digest; valid 72 hours.
    link = await AccountLink.select().where(AccountLink.staff == made.json()["id"]).first()
    assert link["token_hash"] == token_digest(token) and token not in repr(link)
    assert timedelta(hours=71) < link["expires_at"] - link["created_at"] <= timedelta(hours=72)
    # Nobody can sign in to an invited account before the password is chosen.
    assert (await _login(world.client, "joseph@example.org", "")).status_code in (401, 422)
    weak = await world.client.post("/api/auth/invitation/accept",
                                   json={"token": token, "password": "joseph otieno"})
    assert weak.status_code == 422 and "password" in _field_messages(weak)
    accepted = await world.client.post("/api/auth/invitation/accept",
                                       json={"token": token, "password": STRONG})
    assert accepted.status_code == 204, accepted.text
    assert (await _login(world.client, "joseph@example.org", STRONG)).status_code == 200
    again = await world.client.post("/api/auth/invitation/accept",
                                    json={"token": token, "password": "another Strong one 99"})
    assert again.status_code == 410 and "already been used" in again.json()["detail"]
    assert (await _login(world.client, "joseph@example.org", STRONG)).status_code == 200
    # Once a password exists, an invitation cannot be re-issued (a reset link is the way).
    reissue = await world.client.post(f"/api/staff/{made.json()['id']}/invitation",
                                      headers=world.admin)
    assert reissue.status_code == 409 and "reset" in reissue.json()["detail"]
    unknown = await world.client.post("/api/auth/invitation/accept",
                                      json={"token": "x" * 43, "password": STRONG})
    assert unknown.status_code == 404
    audit = [r["action"] for r in await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.entity_id == str(made.json()["id"])).order_by(AuditEvent.id)]
    assert audit[:2] == ["create", "invitation_issued"] and "invitation_accepted" in audit


async def test_expired_and_replaced_invitations_say_so(world):
    office = await world.office()
    made = (await world.client.post("/api/staff", headers=world.admin, json={
        "name": "Late Comer", "email": "late@example.org", "role": "viewer",
        "office_id": office["id"]})).json()
    first = made["invitation_url"].rsplit("/", 1)[1]
    await AccountLink.update({AccountLink.expires_at: utcnow() - timedelta(seconds=1)}).where(
        AccountLink.token_hash == token_digest(first))
    expired = await world.client.post("/api/auth/invitation/accept",
                                      json={"token": first, "password": STRONG})
    assert expired.status_code == 410 and "has expired" in expired.json()["detail"]
    assert expired.headers["content-type"].startswith("application/problem+json")
    lawyer_id, lawyer = await world.user("lawyer", office["id"])
    assert (await world.client.post(f"/api/staff/{made['id']}/invitation",
                                    headers=lawyer)).status_code == 403
    second = await world.client.post(f"/api/staff/{made['id']}/invitation", headers=world.admin)
    assert second.status_code == 201, second.text
    fresh = second.json()["invitation_url"].rsplit("/", 1)[1]
    third = (await world.client.post(f"/api/staff/{made['id']}/invitation",
                                     headers=world.admin)).json()["invitation_url"].rsplit("/", 1)[1]
    replaced = await world.client.post("/api/auth/invitation/accept",
                                       json={"token": fresh, "password": STRONG})
    assert replaced.status_code == 410 and "replaced" in replaced.json()["detail"]
    ok = await world.client.post("/api/auth/invitation/accept",
                                 json={"token": third, "password": STRONG})
    assert ok.status_code == 204
    # An invitation link is not a reset link, and the other way round.
    reset = await world.client.post("/api/auth/reset", json={"token": third, "password": STRONG})
    assert reset.status_code == 404


async def test_an_administrators_reset_link_ends_sessions_and_clears_a_lockout(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"], email="forgot@example.org")
    for _ in range(6):
        await _login(world.client, "forgot@example.org", "wrong password!!")
    assert (await _login(world.client, "forgot@example.org", PASSWORD)).status_code == 401
    issued = await world.client.post(f"/api/staff/{staff_id}/password-reset", headers=world.admin)
    assert issued.status_code == 201, issued.text
    url = issued.json()["reset_url"]
    assert url.startswith("https://tracker.example.org/app/reset/")
    token = url.rsplit("/", 1)[1]
    done = await world.client.post("/api/auth/reset", json={"token": token, "password": STRONG})
    assert done.status_code == 204, done.text
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 401
    assert (await _login(world.client, "forgot@example.org", PASSWORD)).status_code == 401
    assert (await _login(world.client, "forgot@example.org", STRONG)).status_code == 200
    used = await world.client.post("/api/auth/reset", json={"token": token, "password": STRONG})
    assert used.status_code == 410 and "already been used" in used.json()["detail"]
    event = await AuditEvent.select(AuditEvent.detail, AuditEvent.actor).where(
        AuditEvent.action == "password_reset").first()
    assert event["actor"] == staff_id and '"fields": ["password"]' in event["detail"]


async def test_an_administrator_unlocks_a_locked_account(world):
    office = await world.office()
    staff_id, lawyer = await world.user("lawyer", office["id"], email="locked-out@example.org")
    for _ in range(6):
        await _login(world.client, "locked-out@example.org", "wrong password!!")
    assert (await _login(world.client, "locked-out@example.org", PASSWORD)).status_code == 401
    assert (await world.client.post(f"/api/staff/{staff_id}/unlock",
                                    headers=lawyer)).status_code in (401, 403)
    unlocked = await world.client.post(f"/api/staff/{staff_id}/unlock", headers=world.admin)
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    assert (await _login(world.client, "locked-out@example.org", PASSWORD)).status_code == 200
    event = await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "account_unlocked").first()
    assert '"was_locked": true' in event["detail"]


async def test_reset_by_email_through_a_real_smtp_server(world, mail_server):
    office = await world.office()
    staff_id, headers = await world.user("caseworker", office["id"], email="mailme@example.org")
    settings = world.settings.with_overrides(smtp_url=mail_server.url,
                                             mail_from="tracker@example.org")
    async with app_client(settings) as client:
        asked = await client.post("/api/auth/reset-request", json={"email": "MailMe@example.org"})
        unknown = await client.post("/api/auth/reset-request", json={"email": "nobody@example.org"})
        # The same answer whether or not the address has an account.
        assert asked.status_code == unknown.status_code == 202
        assert asked.json() == unknown.json()
        assert len(mail_server.box.messages) == 1
        message = mail_server.box.messages[0]
        assert mail_server.box.recipients[0] == ["mailme@example.org"]
        assert message["From"] == "tracker@example.org" and message["Subject"] == "Password reset"
        body = message.get_payload(decode=True).decode()
        url = re.search(r"https://tracker\.example\.org/app/reset/(\S+)", body)
        assert url, body
        for word in ("trafficking", "abuse", "victim", "survivor", "case"):
            assert word not in body.lower()
        done = await client.post("/api/auth/reset", json={"token": url.group(1),
                                                          "password": STRONG})
        assert done.status_code == 204
        assert (await _login(client, "mailme@example.org", STRONG)).status_code == 200
        assert (await client.get("/api/offices", headers=headers)).status_code == 401
        # Requests are rate limited per address.
        statuses = [(await client.post("/api/auth/reset-request",
                                       json={"email": "nobody@example.org"})).status_code
                    for _ in range(5)]
        assert statuses[-1] == 429 and set(statuses[:2]) == {202}
    # Without outgoing mail configured, asking by email is not available at all. (The two apps
    # share the database, so they share the rate-limit counts too: start afresh.)
    await db.execute("DELETE FROM rate_limit_hit")
    plain = await world.client.post("/api/auth/reset-request", json={"email": "mailme@example.org"})
    assert plain.status_code == 404 and "ask an administrator" in plain.json()["detail"]
    assert await AuditEvent.count().where(AuditEvent.action == "password_reset_requested") >= 2
    del staff_id


async def test_emailed_resets_are_throttled_per_person(world, mail_server):
    office = await world.office()
    await world.user("caseworker", office["id"], email="flood@example.org")
    settings = world.settings.with_overrides(smtp_url=mail_server.url,
                                             mail_from="tracker@example.org")
    async with app_client(settings) as client:
        for _ in range(3):
            assert (await client.post("/api/auth/reset-request",
                                      json={"email": "flood@example.org"})).status_code == 202
    async with app_client(settings) as client:  # a fresh per-address limiter
        assert (await client.post("/api/auth/reset-request",
                                  json={"email": "flood@example.org"})).status_code == 202
    assert len(mail_server.box.messages) == 3
    # Only the newest emailed link works.
    assert await AccountLink.count().where(
        (AccountLink.kind == "reset") & AccountLink.revoked_at.is_null()) == 1


async def test_session_tokens_are_not_bearer_tokens(world):
    from legal_tracker.accounts import auth

    office = await world.office()
    await world.user("viewer", office["id"], email="web@example.org")
    issued = await auth.login(world.settings, "web@example.org", PASSWORD, kind="session")
    row = await AuthToken.select(AuthToken.kind).where(
        AuthToken.token_hash == token_digest(issued.token)).first()
    assert row["kind"] == "session"
    refused = await world.client.get("/api/offices",
                                     headers={"Authorization": f"Bearer {issued.token}"})
    assert refused.status_code == 401
    actor = await auth.authenticate(world.settings, issued.token, kind="session")
    assert actor.staff_id == issued.staff_id


async def test_an_invitation_used_twice_at_once_sets_one_password(world):
    import asyncio

    office = await world.office()
    made = (await world.client.post("/api/staff", headers=world.admin, json={
        "name": "Twice Clicked", "email": "twice@example.org", "role": "viewer",
        "office_id": office["id"]})).json()
    token = made["invitation_url"].rsplit("/", 1)[1]
    answers = await asyncio.gather(*[
        world.client.post("/api/auth/invitation/accept", json={"token": token, "password": p})
        for p in (STRONG, "Another kettle orbit 77")])
    assert sorted(a.status_code for a in answers) == [204, 410]
    winner = STRONG if answers[0].status_code == 204 else "Another kettle orbit 77"
    assert (await _login(world.client, "twice@example.org", winner)).status_code == 200
