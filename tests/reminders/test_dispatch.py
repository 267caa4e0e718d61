"""The dispatcher: exact requests per gateway, the send-time re-check, downtime, retries,
refusals, opt-outs and the crash case."""

from __future__ import annotations

from datetime import datetime, timedelta

from legal_tracker.cases.tables import Contact, Hearing
from legal_tracker.common import utcnow
from legal_tracker.reminders.tables import Reminder
from tests.reminders.conftest import AT_USERNAME, iso_in, make_family, zone_at_local_hour
from tests.reminders.units.fake_gateway import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def daytime(world, phone: str = "+254712345678", **kwargs):
    family = await make_family(world, court_tz=zone_at_local_hour(12))
    contact = await family.contact(phone, **kwargs)
    return family, contact


async def test_twilio_requests_are_exactly_what_twilio_expects(world, twilio, fake_sms):
    family, _ = await daytime(world)
    await family.hearing(iso_in(days=10))
    stats = await twilio.run_once()
    assert (stats.claimed, stats.sent) == (2, 2)
    for request in fake_sms.requests:
        assert request.path == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"
        assert request.auth == (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert set(request.form) == {"To", "From", "Body", "StatusCallback"}
        assert request.form["To"] == "+254712345678"
        assert request.form["From"] == "+15005550006"
        assert request.form["StatusCallback"] == "https://tracker.example.org/webhooks/sms/twilio/status"
    rows = await family.reminders()
    ids = {r.message_id for r in fake_sms.requests}
    assert {r["provider_message_id"] for r in rows if r["status"] == "sent"} == ids
    assert {r["provider"] for r in rows if r["status"] == "sent"} == {"twilio"}
    assert all(r["segments"] in (1, 2) for r in rows if r["status"] == "sent")


async def test_africastalking_requests_are_exactly_what_it_expects(world, africastalking, fake_sms):
    family, _ = await daytime(world)
    await family.hearing(iso_in(days=10))
    stats = await africastalking.run_once()
    assert stats.sent == 2
    for request in fake_sms.requests:
        assert request.path == "/version1/messaging"
        assert request.headers["apikey"] == "fake-at-api-key"
        assert request.headers["accept"] == "application/json"
        assert request.form == {"username": AT_USERNAME, "to": "+254712345678",
                                "message": request.form["message"]}
    assert {r["provider"] for r in await family.reminders() if r["status"] == "sent"} == {
        "africastalking"}


async def test_send_time_recheck_skips_stale_reminders(world, twilio, fake_sms):
    family, _ = await daytime(world)
    changed = await family.hearing(iso_in(days=10))
    cancelled = await family.hearing(iso_in(days=10))
    await twilio.run_once()
    fake_sms.reset()
    # Behind the services' back, as a concurrent writer would be: the dispatcher must notice.
    await Hearing.update({Hearing.version: 9}).where(Hearing.id == changed["id"])
    await Hearing.update({Hearing.status: "cancelled"}).where(Hearing.id == cancelled["id"])
    d7 = [r for r in await family.reminders(kind="d7") if r["kind"] == "d7"]
    stats = await twilio.run_once(now=at(d7[0]["send_at"]) + timedelta(minutes=1))
    assert fake_sms.requests == []
    assert stats.reasons == {"hearing changed since this reminder was planned": 1,
                             "hearing cancelled": 1}
    rows = {(r["hearing_id"], r["kind"]): r for r in await family.reminders()}
    assert rows[(changed["id"], "d7")]["status"] == "skipped"
    assert rows[(cancelled["id"], "d7")]["status_reason"] == "hearing cancelled"


async def test_a_started_hearing_is_never_reminded(world, twilio, fake_sms):
    family, _ = await daytime(world)
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()
    fake_sms.reset()
    after_start = at(hearing["starts_at"]) + timedelta(minutes=5)
    stats = await twilio.run_once(now=after_start)
    assert fake_sms.requests == [] and stats.reasons == {"hearing has started": 3}


async def test_after_downtime_late_reminders_are_superseded_or_sent(world, twilio, fake_sms):
    family, _ = await daytime(world)
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()
    fake_sms.reset()
    rows = {r["kind"]: r for r in await family.reminders(hearing_id=hearing["id"])}
    # Down for a week: d7 (five days late) and d3 are both due; only d3 goes out.
    stats = await twilio.run_once(now=at(rows["d3"]["send_at"]) + timedelta(hours=2))
    assert (stats.sent, stats.skipped) == (1, 1)
    assert stats.reasons == {"superseded by a later reminder": 1}
    rows = {r["kind"]: r for r in await family.reminders(hearing_id=hearing["id"])}
    assert rows["d7"]["status"] == "skipped" and rows["d3"]["status"] == "sent"
    # d1 found overdue at night in the recipient's zone: skipped, not sent at night.
    night = at(rows["d1"]["send_at"]) + timedelta(hours=10)
    stats = await twilio.run_once(now=night)
    assert stats.reasons == {"overdue and now within quiet hours": 1}
    assert len(fake_sms.requests) == 1


async def test_retries_then_success(world, twilio, fake_sms):
    family, _ = await daytime(world)
    fake_sms.fail_next(2, "server_error")
    fake_sms.fail_next(1, "rate_limited")
    stats = await twilio.run_once()
    assert stats.sent == 1 and len(fake_sms.requests) == 4
    assert [r.status for r in fake_sms.requests] == [500, 500, 429, 201]


async def test_a_provider_outage_is_retried_on_later_passes_then_fails(world, twilio, fake_sms):
    family, contact = await daytime(world)
    fake_sms.fail_next(100, "server_error")
    stats = await twilio.run_once()
    assert stats.retrying == 1 and len(fake_sms.requests) == 4
    [row] = await family.reminders()
    assert (row["status"], row["attempts"], row["error_code"]) == ("pending", 1, "20500")
    later = utcnow() + timedelta(minutes=3)
    await twilio.run_once(now=later)
    stats = await twilio.run_once(now=later + timedelta(minutes=10))
    assert stats.failed == 1
    [row] = await family.reminders()
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert row["status_reason"] == "provider unavailable after retries"
    assert row["phone_flagged_at"] is None  # an outage says nothing about the number


async def test_invalid_number_fails_once_with_the_reason_and_is_flagged(world, twilio, fake_sms):
    family, contact = await daytime(world)
    fake_sms.set_number_behaviour("+254712345678", "invalid_number")
    stats = await twilio.run_once()
    assert stats.failed == 1 and len(fake_sms.requests) == 1
    [row] = await family.reminders()
    assert row["status"] == "failed" and row["error_code"] == "21211"
    assert "not a valid phone number" in row["error_message"]
    assert "12345678" not in row["error_message"]  # the provider's text is masked
    assert row["phone_flagged_at"] is not None and row["phone_flag_reason"]
    # A new number clears the flag.
    await family.client.patch(f"/api/contacts/{contact['id']}", json={"phone": "+254712000001"},
                              headers=family.admin)
    [row] = await family.reminders()
    assert row["phone_flagged_at"] is None


async def _opt_out(world, dispatcher, fake_sms, behaviour: str) -> None:
    family, contact = await daytime(world)
    hearing = await family.hearing(iso_in(days=10))
    await Reminder.update({Reminder.send_at: utcnow() + timedelta(hours=1)}).where(
        Reminder.kind == "first_notice")
    fake_sms.set_number_behaviour("+254712345678", behaviour)
    stats = await dispatcher.run_once()
    assert stats.failed == 1 and len(fake_sms.requests) == 1
    stored = await Contact.select().where(Contact.id == contact["id"]).first()
    assert stored["sms_consent_withdrawn_at"] is not None
    rows = await family.reminders(hearing_id=hearing["id"])
    assert {r["status"] for r in rows} == {"cancelled"}
    response = await family.client.get(f"/api/contacts/{contact['id']}", headers=family.admin)
    assert response.json()["sms_consent"] is False


async def test_twilio_21610_records_withdrawn_consent(world, twilio, fake_sms):
    await _opt_out(world, twilio, fake_sms, "opted_out")


async def test_africastalking_blacklist_records_withdrawn_consent(world, africastalking, fake_sms):
    await _opt_out(world, africastalking, fake_sms, "blacklisted")


async def test_a_crash_mid_send_leaves_the_reminder_unconfirmed_and_never_resent(world, twilio, fake_sms):
    family, _ = await daytime(world)
    [row] = await family.reminders()
    # What a process that died after claiming leaves behind.
    await Reminder.update({Reminder.status: "sending", Reminder.lease_owner: "dead:1:x",
                           Reminder.lease_until: utcnow() - timedelta(seconds=1),
                           Reminder.attempts: 1}).where(Reminder.id == row["id"])
    stats = await twilio.run_once()
    assert stats.unconfirmed == 1 and stats.claimed == 0
    assert fake_sms.requests == []
    [row] = await family.reminders()
    assert row["status"] == "unconfirmed" and "may or may not" in row["status_reason"]
    await twilio.run_once(now=utcnow() + timedelta(days=1))
    assert fake_sms.requests == []
    # Staff resolve it: resend makes a new reminder, which goes out once.
    response = await family.client.post(f"/api/reminders/{row['id']}/resend", headers=family.admin)
    assert response.status_code == 201, response.text
    assert response.json()["resend_of"] == row["id"]
    await twilio.run_once()
    assert len(fake_sms.accepted) == 1


async def test_a_live_lease_is_left_alone(world, twilio, fake_sms):
    family, _ = await daytime(world)
    [row] = await family.reminders()
    await Reminder.update({Reminder.status: "sending", Reminder.lease_owner: "other:2:y",
                           Reminder.lease_until: utcnow() + timedelta(minutes=5)}).where(
        Reminder.id == row["id"])
    stats = await twilio.run_once()
    assert (stats.claimed, stats.unconfirmed) == (0, 0)
    [row] = await family.reminders()
    assert row["status"] == "sending"

