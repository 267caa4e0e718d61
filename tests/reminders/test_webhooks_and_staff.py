"""Provider callbacks (signatures, secrets, STOP/START/HELP) and the staff view."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from legal_tracker.audit import AuditEvent
from legal_tracker.reminders.summaries import call_the_family_deadlines
from legal_tracker.reminders.tables import Reminder
from tests.reminders.conftest import AT_SECRET, iso_in, make_family, zone_at_local_hour

PUBLIC = "https://tracker.example.org"
STATUS = "/webhooks/sms/twilio/status"
INBOUND = "/webhooks/sms/twilio/inbound"


async def daytime(world, phone: str = "+254712345678", **kwargs):
    family = await make_family(world, court_tz=zone_at_local_hour(12))
    contact = await family.contact(phone, **kwargs)
    return family, contact


async def test_twilio_status_signature_good_bad_missing(world, twilio, fake_sms):
    family, _ = await daytime(world)
    await twilio.run_once()
    [row] = await family.reminders()
    form, headers = fake_sms.twilio_status_callback(PUBLIC + STATUS, row["provider_message_id"],
                                                    "delivered")
    bad = dict(headers, **{"X-Twilio-Signature": "AAAA" + headers["X-Twilio-Signature"][4:]})
    missing = {k: v for k, v in headers.items() if k != "X-Twilio-Signature"}
    wrong_url = fake_sms.twilio_status_callback("http://127.0.0.1:8000" + STATUS,
                                                row["provider_message_id"], "delivered")[1]
    for h in (bad, missing, wrong_url):
        response = await family.client.post(STATUS, data=form, headers=h)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await family.reminders())[0]["status"] == "sent"
    response = await family.client.post(STATUS, data=form, headers=headers)
    assert response.status_code == 204
    [row] = await family.reminders()
    assert row["status"] == "delivered" and row["delivered_at"] is not None


async def test_twilio_undelivered_flags_the_number_and_21610_withdraws(world, twilio, fake_sms):
    family, contact = await daytime(world)
    await twilio.run_once()
    [row] = await family.reminders()
    form, headers = fake_sms.twilio_status_callback(PUBLIC + STATUS, row["provider_message_id"],
                                                    "undelivered", error_code="30003")
    assert (await family.client.post(STATUS, data=form, headers=headers)).status_code == 204
    [row] = await family.reminders()
    assert row["status"] == "undelivered" and row["phone_flagged_at"] is not None
    hearing = await family.hearing(iso_in(days=10))
    await twilio.run_once()
    notice = [r for r in await family.reminders(hearing_id=hearing["id"]) if r["status"] == "sent"][0]
    form, headers = fake_sms.twilio_status_callback(PUBLIC + STATUS, notice["provider_message_id"],
                                                    "failed", error_code="21610")
    assert (await family.client.post(STATUS, data=form, headers=headers)).status_code == 204
    contact_now = (await family.client.get(f"/api/contacts/{contact['id']}",
                                           headers=family.admin)).json()
    assert contact_now["sms_consent"] is False
    assert {r["status"] for r in await family.reminders(hearing_id=hearing["id"])} == {
        "failed", "cancelled"}


async def test_africastalking_delivery_needs_the_secret(world, africastalking, fake_sms, database):
    family, _ = await daytime(world)
    await africastalking.run_once()
    [row] = await family.reminders()
    form = fake_sms.africastalking_delivery_report(row["provider_message_id"], "Success")
    path = "/webhooks/sms/africastalking/delivery"
    for query in ("", "?secret=wrong", "?secret="):
        assert (await family.client.post(path + query, data=form)).status_code == 403
    response = await family.client.post(f"{path}?secret={AT_SECRET}", data=form)
    assert response.status_code == 204
    assert (await family.reminders())[0]["status"] == "delivered"


async def test_africastalking_webhooks_are_refused_when_no_secret_is_set(world, database):
    from httpx import ASGITransport, AsyncClient

    from api.app import create_app

    app = create_app(database.with_overrides(africastalking_webhook_secret=None),
                     manage_database=False)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post("/webhooks/sms/africastalking/delivery?secret=anything",
                                     data={"id": "x", "status": "Success"})
    assert response.status_code == 403 and "not configured" in response.json()["detail"]


async def test_stop_start_help_by_sms_in_three_languages(world, twilio, fake_sms):
    family, contact = await daytime(world, language="sw")
    hearing = await family.hearing(iso_in(days=10))
    url = PUBLIC + INBOUND

    async def reply(text: str, sender: str = "+254712345678"):
        form, headers = fake_sms.twilio_inbound(url, sender, text)
        return await family.client.post(INBOUND, data=form, headers=headers)

    async def consent() -> bool:
        return (await family.client.get(f"/api/contacts/{contact['id']}",
                                        headers=family.admin)).json()["sms_consent"]

    for stop, start in (("STOP", "START"), ("acha", "anza"), ("Tigil", "simula")):
        response = await reply(stop)
        assert response.status_code == 200 and "<Message>" not in response.text
        assert await consent() is False
        assert await family.reminders(hearing_id=hearing["id"], status="pending") == []
        response = await reply(start)
        assert await consent() is True
        assert len(await family.reminders(hearing_id=hearing["id"], status="pending")) >= 3
    response = await reply("msaada")
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Message>" in response.text and "+254 700 000000" in response.text
    assert "Tumaini Centre" in response.text
    events = await AuditEvent.select(AuditEvent.action).where(
        (AuditEvent.entity == "contact") & AuditEvent.action.like("sms_%"))
    assert {"sms_stop", "sms_start", "sms_help"} <= {e["action"] for e in events}
    consent_events = await AuditEvent.select().where(
        AuditEvent.action.is_in(["consent_withdrawn", "consent_given"]))
    assert len(consent_events) == 6
    # Unknown numbers: a neutral answer, nothing changes, nothing revealed.
    unknown = await reply("HELP", sender="+254799999999")
    assert "appointment reminders only" in unknown.text and "Tumaini" not in unknown.text
    assert (await reply("STOP", sender="+254799999999")).text == (await reply("hello")).text
    bad = await family.client.post(INBOUND, data={"From": "+254712345678", "Body": "STOP"})
    assert bad.status_code == 403 and await consent() is True


async def test_africastalking_inbound_help_is_sent_as_a_message(world, africastalking, fake_sms):
    family, contact = await daytime(world)
    await africastalking.run_once()
    fake_sms.reset()
    path = "/webhooks/sms/africastalking/inbound"
    form = fake_sms.africastalking_inbound("+254712345678", "HELP")
    assert (await family.client.post(path, data=form)).status_code == 403
    response = await family.client.post(f"{path}?secret={AT_SECRET}", data=form)
    assert response.status_code == 204
    await africastalking.run_once()
    [sent] = fake_sms.accepted
    assert sent.form["to"] == "+254712345678" and "+254 700 000000" in sent.form["message"]
    form = fake_sms.africastalking_inbound("+254712345678", "ondoa")
    await family.client.post(f"{path}?secret={AT_SECRET}", data=form)
    contact_now = (await family.client.get(f"/api/contacts/{contact['id']}",
                                           headers=family.admin)).json()
    assert contact_now["sms_consent"] is False


async def test_staff_list_scope_cancel_resend_preview(world, twilio, fake_sms):
    family, contact = await daytime(world)
    hearing = await family.hearing(iso_in(days=10))
    outsider_id, outsider = await world.user("caseworker", family.office["id"])
    assert await family.reminders(outsider) == []
    response = await family.client.get("/api/reminders", params={"hearing_id": hearing["id"]},
                                       headers=outsider)
    assert response.status_code == 404
    member_id, member = await world.user("caseworker", family.office["id"])
    await family.client.patch(f"/api/cases/{family.case['id']}",
                              json={"staff_ids": [member_id]}, headers=family.admin)
    rows = await family.reminders(member, hearing_id=hearing["id"])
    assert len(rows) == 4 and len(await family.reminders(member)) == 5  # and the welcome
    d3 = next(r for r in rows if r["kind"] == "d3")
    preview = (await family.client.get(f"/api/reminders/{d3['id']}/preview", headers=member)).json()
    assert preview["segments"] in (1, 2) and preview["characters"] == len(preview["text"])
    assert "Kibera Law Courts" in preview["text"]
    for secret in ("Amina", "Wanjiru", "trafficking", "mention", family.survivor["code"]):
        assert secret.lower() not in preview["text"].lower()
    response = await family.client.post(f"/api/reminders/{d3['id']}/cancel", headers=member)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = await family.client.post(f"/api/reminders/{d3['id']}/cancel", headers=member)
    assert response.status_code == 409
    response = await family.client.post(f"/api/reminders/{d3['id']}/resend", headers=member)
    assert response.status_code == 201
    new = response.json()
    assert (new["kind"], new["slot"], new["status"], new["resend_of"]) == ("d3", 1, "pending", d3["id"])
    audit = await AuditEvent.select().where((AuditEvent.entity == "reminder")
                                            & AuditEvent.action.is_in(["cancel", "resend"]))
    assert {a["action"] for a in audit} == {"cancel", "resend"}
    response = await family.client.get(f"/api/hearings/{hearing['id']}", headers=member)
    assert response.json()["reminder_summary"] == {"cancelled": 1, "pending": 4}
    viewer_id, viewer = await world.user("viewer", family.office["id"])
    await family.client.patch(f"/api/cases/{family.case['id']}",
                              json={"staff_ids": [member_id, viewer_id]}, headers=family.admin)
    assert (await family.client.post(f"/api/reminders/{new['id']}/cancel",
                                     headers=viewer)).status_code == 403
    bad = await family.client.get("/api/reminders", params={"from": "2026-01-01T00:00:00"},
                                  headers=member)
    assert bad.status_code in (400, 422)


async def test_call_the_family_deadlines(world, twilio, fake_sms):
    family, _ = await daytime(world)
    soon = await family.hearing(iso_in(days=1, hours=2))
    later = await family.hearing(iso_in(days=9))
    nobody = await make_family(world, court_tz=zone_at_local_hour(12))
    unreachable = await nobody.hearing(iso_in(days=1, hours=3))
    today = datetime.now(ZoneInfo(family.court["timezone"])).date()  # the court's today
    deadlines = await call_the_family_deadlines([family.case["id"], nobody.case["id"]], today, 14)
    # Tomorrow's hearings: nothing delivered yet, the day before is today.
    assert {d["hearing_id"] for d in deadlines} >= {soon["id"], unreachable["id"]}
    assert later["id"] not in {d["hearing_id"] for d in deadlines}
    assert all(d["kind"] == "call_the_family" and "Amina" not in d["detail"] for d in deadlines)
    await twilio.run_once()
    fake_sms.set_number_behaviour("+254712345678", "invalid_number")
    await Reminder.update({Reminder.send_at: Reminder.created_at}).where(
        (Reminder.hearing == later["id"]) & (Reminder.kind == "d7"))
    await Reminder.update({Reminder.status: "failed"}).where(
        (Reminder.hearing == later["id"]) & (Reminder.kind == "first_notice"))
    deadlines = await call_the_family_deadlines([family.case["id"]], today, 14)
    failed = [d for d in deadlines if d["hearing_id"] == later["id"]]
    assert failed and failed[0]["due_on"] == today
    assert await call_the_family_deadlines([], today, 14) == []
    assert await call_the_family_deadlines([family.case["id"]], today - timedelta(days=30), 1) == []
