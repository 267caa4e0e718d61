"""The fake gateway itself: later tests and benchmarks rely on it behaving like the real one."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from legal_tracker.reminders.gateways import AfricasTalkingGateway, RetryPolicy, TwilioGateway
from tests.reminders.units.fake_gateway import AT_API_KEY, AT_USERNAME, FakeSmsServer


async def test_africastalking_multi_recipient_with_one_refused(fake_sms: FakeSmsServer) -> None:
    fake_sms.set_number_behaviour("+254700000002", "blacklisted")
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{fake_sms.base_url}/version1/messaging",
            data={
                "username": AT_USERNAME,
                "to": "+254700000001,+254700000002",
                "message": "Hello",
            },
            headers={"apiKey": AT_API_KEY, "Accept": "application/json"},
        )
    assert response.status_code == 201
    recipients = response.json()["SMSMessageData"]["Recipients"]
    assert [(r["number"], r["statusCode"], r["status"]) for r in recipients] == [
        ("+254700000001", 101, "Success"),
        ("+254700000002", 406, "UserInBlacklist"),
    ]
    assert response.json()["SMSMessageData"]["Message"].startswith("Sent to 1/2")


async def test_scripted_failures_can_target_one_provider(fake_sms, fast_retry) -> None:
    fake_sms.fail_next(1, "server_error", provider="africastalking")
    async with (
        TwilioGateway(**fake_sms.twilio_kwargs(), retry=fast_retry) as twilio,
        AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=fast_retry) as at,
    ):
        assert (await twilio.send("+254700000001", "a")).attempts == 1
        assert (await at.send("+254700000001", "a")).attempts == 2


async def test_unknown_path_and_method(fake_sms) -> None:
    async with httpx.AsyncClient() as client:
        assert (await client.post(f"{fake_sms.base_url}/nope")).status_code == 404
        assert (await client.get(f"{fake_sms.base_url}/version1/messaging")).status_code == 405


def test_unknown_behaviour_is_refused(fake_sms) -> None:
    with pytest.raises(ValueError):
        fake_sms.fail_next(1, "explode")


async def test_many_concurrent_sends_are_all_recorded_once(fake_sms) -> None:
    retry = RetryPolicy(max_attempts=1)
    count = 300
    async with (
        TwilioGateway(**fake_sms.twilio_kwargs(), retry=retry) as twilio,
        AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=retry) as at,
    ):
        results = await asyncio.gather(
            *((twilio if i % 2 else at).send(f"+2547{i:08d}", f"message {i}") for i in range(count))
        )
    assert all(r.ok for r in results)
    assert len({r.provider_message_id for r in results}) == count
    assert fake_sms.request_count() == count
    assert len(fake_sms.wait_for_requests(count, timeout=1)) == count
    assert {r.body for r in fake_sms.accepted} == {f"message {i}" for i in range(count)}


def test_wait_for_requests_sees_other_threads(fake_sms) -> None:
    def send() -> None:
        httpx.post(
            f"{fake_sms.base_url}/version1/messaging",
            data={"username": AT_USERNAME, "to": "+254700000001", "message": "x"},
            headers={"apiKey": AT_API_KEY},
        )

    thread = threading.Thread(target=send)
    thread.start()
    assert len(fake_sms.wait_for_requests(1, timeout=5)) == 1
    thread.join()
    with pytest.raises(TimeoutError):
        fake_sms.wait_for_requests(2, timeout=0.1)
    fake_sms.reset()
    assert fake_sms.requests == []
