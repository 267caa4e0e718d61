"""The OpenAPI document says what the SMS webhooks really answer (issue 16 item 10): the
status callbacks and Africa's Talking's inbound answer 204 with no body, Twilio's inbound
answers TwiML (application/xml)."""

from __future__ import annotations

from tests.reminders.test_consent_and_changes import INBOUND, PUBLIC, _family, _reply


async def test_the_document_matches_the_answers(world, twilio, fake_sms):
    spec = (await world.client.get("/schema/openapi.json")).json()

    def success(path: str) -> dict:
        responses = spec["paths"][path]["post"]["responses"]
        return {code: sorted((r.get("content") or {}).keys())
                for code, r in responses.items() if code.startswith("2")}

    assert success("/webhooks/sms/twilio/status") == {"204": []}
    assert success("/webhooks/sms/africastalking/delivery") == {"204": []}
    assert success("/webhooks/sms/africastalking/inbound") == {"204": []}
    assert success(INBOUND) == {"200": ["application/xml"]}
    family, _contact = await _family(world)
    response = await _reply(family, fake_sms, "HELP")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    form, headers = fake_sms.twilio_status_callback(PUBLIC + "/webhooks/sms/twilio/status",
                                                    "SM" + "0" * 32, "delivered")
    response = await family.client.post("/webhooks/sms/twilio/status", data=form, headers=headers)
    assert response.status_code == 204 and response.content == b""
