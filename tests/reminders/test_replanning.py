"""Re-planning on every lifecycle action, and consent changes."""

from __future__ import annotations

from datetime import datetime

from legal_tracker.reminders.tables import Reminder
from tests.reminders.conftest import iso_in, make_family, zone_at_local_hour


async def daytime_family(world):
    return await make_family(world, court_tz=zone_at_local_hour(12))


def summary(rows: list[dict]) -> list[tuple]:
    return sorted((r["kind"], r["status"], r["hearing_version"]) for r in rows)


async def test_reschedule_cancels_and_plans_anew_with_a_date_changed_message(world, twilio, fake_sms):
    family = await daytime_family(world)
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()  # the welcome and the first notice go out: the family knows
    assert len(fake_sms.accepted) == 2
    response = await family.client.post(f"/api/hearings/{hearing['id']}/reschedule",
                                        json={"starts_at": iso_in(days=20)}, headers=family.admin)
    assert response.status_code == 200, response.text
    rows = await family.reminders(hearing_id=hearing["id"])
    assert summary(rows) == [
        ("changed", "pending", 2), ("d1", "cancelled", 1), ("d1", "pending", 2),
        ("d3", "cancelled", 1), ("d3", "pending", 2), ("d7", "cancelled", 1), ("d7", "pending", 2),
        ("first_notice", "sent", 1),
    ]
    assert {r["status_reason"] for r in rows if r["status"] == "cancelled"} == {"hearing rescheduled"}
    await twilio.run_once()
    assert fake_sms.accepted[-1].body.startswith("Your appointment at Kibera Law Courts has moved to")


async def test_reschedule_before_the_family_was_told_sends_a_first_notice(world):
    family = await make_family(world, court_tz=zone_at_local_hour(23))  # notice waits for 07:00
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    await family.client.post(f"/api/hearings/{hearing['id']}/reschedule",
                             json={"starts_at": iso_in(days=12)}, headers=family.admin)
    pending = [r["kind"] for r in await family.reminders(hearing_id=hearing["id"], status="pending")]
    assert "first_notice" in pending and "changed" not in pending


async def test_adjourn_moves_the_reminders_to_the_next_hearing(world, twilio, fake_sms):
    family = await daytime_family(world)
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(hours=2))
    await twilio.run_once()
    response = await family.client.post(
        f"/api/hearings/{hearing['id']}/adjourn",
        json={"next_starts_at": iso_in(days=14), "reason": "witness_absent"}, headers=family.admin)
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]
    assert all(r["status"] != "pending" for r in await family.reminders(hearing_id=hearing["id"]))
    assert summary(await family.reminders(hearing_id=new_id)) == [
        ("changed", "pending", 1), ("d1", "pending", 1), ("d3", "pending", 1), ("d7", "pending", 1)]
    await twilio.run_once()
    assert "has moved to" in fake_sms.accepted[-1].body


async def test_cancel_tells_the_families_who_knew(world, twilio, fake_sms):
    family = await daytime_family(world)
    told = await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()
    untold = await family.contact("+254712345671")  # consents after the notice went out
    await Reminder.update({Reminder.status: "cancelled"}).where(
        (Reminder.contact == untold["id"]) & (Reminder.kind == "first_notice"))
    response = await family.client.post(f"/api/hearings/{hearing['id']}/cancel",
                                        json={"reason": "case withdrawn"}, headers=family.admin)
    assert response.status_code == 200
    rows = await family.reminders(hearing_id=hearing["id"])
    assert [r for r in rows if r["status"] == "pending"] == [
        r for r in rows if r["kind"] == "cancelled"]
    assert [r["contact_id"] for r in rows if r["kind"] == "cancelled"] == [told["id"]]
    before = len(fake_sms.accepted)
    stats = await twilio.run_once()
    assert stats.sent == 2  # the cancellation, and the untold contact's welcome
    bodies = [r.body for r in fake_sms.accepted[before:]]
    assert any("is cancelled" in b for b in bodies)


async def test_invisible_changes_rekey_pending_reminders(world, twilio):
    family = await daytime_family(world)
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    response = await family.client.patch(f"/api/hearings/{hearing['id']}",
                                         json={"courtroom": "Court 4", "kind": "plea"},
                                         headers=family.admin)
    assert response.json()["version"] == 2
    rows = await family.reminders(hearing_id=hearing["id"])
    assert {(r["status"], r["hearing_version"]) for r in rows} == {("pending", 2)}
    stats = await twilio.run_once()
    assert stats.sent == 2 and stats.skipped == 0  # welcome + first notice, not skipped as stale


async def test_family_no_longer_attending_cancels_and_attending_again_plans(world):
    family = await daytime_family(world)
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    await family.client.patch(f"/api/hearings/{hearing['id']}", json={"family_attends": False},
                              headers=family.admin)
    rows = await family.reminders(hearing_id=hearing["id"])
    assert {r["status"] for r in rows} == {"cancelled"}
    await family.client.patch(f"/api/hearings/{hearing['id']}", json={"family_attends": True},
                              headers=family.admin)
    assert len(await family.reminders(hearing_id=hearing["id"], status="pending")) == 4


async def test_court_change_is_a_change_the_family_must_hear(world, twilio, fake_sms):
    family = await daytime_family(world)
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()
    court = await world.court(name="Milimani Law Courts", office_id=family.office["id"],
                              timezone=family.court["timezone"])
    await family.client.patch(f"/api/hearings/{hearing['id']}", json={"court_id": court["id"]},
                              headers=family.admin)
    await twilio.run_once()
    assert fake_sms.accepted[-1].body.startswith("Your appointment at Milimani Law Courts has moved")


async def test_withdrawing_consent_or_deleting_the_contact_cancels(world):
    family = await daytime_family(world)
    one = await family.contact("+254712345678")
    two = await family.contact("+254712345679")
    hearing = await family.hearing(iso_in(days=10))
    response = await family.client.patch(f"/api/contacts/{one['id']}", json={"sms_consent": False},
                                         headers=family.admin)
    assert response.status_code == 200
    response = await family.client.delete(f"/api/contacts/{two['id']}", headers=family.admin)
    assert response.status_code in (200, 204)
    rows = await family.reminders(hearing_id=hearing["id"])
    assert {(r["contact_id"], r["status"], r["status_reason"]) for r in rows} == {
        (one["id"], "cancelled", "consent withdrawn"), (two["id"], "cancelled", "contact deleted")}


async def test_consent_sends_a_neutral_welcome_and_plans_upcoming_hearings(world, twilio, fake_sms):
    family = await daytime_family(world)
    contact = await family.contact("+254712345678", consent=False, language="sw")
    hearing = await family.hearing(iso_in(days=10))
    assert await family.reminders(hearing_id=hearing["id"]) == []
    await family.client.patch(f"/api/contacts/{contact['id']}", json={"sms_consent": True},
                              headers=family.admin)
    assert len(await family.reminders(hearing_id=hearing["id"])) == 4
    await twilio.run_once()
    welcome = next(r.body for r in fake_sms.accepted if "vikumbusho" in r.body)
    assert welcome.startswith("Tumaini Centre:") and "STOP" in welcome
    for word in ("Amina", "Wanjiru", "trafficking", "mahakama", "court"):
        assert word.lower() not in welcome.lower()


async def test_office_name_is_used_when_no_sender_name(world, twilio, fake_sms):
    family = await make_family(world, court_tz=zone_at_local_hour(12), sender=None)
    await family.contact("+254712345678")
    await twilio.run_once(now=datetime.now().astimezone())
    assert fake_sms.accepted[0].body.startswith(family.office["name"] + ":")
