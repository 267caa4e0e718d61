"""Two-factor sign-in (TOTP, RFC 6238): enrolment with a QR code and one code, recovery codes
shown once and stored hashed, replayed codes refused, wrong codes counting toward the
lockout, LEGAL_TRACKER_REQUIRE_2FA, the secret encrypted and rotated with the key, and an
administrator resetting someone's second factor. Codes come from pyotp."""

from __future__ import annotations

from legal_tracker import crypto
from legal_tracker.accounts.tables import RecoveryCode, StaffMfa
from legal_tracker.audit import AuditEvent
from legal_tracker.crypto import FieldCipher, _decode_key, generate_key
from legal_tracker.key_rotation import rotate_keys
from legal_tracker.organisation.tables import Staff
from tests.accounts.conftest import app_client, code, wrong_code
from tests.conftest import TEST_KEY

PASSWORD = "correct horse battery"


async def _login(client, email, password=PASSWORD):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def _enrol(client, headers) -> tuple[str, list[str]]:
    setup = await client.post("/api/auth/mfa/setup", headers=headers)
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["qr_svg"].startswith("<svg") and body["qr_png_data_uri"].startswith(
        "data:image/png;base64,")
    assert body["otpauth_uri"].startswith("otpauth://totp/") and body["secret"] in body["otpauth_uri"]
    assert "issuer=tracker.example.org" in body["otpauth_uri"]
    confirmed = await client.post("/api/auth/mfa/confirm", headers=headers,
                                  json={"code": code(body["secret"])})
    assert confirmed.status_code == 200, confirmed.text
    return body["secret"], confirmed.json()["recovery_codes"]


async def test_enrolment_needs_a_valid_code_and_then_sign_in_needs_one(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"], email="otp@example.org")
    status = (await world.client.get("/api/auth/mfa", headers=headers)).json()
    assert status == {"enrolled": False, "enrolled_at": None, "pending": False,
                      "recovery_codes_left": 0, "required": False}
    setup = (await world.client.post("/api/auth/mfa/setup", headers=headers)).json()
    secret = setup["secret"]
    bad = await world.client.post("/api/auth/mfa/confirm", headers=headers,
                                  json={"code": wrong_code(secret)})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "code"
    # Not enrolled until a code proved the phone has the secret.
    assert "mfa_required" not in (await _login(world.client, "otp@example.org")).json()
    confirming = code(secret)
    ok = await world.client.post("/api/auth/mfa/confirm", headers=headers,
                                 json={"code": confirming})
    assert ok.status_code == 200
    codes = ok.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    status = (await world.client.get("/api/auth/mfa", headers=headers)).json()
    assert status["enrolled"] and status["recovery_codes_left"] == 10
    # Stored encrypted and hashed, never in clear.
    row = await StaffMfa.select().where(StaffMfa.staff == staff_id).first()
    assert row["secret_enc"].startswith("v1:") and secret not in row["secret_enc"]
    assert row["pending_secret_enc"] is None
    hashes = [r["code_hash"] for r in await RecoveryCode.select().where(RecoveryCode.staff == staff_id)]
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c in h or c.replace("-", "") in h for c in codes for h in hashes)

    first = await _login(world.client, "otp@example.org")
    assert first.status_code == 200
    challenge = first.json()
    assert challenge["mfa_required"] is True and "token" not in challenge
    assert challenge["enrolment_required"] is False
    # The same code that confirmed the enrolment is refused: replayed within its window.
    replay = await world.client.post("/api/auth/login/mfa",
                                     json={"mfa_token": challenge["mfa_token"], "code": confirming})
    assert replay.status_code == 401 and "already been used" in replay.json()["detail"]
    signed_in = await world.client.post("/api/auth/login/mfa", json={
        "mfa_token": challenge["mfa_token"], "code": code(secret, 1)})
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["token"]
    assert signed_in.json()["recovery_codes"] is None
    assert (await world.client.get("/api/offices",
                                   headers={"Authorization": f"Bearer {token}"})).status_code == 200
    # A challenge works once.
    again = await world.client.post("/api/auth/login/mfa", json={
        "mfa_token": challenge["mfa_token"], "code": codes[0]})
    assert again.status_code == 401 and "sign in again" in again.json()["detail"]
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.entity_id == str(staff_id))]
    assert {"mfa_enrolment_started", "mfa_enrolled", "login_password_ok", "login"} <= set(actions)


async def test_recovery_codes_work_once_each(world):
    office = await world.office()
    _, headers = await world.user("caseworker", office["id"], email="lostphone@example.org")
    _, codes = await _enrol(world.client, headers)
    challenge = (await _login(world.client, "lostphone@example.org")).json()["mfa_token"]
    used = await world.client.post("/api/auth/login/mfa",
                                   json={"mfa_token": challenge, "code": codes[3].upper()})
    assert used.status_code == 200, used.text
    challenge = (await _login(world.client, "lostphone@example.org")).json()["mfa_token"]
    reused = await world.client.post("/api/auth/login/mfa",
                                     json={"mfa_token": challenge, "code": codes[3]})
    assert reused.status_code == 401
    other = await world.client.post("/api/auth/login/mfa",
                                    json={"mfa_token": challenge, "code": codes[4]})
    assert other.status_code == 200
    status = (await world.client.get("/api/auth/mfa", headers=headers)).json()
    assert status["recovery_codes_left"] == 8


async def test_wrong_codes_count_toward_the_lockout(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"], email="guess@example.org")
    secret, _ = await _enrol(world.client, headers)
    challenge = (await _login(world.client, "guess@example.org")).json()["mfa_token"]
    for attempt in range(6):
        wrong = await world.client.post("/api/auth/login/mfa",
                                        json={"mfa_token": challenge, "code": wrong_code(secret)})
        assert wrong.status_code == 401, attempt
    row = await Staff.select(Staff.locked_until).where(Staff.id == staff_id).first()
    assert row["locked_until"] is not None
    right = await world.client.post("/api/auth/login/mfa",
                                    json={"mfa_token": challenge, "code": code(secret, 1)})
    assert right.status_code == 401 and "locked" in right.json()["detail"]
    failures = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.action == "login_failed") & (AuditEvent.entity_id == str(staff_id)))
    assert sum('"step": "second_factor"' in f["detail"] for f in failures) == 7


async def test_admins_must_enrol_after_the_password_step_by_default(world):
    office = await world.office()
    lawyer_id, _ = await world.user("lawyer", office["id"], email="lawyer2fa@example.org")
    admin_id, _ = await world.user("admin", office["id"], email="officeadmin@example.org")
    settings = world.settings.with_overrides(require_2fa="admins")
    async with app_client(settings) as client:
        # Others sign in with a password alone.
        assert "token" in (await _login(client, "lawyer2fa@example.org")).json()
        answer = (await _login(client, "officeadmin@example.org")).json()
        assert answer["mfa_required"] is True and answer["enrolment_required"] is True
        enrol = await client.post("/api/auth/login/mfa/enrol",
                                  json={"mfa_token": answer["mfa_token"]})
        assert enrol.status_code == 200, enrol.text
        secret = enrol.json()["secret"]
        wrong = await client.post("/api/auth/login/mfa", json={
            "mfa_token": answer["mfa_token"], "code": wrong_code(secret)})
        assert wrong.status_code == 401
        done = await client.post("/api/auth/login/mfa", json={
            "mfa_token": answer["mfa_token"], "code": code(secret)})
        assert done.status_code == 200, done.text
        assert len(done.json()["recovery_codes"]) == 10
        headers = {"Authorization": f"Bearer {done.json()['token']}"}
        status = (await client.get("/api/auth/mfa", headers=headers)).json()
        assert status["enrolled"] and status["required"]
        # A person who must use two-factor sign-in cannot switch it off.
        off = await client.post("/api/auth/mfa/disable", headers=headers,
                                json={"password": PASSWORD})
        assert off.status_code == 409
        # From now on the password step asks for a code, not an enrolment.
        again = (await _login(client, "officeadmin@example.org")).json()
        assert again["enrolment_required"] is False
    async with app_client(world.settings.with_overrides(require_2fa="all")) as client:
        assert (await _login(client, "lawyer2fa@example.org")).json()["enrolment_required"] is True
    del lawyer_id, admin_id


async def test_an_administrator_resets_a_lost_second_factor(world):
    office = await world.office()
    staff_id, headers = await world.user("caseworker", office["id"], email="newphone@example.org")
    await _enrol(world.client, headers)
    _, lawyer = await world.user("lawyer", office["id"])
    assert (await world.client.post(f"/api/staff/{staff_id}/mfa-reset",
                                    headers=lawyer)).status_code == 403
    reset = await world.client.post(f"/api/staff/{staff_id}/mfa-reset", headers=world.admin)
    assert reset.status_code == 204, reset.text
    # Their sessions ended; the next sign-in needs the password only (not required for them).
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 401
    assert "token" in (await _login(world.client, "newphone@example.org")).json()
    assert await RecoveryCode.count().where(RecoveryCode.staff == staff_id) == 0
    assert (await world.client.post(f"/api/staff/{staff_id}/mfa-reset",
                                    headers=world.admin)).status_code == 409
    event = await AuditEvent.select(AuditEvent.actor).where(
        (AuditEvent.action == "mfa_reset") & (AuditEvent.entity_id == str(staff_id))).first()
    assert event is not None and event["actor"] != staff_id


async def test_replacing_an_authenticator_needs_the_password(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"], email="replace@example.org")
    old_secret, _ = await _enrol(world.client, headers)
    refused = await world.client.post("/api/auth/mfa/setup", headers=headers, json={})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "password"
    setup = await world.client.post("/api/auth/mfa/setup", headers=headers,
                                    json={"password": PASSWORD})
    assert setup.status_code == 200
    new_secret = setup.json()["secret"]
    # Until confirmed, the old authenticator is still the one that signs in.
    challenge = (await _login(world.client, "replace@example.org")).json()["mfa_token"]
    assert (await world.client.post("/api/auth/login/mfa", json={
        "mfa_token": challenge, "code": code(old_secret, 1)})).status_code == 200
    # The new secret's codes are its own: confirming right after using the old one works.
    confirming = code(new_secret)
    confirmed = await world.client.post("/api/auth/mfa/confirm", headers=headers,
                                        json={"code": confirming})
    assert confirmed.status_code == 200, confirmed.text
    regenerated = await world.client.post("/api/auth/mfa/recovery-codes", headers=headers,
                                          json={"code": confirming})
    assert regenerated.status_code == 422  # that code was just used
    assert "already used" in regenerated.json()["errors"][0]["message"]
    regenerated = await world.client.post("/api/auth/mfa/recovery-codes", headers=headers,
                                          json={"code": code(new_secret, 1)})
    assert regenerated.status_code == 200 and len(regenerated.json()["recovery_codes"]) == 10
    # The new secret replaced the old one.
    row = await StaffMfa.select(StaffMfa.secret_enc).where(
        StaffMfa.staff == staff_id).first()
    stored = crypto.cipher().decrypt(row["secret_enc"], context="staff_mfa.secret")
    assert stored == new_secret != old_secret


async def test_the_totp_secret_rotates_with_the_key(world):
    office = await world.office()
    staff_id, headers = await world.user("lawyer", office["id"], email="rotate@example.org")
    secret, _ = await _enrol(world.client, headers)
    before = (await StaffMfa.select(StaffMfa.secret_enc).where(StaffMfa.staff == staff_id).first())
    new_key = generate_key()
    crypto.set_cipher(FieldCipher(_decode_key(new_key), (_decode_key(TEST_KEY),)))
    counts = await rotate_keys()
    assert counts["staff_mfa.secret_enc"] == 1
    after = (await StaffMfa.select(StaffMfa.secret_enc).where(StaffMfa.staff == staff_id).first())
    assert after["secret_enc"] != before["secret_enc"]
    assert after["secret_enc"].startswith(f"v1:{crypto.cipher().current_id}:")
    # Only the new key is needed now, and the same phone still signs in.
    crypto.set_cipher(FieldCipher(_decode_key(new_key)))
    challenge = (await _login(world.client, "rotate@example.org")).json()["mfa_token"]
    assert (await world.client.post("/api/auth/login/mfa", json={
        "mfa_token": challenge, "code": code(secret, 1)})).status_code == 200


async def test_one_code_offered_twice_at_once_signs_in_once(world):
    import asyncio

    office = await world.office()
    _, headers = await world.user("lawyer", office["id"], email="race@example.org")
    secret, _ = await _enrol(world.client, headers)
    first = (await _login(world.client, "race@example.org")).json()["mfa_token"]
    second = (await _login(world.client, "race@example.org")).json()["mfa_token"]
    same = code(secret, 1)
    answers = await asyncio.gather(*[
        world.client.post("/api/auth/login/mfa", json={"mfa_token": t, "code": same})
        for t in (first, second)])
    assert sorted(a.status_code for a in answers) == [200, 401]


async def test_the_command_line_resets_a_lone_admins_phone_and_password(world):
    import asyncio

    from tests.accounts.test_login_and_tokens import _cli

    _, headers = await world.user("admin", None, email="lone@example.org")
    await _enrol(world.client, headers)
    removed = await asyncio.to_thread(_cli, world.settings, "reset-2fa", "--email",
                                      "Lone@example.org", stdin="")
    assert removed.returncode == 0, removed.stderr
    assert await StaffMfa.count() == 0
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 401
    link = await asyncio.to_thread(_cli, world.settings, "reset-link", "--email",
                                   "lone@example.org", stdin="")
    assert link.returncode == 0, link.stderr
    token = link.stdout.split("/app/reset/", 1)[1].split()[0]
    assert (await world.client.post("/api/auth/reset", json={
        "token": token, "password": "Kettle orbit parsley 42"})).status_code == 204
    unknown = await asyncio.to_thread(_cli, world.settings, "reset-2fa", "--email",
                                      "nobody@example.org", stdin="")
    assert unknown.returncode == 2
