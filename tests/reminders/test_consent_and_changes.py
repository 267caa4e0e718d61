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
