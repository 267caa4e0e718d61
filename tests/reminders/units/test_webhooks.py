from __future__ import annotations

from datetime import UTC, datetime

import pytest

from legal_tracker.reminders.keywords import Keyword
from legal_tracker.reminders.webhooks import (
    africastalking_callback_url,
    new_webhook_secret,
    parse_africastalking_delivery,
    parse_africastalking_inbound,
    parse_twilio_inbound,
    parse_twilio_status,
    twilio_signature,
    twilio_status_callback_url,
    validate_africastalking_secret,
    validate_twilio_signature,
)
from tests.reminders.units.fake_gateway import TWILIO_AUTH_TOKEN, FakeSmsServer

# The example from Twilio's request-validation documentation.
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

STATUS_URL = "https://tracker.example.org/webhooks/sms/twilio/status"


def test_signature_matches_twilio_documentation_example() -> None:
    assert twilio_signature("12345", DOC_URL, DOC_PARAMS) == DOC_SIGNATURE
    assert validate_twilio_signature("12345", DOC_URL, DOC_PARAMS, DOC_SIGNATURE)


def test_signature_accepts_pairs_and_multi_values_in_any_order() -> None:
    pairs = list(reversed(DOC_PARAMS.items()))
    assert validate_twilio_signature("12345", DOC_URL, pairs, DOC_SIGNATURE)
    as_lists = {k: [v] for k, v in DOC_PARAMS.items()}
    assert validate_twilio_signature("12345", DOC_URL, as_lists, DOC_SIGNATURE)


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        ("12345", DOC_URL, DOC_PARAMS, None),  # missing header
        ("12345", DOC_URL, DOC_PARAMS, ""),
        ("12345", DOC_URL, DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"),  # truncated
        ("wrong", DOC_URL, DOC_PARAMS, DOC_SIGNATURE),  # another account's token
        ("12345", DOC_URL.replace("foo=1", "foo=2"), DOC_PARAMS, DOC_SIGNATURE),
        ("12345", DOC_URL, {**DOC_PARAMS, "Digits": "9999"}, DOC_SIGNATURE),  # tampered
        ("12345", DOC_URL, {**DOC_PARAMS, "Extra": "x"}, DOC_SIGNATURE),
        ("", DOC_URL, DOC_PARAMS, DOC_SIGNATURE),
    ],
)
def test_bad_or_missing_signature_is_refused(token, url, params, signature) -> None:
    assert not validate_twilio_signature(token, url, params, signature)


def test_signature_tolerates_default_port_differences() -> None:
    with_port = "https://tracker.example.org:443/webhooks/sms/twilio/status"
    signature = twilio_signature("tok", with_port, {"A": "1"})
    assert validate_twilio_signature("tok", STATUS_URL, {"A": "1"}, signature)
    signature = twilio_signature("tok", STATUS_URL, {"A": "1"})
    assert validate_twilio_signature("tok", with_port, {"A": "1"}, signature)
    other_port = "https://tracker.example.org:8443/webhooks/sms/twilio/status"
    assert not validate_twilio_signature("tok", other_port, {"A": "1"}, signature)


def test_fake_server_builds_callbacks_that_validate() -> None:
    fake = FakeSmsServer()  # helpers work without starting the server
    form, headers = fake.twilio_status_callback(STATUS_URL, "SM123", "delivered")
    assert validate_twilio_signature(TWILIO_AUTH_TOKEN, STATUS_URL, form, headers["X-Twilio-Signature"])
    inbound_url = "https://tracker.example.org/webhooks/sms/twilio/inbound"
    form, headers = fake.twilio_inbound(inbound_url, "+254711000000", "STOP")
    assert validate_twilio_signature(TWILIO_AUTH_TOKEN, inbound_url, form, headers["X-Twilio-Signature"])
    assert not validate_twilio_signature(TWILIO_AUTH_TOKEN, STATUS_URL, form, headers["X-Twilio-Signature"])


@pytest.mark.parametrize(
    ("status", "state", "final"),
    [
        ("accepted", "sending", False),
        ("queued", "sending", False),
        ("sending", "sending", False),
        ("sent", "sent", False),
        ("delivered", "delivered", True),
        ("undelivered", "failed", True),
        ("failed", "failed", True),
    ],
)
def test_twilio_status_callback(status: str, state: str, final: bool) -> None:
    form, _ = FakeSmsServer().twilio_status_callback(STATUS_URL, "SMabc", status)
    report = parse_twilio_status(form)
    assert report.provider == "twilio"
    assert report.provider_message_id == "SMabc"
    assert report.provider_status == status
    assert (report.state, report.final) == (state, final)
    assert not report.opted_out


def test_twilio_status_callback_with_error_codes() -> None:
    fake = FakeSmsServer()
    form, _ = fake.twilio_status_callback(STATUS_URL, "SM1", "undelivered", error_code="30003")
    report = parse_twilio_status(form)
    assert (report.state, report.error_code, report.opted_out) == ("failed", "30003", False)
    form, _ = fake.twilio_status_callback(STATUS_URL, "SM2", "failed", error_code="21610")
    assert parse_twilio_status(form).opted_out


def test_twilio_status_callback_needs_sid_and_status() -> None:
    with pytest.raises(ValueError):
        parse_twilio_status({"MessageStatus": "sent"})
    with pytest.raises(ValueError):
        parse_twilio_status({"MessageSid": "SM1"})


def test_twilio_inbound() -> None:
    form, _ = FakeSmsServer().twilio_inbound(STATUS_URL, "+254711000001", " Stop ")
    message = parse_twilio_inbound(form)
    assert message.from_number == "+254711000001"
    assert message.keyword is Keyword.STOP
    assert message.text == " Stop "
    assert message.provider_message_id and message.provider_message_id.startswith("SM")
    assert parse_twilio_inbound({"From": "+1", "Body": "Thank you"}).keyword is None
    with pytest.raises(ValueError):
        parse_twilio_inbound({"Body": "STOP"})


@pytest.mark.parametrize(
    ("status", "state", "final"),
    [
        ("Sent", "sent", False),
        ("Submitted", "sent", False),
        ("Buffered", "sent", False),
        ("Success", "delivered", True),
        ("Rejected", "failed", True),
        ("Failed", "failed", True),
    ],
)
def test_africastalking_delivery_report(status: str, state: str, final: bool) -> None:
    form = FakeSmsServer.africastalking_delivery_report("ATXid_1", status)
    report = parse_africastalking_delivery(form)
    assert report.provider == "africastalking"
    assert report.provider_message_id == "ATXid_1"
    assert (report.state, report.final) == (state, final)


@pytest.mark.parametrize("reason", ["UserInBlackList", "UserInBlacklist"])
def test_africastalking_blacklist_means_opted_out(reason: str) -> None:
    form = FakeSmsServer.africastalking_delivery_report("ATXid_2", "Failed", failure_reason=reason)
    report = parse_africastalking_delivery(form)
    assert report.opted_out
    assert report.error_code == reason


def test_africastalking_other_failures_are_not_opt_outs() -> None:
    form = FakeSmsServer.africastalking_delivery_report(
        "ATXid_3", "Rejected", failure_reason="DeliveryFailure"
    )
    report = parse_africastalking_delivery(form)
    assert report.state == "failed" and not report.opted_out
    with pytest.raises(ValueError):
        parse_africastalking_delivery({"status": "Success"})


def test_africastalking_inbound() -> None:
    form = FakeSmsServer.africastalking_inbound("+254711000002", "Acha", date="2024-12-02 08:15:00")
    message = parse_africastalking_inbound(form)
    assert message.from_number == "+254711000002"
    assert message.keyword is Keyword.STOP
    assert message.received_at == datetime(2024, 12, 2, 8, 15, tzinfo=UTC)
    message = parse_africastalking_inbound({"from": "+2547", "text": "msaada", "date": "garbage"})
    assert message.keyword is Keyword.HELP and message.received_at is None


def test_africastalking_secret_and_urls() -> None:
    secret = new_webhook_secret()
    assert len(secret) >= 40
    assert validate_africastalking_secret(secret, secret)
    assert not validate_africastalking_secret("nope", secret)
    assert not validate_africastalking_secret(None, secret)
    assert not validate_africastalking_secret(secret, None)
    assert not validate_africastalking_secret("", "")
    url = africastalking_callback_url("https://tracker.example.org/", "delivery", secret)
    assert url == f"https://tracker.example.org/webhooks/sms/africastalking/delivery?secret={secret}"
    assert africastalking_callback_url("https://t.org", "inbound", "s").endswith(
        "/webhooks/sms/africastalking/inbound?secret=s"
    )
    assert twilio_status_callback_url("https://t.org/") == "https://t.org/webhooks/sms/twilio/status"

