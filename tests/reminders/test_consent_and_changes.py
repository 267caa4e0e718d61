"""Consent from the phone across a key change, STOP/START, and delivery reports (issue 16
items 6 and 8)."""

from __future__ import annotations

from legal_tracker import crypto
from legal_tracker.crypto import FieldCipher, _decode_key, generate_key
from tests.reminders.conftest import iso_in, make_family, zone_at_local_hour

PUBLIC = "https://tracker.example.org"
INBOUND = "/webhooks/sms/twilio/inbound"
PHONE = "+254712345678"


async def _family(world):
    family = await make_family(world, court_tz=zone_at_local_hour(12))
    contact = await family.contact(PHONE)
    return family, contact


async def _reply(family, fake_sms, text: str):
    form, headers = fake_sms.twilio_inbound(PUBLIC + INBOUND, PHONE, text)
    return await family.client.post(INBOUND, data=form, headers=headers)


async def _consent(family, contact) -> bool:
    return (await family.client.get(f"/api/contacts/{contact['id']}",
                                    headers=family.admin)).json()["sms_consent"]


async def test_stop_is_honoured_between_a_new_key_and_rotate_key(world, twilio, fake_sms):
    family, contact = await _family(world)
    hearing = await family.hearing(iso_in(days=10))
    old = crypto.cipher()
    # A new key is configured; rotate-key has not yet re-indexed the contact's phone.
    crypto.set_cipher(FieldCipher(_decode_key(generate_key()), (old.current,)))
    try:
        response = await _reply(family, fake_sms, "STOP")
        assert response.status_code == 200
        assert await _consent(family, contact) is False
        assert await family.reminders(hearing_id=hearing["id"], status="pending") == []
    finally:
        crypto.set_cipher(old)


async def test_stop_then_start_repeats_neither_welcome_nor_notices(world, twilio, fake_sms):
    family, contact = await _family(world)
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()  # the welcome and the first notice
    response = await family.client.post(f"/api/hearings/{hearing['id']}/reschedule",
                                        json={"starts_at": iso_in(days=12)}, headers=family.admin)
    assert response.status_code == 200
    await twilio.run_once()  # "moved to ..."
    bodies = [r.body for r in fake_sms.accepted]
    assert len(bodies) == 3 and "moved to" in bodies[-1]
    await _reply(family, fake_sms, "STOP")
    await _reply(family, fake_sms, "START")
    assert await _consent(family, contact) is True
    rows = await family.reminders(contact_id=contact["id"], status="pending")
    assert sorted(r["kind"] for r in rows) == ["d1", "d3", "d7"]
    await twilio.run_once()
    assert [r.body for r in fake_sms.accepted] == bodies  # nothing repeated


async def test_start_after_a_change_the_family_missed_sends_the_change(world, twilio, fake_sms):
    family, contact = await _family(world)
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()  # the welcome and the first notice
    await _reply(family, fake_sms, "STOP")
    response = await family.client.post(f"/api/hearings/{hearing['id']}/reschedule",
                                        json={"starts_at": iso_in(days=12)}, headers=family.admin)
    assert response.status_code == 200
    await _reply(family, fake_sms, "START")
    await twilio.run_once()
    bodies = [r.body for r in fake_sms.accepted]
    assert len(bodies) == 3 and "moved to" in bodies[-1]


async def test_a_delivered_report_after_a_failed_one_clears_the_error(world, twilio, fake_sms):
    family, contact = await _family(world)
    await family.hearing(iso_in(days=10))
    await twilio.run_once()
    sent = fake_sms.accepted[-1]
    url = PUBLIC + "/webhooks/sms/twilio/status"
    for status, code in (("failed", "30003"), ("delivered", None)):
        form, headers = fake_sms.twilio_status_callback(url, sent.message_id, status, to=PHONE,
                                                        error_code=code)
        response = await family.client.post("/webhooks/sms/twilio/status", data=form,
                                            headers=headers)
        assert response.status_code in (200, 204)
    rows = [r for r in await family.reminders(contact_id=contact["id"])
            if r["provider_message_id"] == sent.message_id]
    assert len(rows) == 1
    assert rows[0]["status"] == "delivered"
    assert rows[0]["error_code"] is None and rows[0]["error_message"] is None
    assert rows[0]["phone_flagged_at"] is None
