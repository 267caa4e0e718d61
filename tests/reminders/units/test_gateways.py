from __future__ import annotations

import base64
import logging
import time
from types import SimpleNamespace

import httpx
import pytest

from legal_tracker.reminders.gateways import (
    AT_LIVE_BASE_URL,
    AT_SANDBOX_BASE_URL,
    TWILIO_BASE_URL,
    AfricasTalkingGateway,
    ConsoleGateway,
    RetryPolicy,
    TwilioGateway,
    create_gateway,
    mask_phone,
    scrub_phone_numbers,
)
from tests.reminders.units.fake_gateway import (
    AT_API_KEY,
    AT_USERNAME,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    FakeSmsServer,
)

TO = "+254712345678"
BODY = "Reminder: appointment at Kibera Law Courts, Tue, 3 Dec, 09:00."
CALLBACK = "https://tracker.example.org/webhooks/sms/twilio/status"


@pytest.fixture
async def twilio(fake_sms: FakeSmsServer, fast_retry: RetryPolicy):
    gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=fast_retry)
    yield gateway
    await gateway.aclose()


@pytest.fixture
async def africastalking(fake_sms: FakeSmsServer, fast_retry: RetryPolicy):
    gateway = AfricasTalkingGateway(**fake_sms.africastalking_kwargs("TUMAINI"), retry=fast_retry)
    yield gateway
    await gateway.aclose()


@pytest.fixture(params=["twilio", "africastalking"])
async def any_gateway(request, fake_sms: FakeSmsServer, fast_retry: RetryPolicy):
    if request.param == "twilio":
        gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=fast_retry)
    else:
        gateway = AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=fast_retry)
    yield gateway
    await gateway.aclose()


# --- Twilio wire format ------------------------------------------------------------------


async def test_twilio_request_is_what_twilio_expects(twilio, fake_sms) -> None:
    result = await twilio.send(TO, BODY, callback_url=CALLBACK)

    [request] = fake_sms.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"
    expected_auth = base64.b64encode(f"{TWILIO_ACCOUNT_SID}:{TWILIO_AUTH_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected_auth}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {
        "To": TO,
        "From": "+15005550006",
        "Body": BODY,
        "StatusCallback": CALLBACK,
    }
    assert result.ok and not result.retryable and not result.opted_out
    assert result.status == "queued"
    assert result.provider_message_id == request.message_id
    assert result.provider_message_id.startswith("SM")
    assert result.attempts == 1


async def test_twilio_messaging_service_sid(fake_sms, fast_retry) -> None:
    service = "MG" + "a" * 32
    async with TwilioGateway(**fake_sms.twilio_kwargs(from_=service), retry=fast_retry) as gw:
        result = await gw.send(TO, BODY)
    [request] = fake_sms.requests
    assert request.form == {"To": TO, "Body": BODY, "MessagingServiceSid": service}
    assert "From" not in request.form and "StatusCallback" not in request.form
    assert result.ok and result.status == "accepted"


async def test_twilio_bad_credentials_fail_without_retry(fake_sms, fast_retry) -> None:
    kwargs = {**fake_sms.twilio_kwargs(), "auth_token": "wrong"}
    async with TwilioGateway(**kwargs, retry=fast_retry) as gw:
        result = await gw.send(TO, BODY)
    assert not result.ok and not result.retryable
    assert result.error_code == "20003"
    assert len(fake_sms.requests) == 1


async def test_twilio_default_base_url() -> None:
    gw = TwilioGateway(account_sid="AC1", auth_token="t", from_="+1")
    assert gw.messages_url == f"{TWILIO_BASE_URL}/2010-04-01/Accounts/AC1/Messages.json"
    await gw.aclose()


# --- Africa's Talking wire format --------------------------------------------------------


async def test_africastalking_request_is_what_africastalking_expects(africastalking, fake_sms):
    result = await africastalking.send(TO, BODY, callback_url=CALLBACK)

    [request] = fake_sms.requests
    assert request.path == "/version1/messaging"
    assert request.headers["apikey"] == AT_API_KEY
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    # Delivery reports are registered in the dashboard, so no callback field is sent.
    assert request.form == {"username": AT_USERNAME, "to": TO, "message": BODY, "from": "TUMAINI"}
    assert result.ok and result.status == "Success"
    assert result.provider_message_id == request.message_id
    assert result.provider_message_id.startswith("ATXid_")


async def test_africastalking_without_sender_id_omits_from(fake_sms, fast_retry) -> None:
    async with AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=fast_retry) as gw:
        assert (await gw.send(TO, BODY)).ok
    assert "from" not in fake_sms.requests[0].form


async def test_africastalking_bad_api_key(fake_sms, fast_retry) -> None:
    kwargs = {**fake_sms.africastalking_kwargs(), "api_key": "wrong"}
    async with AfricasTalkingGateway(**kwargs, retry=fast_retry) as gw:
        result = await gw.send(TO, BODY)
    assert not result.ok and not result.retryable and result.error_code == "401"


async def test_africastalking_base_urls() -> None:
    sandbox = AfricasTalkingGateway(username="sandbox", api_key="k")
    live = AfricasTalkingGateway(username="tumaini", api_key="k")
    assert sandbox.messaging_url == f"{AT_SANDBOX_BASE_URL}/version1/messaging"
    assert live.messaging_url == f"{AT_LIVE_BASE_URL}/version1/messaging"
    assert sandbox.messaging_url == "https://api.sandbox.africastalking.com/version1/messaging"


# --- retries -----------------------------------------------------------------------------


async def test_rate_limited_then_success(any_gateway, fake_sms) -> None:
    gateway = any_gateway
    fake_sms.fail_next(1, "rate_limited")
    result = await gateway.send(TO, BODY)
    assert result.ok and result.attempts == 2
    assert [r.status for r in fake_sms.requests] == [429, 201]


async def test_server_errors_exhaust_retries_and_report_failure(any_gateway, fake_sms) -> None:
    gateway = any_gateway
    fake_sms.fail_next(10, "server_error")
    result = await gateway.send(TO, BODY)
    assert not result.ok
    assert result.retryable  # the dispatcher may try again later
    assert result.attempts == 4
    assert len(fake_sms.requests) == 4
    assert result.provider_message_id is None


async def test_network_error_then_success(any_gateway, fake_sms) -> None:
    gateway = any_gateway
    fake_sms.fail_next(2, "disconnect")
    result = await gateway.send(TO, BODY)
    assert result.ok and result.attempts == 3
    assert len(fake_sms.accepted) == 1


async def test_unreachable_gateway_is_a_retryable_network_failure(fast_retry) -> None:
    with FakeSmsServer() as server:
        kwargs = server.twilio_kwargs()
    # The server is gone: connection refused on every attempt.
    async with TwilioGateway(**kwargs, retry=fast_retry) as gw:
        result = await gw.send(TO, BODY)
    assert not result.ok and result.retryable
    assert result.status == "network_error"
    assert result.error_code == "ConnectError"
    assert result.attempts == 4


async def test_africastalking_recipient_level_server_error_is_retried(africastalking, fake_sms):
    fake_sms.fail_next(1, "recipient_error")
    result = await africastalking.send(TO, BODY)
    assert result.ok and result.attempts == 2


@pytest.mark.parametrize(
    ("any_gateway", "behaviour", "code"),
    [
        ("twilio", "invalid_number", "21211"),
        ("twilio", "not_mobile", "21614"),
        ("africastalking", "invalid_number", "403"),
        ("africastalking", "not_mobile", "404"),
        ("africastalking", "insufficient_balance", "405"),
    ],
    indirect=["any_gateway"],
)
async def test_no_retry_on_a_number_the_provider_refuses(any_gateway, behaviour, code, fake_sms) -> None:
    gateway = any_gateway
    fake_sms.set_number_behaviour(TO, behaviour)
    result = await gateway.send(TO, BODY)
    assert not result.ok and not result.retryable and not result.opted_out
    assert result.error_code == code
    assert result.attempts == 1 and len(fake_sms.requests) == 1
    assert result.error_message
    # Providers echo the number in errors; it must not reach our database or screens.
    assert TO not in result.error_message


@pytest.mark.parametrize(
    ("any_gateway", "behaviour", "code"),
    [
        ("twilio", "opted_out", "21610"),
        ("africastalking", "blacklisted", "406"),
    ],
    indirect=["any_gateway"],
)
async def test_opted_out_recipient(any_gateway, behaviour, code, fake_sms) -> None:
    gateway = any_gateway
    fake_sms.set_number_behaviour(TO, behaviour)
    result = await gateway.send(TO, BODY)
    assert result.opted_out and not result.ok and not result.retryable
    assert result.error_code == code
    assert len(fake_sms.requests) == 1
    # Other numbers are unaffected.
    assert (await gateway.send("+254700000009", BODY)).ok


async def test_backoff_grows_exponentially_and_honours_retry_after(fake_sms) -> None:
    delays: list[float] = []

    async def record_sleep(seconds: float) -> None:
        delays.append(seconds)

    retry = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=1.0, jitter=0.0)
    async with TwilioGateway(**fake_sms.twilio_kwargs(), retry=retry, sleep=record_sleep) as gw:
        fake_sms.fail_next(3, "server_error")
        assert (await gw.send(TO, BODY)).ok
    assert delays == pytest.approx([0.1, 0.2, 0.4])

    policy = RetryPolicy(base_delay=0.1, max_delay=5.0, jitter=0.0)
    assert policy.delay(0, retry_after=2.0) == 2.0
    assert policy.delay(0, retry_after=60.0) == 5.0  # capped
    assert policy.delay(10) == 5.0
    jittery = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.5)
    assert all(0.5 <= jittery.delay(0) <= 1.0 for _ in range(100))


async def test_rate_limit_is_shared_by_the_gateway_instance(fake_sms, fast_retry) -> None:
    import asyncio

    gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=fast_retry, rate_per_second=20, burst=1)
    started = time.monotonic()
    results = await asyncio.gather(*(gateway.send(f"+25470000{i:04d}", BODY) for i in range(6)))
    elapsed = time.monotonic() - started
    await gateway.aclose()
    assert all(r.ok for r in results)
    # Burst of one, then one every 50 ms: five waits. A lower bound only: a loaded machine
    # makes the sends slower, never faster (the gaps the server sees are not checked, since
    # connection set-up under load can squeeze them together).
    assert elapsed >= 0.24
    assert len(fake_sms.requests) == 6


async def test_injected_client_is_used_and_not_closed(fake_sms, fast_retry) -> None:
    async with httpx.AsyncClient() as client:
        gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=fast_retry, client=client)
        assert (await gateway.send(TO, BODY)).ok
        await gateway.aclose()
        assert not client.is_closed


async def test_empty_body_is_refused(twilio) -> None:
    with pytest.raises(ValueError):
        await twilio.send(TO, "")


# --- console, factory, logging -----------------------------------------------------------


async def test_console_gateway_records_and_masks(caplog) -> None:
    caplog.set_level(logging.INFO, logger="legal_tracker.reminders")
    gateway = ConsoleGateway()
    result = await gateway.send(TO, BODY, callback_url=CALLBACK)
    assert result.ok and result.provider_message_id.startswith("console-")
    [message] = gateway.outbox
    assert (message.to, message.body, message.callback_url) == (TO, BODY, CALLBACK)
    assert TO not in caplog.text
    assert "+2547•••••678" in caplog.text
    gateway.clear()
    assert gateway.outbox == []


async def test_logs_never_carry_the_number(twilio, fake_sms, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    fake_sms.fail_next(1, "rate_limited")
    fake_sms.set_number_behaviour("+254799999999", "invalid_number")
    await twilio.send(TO, BODY)
    await twilio.send("+254799999999", BODY)
    assert caplog.records
    assert TO not in caplog.text and "254712345678" not in caplog.text
    assert "+254799999999" not in caplog.text


def test_mask_phone() -> None:
    assert mask_phone("+254712345678") == "+2547•••••678"
    assert mask_phone("+639171234567") == "+6391•••••567"
    assert mask_phone("12345") == "•••••"
    assert mask_phone(None) == "?"
    assert scrub_phone_numbers("The 'To' number +254712345678 is bad") == (
        "The 'To' number +2547•••••678 is bad"
    )
    assert scrub_phone_numbers("error 21211") == "error 21211"


async def test_create_gateway_from_settings_and_kwargs(fake_sms) -> None:
    settings = SimpleNamespace(
        sms_gateway="twilio",
        twilio_account_sid=TWILIO_ACCOUNT_SID,
        twilio_auth_token=SimpleNamespace(get_secret_value=lambda: TWILIO_AUTH_TOKEN),
        twilio_from="+15005550006",
        twilio_base_url=fake_sms.base_url,
    )
    gateway = create_gateway(settings=settings)
    assert isinstance(gateway, TwilioGateway)
    assert (await gateway.send(TO, BODY)).ok
    await gateway.aclose()

    at = create_gateway("africastalking", **fake_sms.africastalking_kwargs())
    assert isinstance(at, AfricasTalkingGateway)
    assert (await at.send(TO, BODY)).ok
    await at.aclose()

    assert isinstance(create_gateway(), ConsoleGateway)
    assert isinstance(create_gateway(settings=SimpleNamespace(sms_gateway=None)), ConsoleGateway)
    with pytest.raises(ValueError, match="unknown SMS gateway"):
        create_gateway("carrier-pigeon")
    with pytest.raises(ValueError, match="Twilio needs"):
        create_gateway("twilio", settings=SimpleNamespace())
