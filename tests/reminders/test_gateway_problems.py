"""What the provider does wrong, over real HTTP against the fake Twilio and Africa's Talking
(issue 16 items 2, 4, 5, 7): account problems pause sending instead of blaming numbers, slow
answers never make duplicates, and a retry never sends a text the hearing has outgrown."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from legal_tracker.common import utcnow
from legal_tracker.reminders.dispatcher import Dispatcher, gateway_health
from legal_tracker.reminders.gateways import AfricasTalkingGateway, RetryPolicy, TwilioGateway
from legal_tracker.reminders.tables import ContactSmsStatus
from tests.reminders.conftest import FAST_RETRY, iso_in, make_family, zone_at_local_hour

PHONE = "+254712345678"
OTHER = "+254712345679"


async def _family(world, *phones):
    family = await make_family(world, court_tz=zone_at_local_hour(12))
    contacts = [await family.contact(p) for p in phones or (PHONE,)]
    return family, contacts


def _gateway(provider: str, fake_sms, **kwargs):
    if provider == "twilio":
        return TwilioGateway(**fake_sms.twilio_kwargs(), **kwargs)
    return AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), **kwargs)


@pytest.mark.parametrize(("provider", "behaviour"), [
    ("twilio", "unauthorized"), ("twilio", "invalid_sender_id"),
    ("africastalking", "unauthorized"), ("africastalking", "insufficient_balance"),
    ("africastalking", "invalid_sender_id"),
])
async def test_account_problems_pause_sending_and_blame_no_number(
        world, database, fake_sms, provider, behaviour):
    family, (contact,) = await _family(world)
    hearing = await family.hearing(iso_in(days=10))
    gateway = _gateway(provider, fake_sms, retry=FAST_RETRY)
    dispatcher = Dispatcher(gateway, database)
    try:
        fake_sms.fail_next(50, behaviour, provider=provider)
        stats = await dispatcher.run_once()
        assert stats.paused and stats.sent == 0 and stats.failed == 0
        rows = await family.reminders(contact_id=contact["id"])
        assert {r["status"] for r in rows} == {"pending"}
        assert all(r["phone_flagged_at"] is None for r in rows)
        assert await ContactSmsStatus.count() == 0
        health = await gateway_health()
        assert health["status"] == "degraded" and health["reason"]
        # Administrators see it; /health says it too.
        shown = await family.client.get("/api/reminders/gateway", headers=family.admin)
        assert shown.status_code == 200 and shown.json()["status"] == "degraded"
        assert (await family.client.get("/health")).json()["sms_gateway"] == "degraded"
        # Still paused: nothing is tried before the next probe time.
        requests = len(fake_sms.requests)
        assert (await dispatcher.run_once()).paused and len(fake_sms.requests) == requests
        # The provider accepts again: one probe, then everything due goes out by itself.
        fake_sms.reset()
        stats = await dispatcher.run_once(now=utcnow() + timedelta(minutes=20))
        assert stats.sent == 2 and not stats.paused
        assert (await gateway_health())["status"] == "ok"
        kinds = sorted(r["kind"] for r in await family.reminders(
            hearing_id=hearing["id"], status="sent"))
        assert kinds == ["first_notice"]
    finally:
        await gateway.aclose()


async def test_a_slow_twilio_send_is_found_by_lookup_not_sent_twice(world, database, fake_sms):
    family, (slow, fast) = await _family(world, PHONE, OTHER)
    await family.hearing(iso_in(days=10))
    fake_sms.slow_seconds = 1.5
    fake_sms.set_number_behaviour(PHONE, "slow")
    gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=FAST_RETRY,
                            timeout=httpx.Timeout(0.5, connect=5.0))
    try:
        stats = await Dispatcher(gateway, database).run_once()
    finally:
        await gateway.aclose()
    assert stats.sent == 4 and stats.unconfirmed == 0
    assert len(fake_sms.sent_to(PHONE)) == 2 and len(fake_sms.sent_to(OTHER)) == 2
    by_sid = {r.message_id for r in fake_sms.sent_to(PHONE)}
    rows = await family.reminders(contact_id=slow["id"], status="sent")
    assert {r["provider_message_id"] for r in rows} == by_sid


async def test_a_slow_send_that_cannot_be_looked_up_is_unconfirmed_with_a_call_task(
        world, database, fake_sms):
    family, (contact,) = await _family(world)
    hearing = await family.hearing(iso_in(days=10))
    fake_sms.slow_seconds = 1.5
    fake_sms.set_number_behaviour(PHONE, "slow")
    gateway = AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=FAST_RETRY,
                                    timeout=httpx.Timeout(0.5, connect=5.0))
    try:
        stats = await Dispatcher(gateway, database).run_once()
    finally:
        await gateway.aclose()
    assert stats.sent == 0 and stats.unconfirmed == 2
    assert len(fake_sms.sent_to(PHONE)) == 2  # one request each: never retried
    rows = await family.reminders(contact_id=contact["id"], status="unconfirmed")
    assert len(rows) == 2
    # Staff are asked to call the family at once, not the day before the hearing.
    response = await family.client.get("/api/deadlines", headers=family.admin)
    assert response.status_code == 200
    calls = [d for d in response.json()["items"] if d["key"] == f"call-family-{hearing['id']}"]
    assert len(calls) == 1
    assert calls[0]["days_left"] <= 0


async def test_a_retry_never_sends_the_old_date_after_a_reschedule(world, database, fake_sms):
    family, (contact,) = await _family(world)
    plain = Dispatcher(TwilioGateway(**fake_sms.twilio_kwargs(), retry=FAST_RETRY), database)
    await plain.run_once()  # the welcome
    await plain.gateway.aclose()
    hearing = await family.hearing(iso_in(days=10))
    rescheduled = []

    async def meanwhile(_delay: float) -> None:
        # While the send waits to retry after 429, staff move the hearing.
        if not rescheduled:
            response = await family.client.post(
                f"/api/hearings/{hearing['id']}/reschedule", json={"starts_at": iso_in(days=14)},
                headers=family.admin)
            rescheduled.append(response.status_code)

    fake_sms.fail_next(2, "rate_limited")
    gateway = TwilioGateway(**fake_sms.twilio_kwargs(), sleep=meanwhile,
                            retry=RetryPolicy(max_attempts=4, base_delay=0.0, jitter=0.0))
    try:
        stats = await Dispatcher(gateway, database).run_once()
        assert rescheduled == [200]
        assert stats.skipped == 1
        await Dispatcher(gateway, database).run_once()
    finally:
        await gateway.aclose()
    # The welcome, then one notice: the one planned for the new date.
    assert len(fake_sms.accepted) == 2
    skipped = await family.reminders(contact_id=contact["id"], status="skipped")
    assert [(r["kind"], r["hearing_version"], r["status_reason"]) for r in skipped] == [
        ("first_notice", 1, "hearing changed since this reminder was planned")]
    sent = await family.reminders(hearing_id=hearing["id"], status="sent")
    # ("changed": the notice was on its way when the hearing moved, so it may have arrived.)
    assert [(r["kind"], r["hearing_version"]) for r in sent] in (
        [("first_notice", 2)], [("changed", 2)])
    assert sent[0]["provider_message_id"] == fake_sms.accepted[-1].message_id


async def test_staff_resend_or_cancel_unconfirmed_reminders_in_bulk(world, database, fake_sms):
    family, (contact,) = await _family(world)
    hearing = await family.hearing(iso_in(days=10))
    fake_sms.slow_seconds = 1.5
    fake_sms.set_number_behaviour(PHONE, "slow")
    gateway = AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=FAST_RETRY,
                                    timeout=httpx.Timeout(0.5, connect=5.0))
    try:
        await Dispatcher(gateway, database).run_once()
    finally:
        await gateway.aclose()
    assert len(await family.reminders(contact_id=contact["id"], status="unconfirmed")) == 2
    bad = await family.client.post("/api/reminders/bulk-resend", json={"statuses": ["unconfirmed"]},
                                   headers=family.admin)
    assert bad.status_code in (400, 422) and "hearing_id" in bad.text
    response = await family.client.post("/api/reminders/bulk-resend", headers=family.admin, json={
        "statuses": ["unconfirmed", "failed"], "hearing_id": hearing["id"]})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["matched"] == 1 and len(result["done"]) == 1 and result["skipped"] == 0
    new = (await family.client.get(f"/api/reminders/{result['done'][0]}",
                                   headers=family.admin)).json()
    assert new["status"] == "pending" and new["kind"] == "first_notice"
    response = await family.client.post("/api/reminders/bulk-cancel", headers=family.admin, json={
        "statuses": ["unconfirmed"], "office_id": family.office["id"]})
    assert response.status_code == 200 and response.json()["matched"] == 2
    assert await family.reminders(contact_id=contact["id"], status="unconfirmed") == []
    deadlines = (await family.client.get("/api/deadlines", headers=family.admin)).json()["items"]
    assert not [d for d in deadlines if d["key"] == f"call-family-{hearing['id']}"]


# ---------------------------------------------------------------- item 3: every change is told


async def _told_family(world, database, fake_sms, hours_ahead: float):
    family, (contact,) = await _family(world)
    hearing = await family.hearing(iso_in(hours=hours_ahead))
    gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=FAST_RETRY)
    dispatcher = Dispatcher(gateway, database)
    await dispatcher.run_once()  # the welcome and the first notice: the family knows
    assert len(fake_sms.accepted) == 2
    return family, contact, hearing, dispatcher


async def _call_items(family, hearing) -> list[dict]:
    response = await family.client.get("/api/deadlines", headers=family.admin)
    assert response.status_code == 200
    return [d for d in response.json()["items"] if d["key"] == f"call-family-{hearing['id']}"]


async def test_a_cancellation_notice_skipped_in_quiet_hours_leaves_a_call(world, database,
                                                                          fake_sms):
    family, contact, hearing, dispatcher = await _told_family(world, database, fake_sms, 20)
    try:
        response = await family.client.post(f"/api/hearings/{hearing['id']}/cancel",
                                            json={"reason": "court closed"}, headers=family.admin)
        assert response.status_code == 200, response.text
        # The dispatcher only gets to it late in the evening (local time): quiet hours.
        stats = await dispatcher.run_once(now=utcnow() + timedelta(hours=9, minutes=30))
        assert stats.skipped == 1 and stats.sent == 0
    finally:
        await dispatcher.gateway.aclose()
    calls = await _call_items(family, hearing)
    assert len(calls) == 1 and calls[0]["days_left"] <= 0


async def test_a_same_day_move_close_to_the_hearing_still_tells_the_family(world, database,
                                                                           fake_sms):
    family, contact, hearing, dispatcher = await _told_family(world, database, fake_sms, 3)
    try:
        response = await family.client.post(f"/api/hearings/{hearing['id']}/reschedule",
                                            json={"starts_at": iso_in(hours=0.75)},
                                            headers=family.admin)
        assert response.status_code == 200, response.text
        pending = await family.reminders(hearing_id=hearing["id"], status="pending")
        assert [r["kind"] for r in pending] == ["changed"]
        await dispatcher.run_once()
    finally:
        await dispatcher.gateway.aclose()
    assert len(fake_sms.accepted) == 3 and "moved to" in fake_sms.accepted[-1].body
