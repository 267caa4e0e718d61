"""The hearing lifecycle as explicit actions: every transition the state allows, every one it
forbids (409), the adjournment chain, accompaniment, and "who is in court today"."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.casework.conftest import ago, ahead
from tests.platform.helpers import assert_problem

ACTIONS = {
    "reschedule": lambda: {"starts_at": ahead(days=20), "reason": "court diary"},
    "adjourn": lambda: {"next_starts_at": ahead(days=20), "reason": "witness_absent"},
    "cancel": lambda: {"reason": "withdrawn"},
    "outcome": lambda: {"outcome_notes": "Plea taken"},
}


async def _act(world, hearing_id: int, action: str, headers=None, **body):
    return await world.client.post(f"/api/hearings/{hearing_id}/{action}",
                                   json=body or ACTIONS[action](), headers=headers or world.admin)


async def _hearing(world, hearing_id: int):
    r = await world.client.get(f"/api/hearings/{hearing_id}", headers=world.admin)
    assert r.status_code == 200
    return r.json()


async def _history(world, hearing_id: int):
    r = await world.client.get(f"/api/hearings/{hearing_id}/history", headers=world.admin)
    assert r.status_code == 200
    return r.json()


async def test_reschedule_before_the_day_keeps_the_hearing_and_its_history(world, setting):
    h = await world.hearing(setting.case["id"], ahead(days=5))
    new = ahead(days=9)
    r = await _act(world, h["id"], "reschedule", setting.lawyer, starts_at=new, reason="judge on leave")
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["id"] == h["id"] and moved["status"] == "scheduled"
    assert moved["version"] == h["version"] + 1
    assert datetime.fromisoformat(moved["starts_at"]) == datetime.fromisoformat(new)
    last = (await _history(world, h["id"]))[-1]
    assert last["action"] == "rescheduled" and last["note"] == "judge on leave"
    assert datetime.fromisoformat(last["from_starts_at"]) == datetime.fromisoformat(h["starts_at"])
    assert datetime.fromisoformat(last["to_starts_at"]) == datetime.fromisoformat(new)


async def test_future_hearing_cannot_be_adjourned_or_given_an_outcome(world, setting):
    h = await world.hearing(setting.case["id"], ahead(days=5))
    assert_problem(await _act(world, h["id"], "adjourn"), 409)
    assert_problem(await _act(world, h["id"], "outcome"), 409)
    assert (await _hearing(world, h["id"]))["version"] == h["version"]


async def test_started_hearing_cannot_be_rescheduled(world, setting):
    h = await world.hearing(setting.case["id"], ago(hours=1))
    assert_problem(await _act(world, h["id"], "reschedule"), 409)
    # ...but may be cancelled.
    r = await _act(world, h["id"], "cancel", reason="court closed")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancel_reason"] == "court closed" and r.json()["version"] == 2


async def test_outcome_on_the_day_records_judgment_and_sentence_on_the_case(world, setting):
    h = await world.hearing(setting.case["id"], ago(hours=1), kind="judgment")
    r = await _act(world, h["id"], "outcome", setting.lawyer, outcome_notes="Convicted on all counts",
                   next_steps="Sentencing hearing", case_status="sentencing", case_outcome="convicted",
                   sentence="10 years", sentence_months=120, judgment_on=datetime.now().date().isoformat())
    assert r.status_code == 200, r.text
    held = r.json()
    assert held["status"] == "held" and held["outcome_notes"] == "Convicted on all counts"
    assert held["next_steps"] == "Sentencing hearing" and held["version"] == 2
    case = (await world.client.get(f"/api/cases/{setting.case['id']}", headers=world.admin)).json()
    assert case["status"] == "sentencing" and case["outcome"] == "convicted"
    assert case["sentence_months"] == 120 and case["judgment_on"]
    timeline = (await world.client.get(f"/api/cases/{setting.case['id']}/timeline",
                                       headers=setting.lawyer)).json()["items"]
    changes = [i["detail"] for i in timeline if i["kind"] == "status_change"]
    assert changes == [{"from_status": "investigation", "to_status": "sentencing",
                        "actor_id": setting.lawyer_id}]


@pytest.mark.parametrize("final", ["held", "adjourned", "cancelled"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_closed_hearing_refuses_every_lifecycle_action(world, setting, final, action):
    h = await world.hearing(setting.case["id"], ago(hours=1))
    closing = {"held": ("outcome", {"outcome_notes": "done"}),
               "adjourned": ("adjourn", {"next_starts_at": ahead(days=3), "reason": "accused_absent"}),
               "cancelled": ("cancel", {"reason": "vacated"})}[final]
    r = await _act(world, h["id"], closing[0], **closing[1])
    assert r.status_code in (200, 201), r.text
    before = await _hearing(world, h["id"])
    assert before["status"] == final
    body = assert_problem(await _act(world, h["id"], action), 409)
    assert final in body["detail"]
    # Nothing moved: same version, same status, no extra history.
    after = await _hearing(world, h["id"])
    assert (after["status"], after["version"]) == (final, before["version"])
    # Accompaniment and visible fields are frozen too.
    assert_problem(await world.client.post(f"/api/hearings/{h['id']}/staff/{setting.worker_id}",
                                           headers=world.admin), 409)
    assert_problem(await world.client.patch(f"/api/hearings/{h['id']}", json={"courtroom": "Court 9"},
                                            headers=world.admin), 409)


async def test_adjournment_validates_reason_and_next_date(world, setting):
    h = await world.hearing(setting.case["id"], ago(hours=1))
    assert_problem(await _act(world, h["id"], "adjourn", next_starts_at=ahead(days=3), reason="tired"),
                   422, "reason")
    assert_problem(await _act(world, h["id"], "adjourn", next_starts_at=ahead(days=3), reason="other"),
                   422, "note")
    assert_problem(await _act(world, h["id"], "adjourn", next_starts_at=ago(days=1),
                              reason="accused_absent"), 422, "next_starts_at")
    assert (await _hearing(world, h["id"]))["status"] == "scheduled"
    r = await _act(world, h["id"], "adjourn", next_starts_at=ahead(days=3), reason="other",
                   note="Magistrate transferred")
    assert r.status_code == 201
    old = await _hearing(world, h["id"])
    assert old["adjournment_reason"] == "other" and old["adjournment_note"] == "Magistrate transferred"


async def test_viewer_and_unassigned_staff_cannot_act(world, setting):
    h = await world.hearing(setting.case["id"], ahead(days=5))
    for action in ACTIONS:
        assert_problem(await _act(world, h["id"], action, setting.viewer), 403)
        assert_problem(await _act(world, h["id"], action, setting.outsider), 404)


async def test_adjournment_chain_of_three_hearings(world, setting):
    """Adjourned this morning to this afternoon, adjourned again to a later day: one chain."""
    c = world.client
    first = await world.hearing(setting.case["id"], ago(hours=1), kind="testimony",
                                survivor_testifies=True, staff_ids=[setting.worker_id], courtroom="Court 3")
    r = await _act(world, first["id"], "adjourn", setting.lawyer, next_starts_at=ahead(minutes=30),
                   reason="interpreter_unavailable")
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["adjourned_from_id"] == first["id"] and second["status"] == "scheduled"
    assert second["courtroom"] == "Court 3" and second["survivor_testifies"] is True
    assert second["staff_ids"] == [setting.worker_id] and second["version"] == 1
    assert [s["name"] for s in second["accompanying_staff"]] == ["Baraka Worker"]
    r = await _act(world, second["id"], "adjourn", setting.lawyer, next_starts_at=ahead(days=14),
                   reason="prosecutor_not_ready")
    assert r.status_code == 201, r.text
    third = r.json()
    one, two = await _hearing(world, first["id"]), await _hearing(world, second["id"])
    assert (one["status"], one["adjourned_to_id"], one["adjournment_reason"]) == (
        "adjourned", second["id"], "interpreter_unavailable")
    assert (two["status"], two["adjourned_from_id"], two["adjourned_to_id"]) == (
        "adjourned", first["id"], third["id"])
    assert third["adjourned_from_id"] == second["id"] and third["adjourned_to_id"] is None
    history = await _history(world, second["id"])
    assert [e["action"] for e in history] == ["created", "adjourned"]
    assert history[1]["reason"] == "prosecutor_not_ready"
    # The timeline shows the three hearings as one chain, in order.
    r = await c.get(f"/api/cases/{setting.case['id']}/timeline", headers=setting.worker,
                    params={"kinds": "hearing"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["entity_id"] for i in items] == [first["id"], second["id"], third["id"]]
    assert all(i["detail"]["chain"] == [first["id"], second["id"], third["id"]] for i in items)
    assert [i["detail"]["chain_position"] for i in items] == [1, 2, 3]
    assert [i["detail"]["status"] for i in items] == ["adjourned", "adjourned", "scheduled"]
    # The report counts both adjournments, by reason.
    report = (await c.get("/api/reports/outcomes", headers=world.admin)).json()["hearings"]
    assert report["adjourned"] == 2 and report["scheduled"] == 1
    assert {r["reason"]: r["count"] for r in report["adjournments_by_reason"]} == {
        "interpreter_unavailable": 1, "prosecutor_not_ready": 1}


async def test_assign_and_unassign_staff_with_overlap_warning(world, setting):
    c = world.client
    other_case = await world.case(setting.office["id"], setting.court["id"],
                                  staff_ids=[setting.lawyer_id, setting.worker_id])
    busy = await world.hearing(other_case["id"], "2031-03-10T09:00:00+03:00", duration_minutes=120)
    r = await c.post(f"/api/hearings/{busy['id']}/staff/{setting.worker_id}", headers=setting.lawyer)
    assert r.status_code == 200 and r.json()["warnings"] == []
    clash = await world.hearing(setting.case["id"], "2031-03-10T10:30:00+03:00", duration_minutes=60)
    later = await world.hearing(setting.case["id"], "2031-03-10T11:00:00+03:00", duration_minutes=60)

    r = await c.post(f"/api/hearings/{clash['id']}/staff/{setting.worker_id}", headers=setting.lawyer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["staff_ids"] == [setting.worker_id] and body["version"] == clash["version"] + 1
    assert body["accompanying_staff"] == [{"id": setting.worker_id, "name": "Baraka Worker"}]
    assert [(w["staff_id"], w["hearing_id"]) for w in body["warnings"]] == [
        (setting.worker_id, busy["id"])]
    # Assigning again changes nothing (idempotent) and still warns.
    r = await c.post(f"/api/hearings/{clash['id']}/staff/{setting.worker_id}", headers=setting.lawyer)
    assert r.json()["version"] == body["version"] and len(r.json()["warnings"]) == 1
    # Back to back (11:00 after 09:00-11:00) is not an overlap with the first one.
    r = await c.post(f"/api/hearings/{later['id']}/staff/{setting.lawyer_id}", headers=setting.lawyer)
    assert r.json()["warnings"] == []
    history = await _history(world, clash["id"])
    assert history[-1]["action"] == "updated" and "staff_ids" in history[-1]["note"]

    r = await c.delete(f"/api/hearings/{clash['id']}/staff/{setting.worker_id}", headers=setting.lawyer)
    assert r.status_code == 200 and r.json()["staff_ids"] == []
    assert r.json()["version"] == body["version"] + 1
    assert_problem(await c.delete(f"/api/hearings/{clash['id']}/staff/{setting.worker_id}",
                                  headers=setting.lawyer), 404)
    # Someone from another office, or nobody at all, cannot be assigned.
    elsewhere = await world.office("Manila", "Asia/Manila", "PH")
    stranger_id, _ = await world.user("caseworker", elsewhere["id"])
    assert_problem(await c.post(f"/api/hearings/{clash['id']}/staff/{stranger_id}",
                                headers=setting.lawyer), 404)
    assert_problem(await c.post(f"/api/hearings/{clash['id']}/staff/999999", headers=setting.lawyer), 404)
    assert_problem(await c.post(f"/api/hearings/{clash['id']}/staff/{setting.worker_id}",
                                headers=setting.viewer), 403)
    assert_problem(await c.post(f"/api/hearings/{clash['id']}/staff/{setting.worker_id}",
                                headers=setting.outsider), 404)


async def test_who_is_in_court_today_uses_each_courts_zone(world, setting):
    """2031-03-10 in Kiritimati (UTC+14) starts ten hours before it does in UTC; in Pago Pago
    (UTC-11) eleven hours after. ``day`` means the court's own date."""
    c = world.client
    office = setting.office
    east = await world.court("Kiritimati Court", "Pacific/Kiritimati", office["id"])
    west = await world.court("Pago Pago Court", "Pacific/Pago_Pago", office["id"])
    case = setting.case
    a = await world.hearing(case["id"], "2031-03-10T09:00:00+14:00", court_id=east["id"],
                            courtroom="Room 1", survivor_testifies=True, staff_ids=[setting.worker_id])
    b = await world.hearing(case["id"], "2031-03-10T09:00:00-11:00", court_id=west["id"],
                            courtroom="Room 2", staff_ids=[setting.lawyer_id, setting.worker_id])
    # 2031-03-10 in UTC, but the 11th in Kiritimati and the 9th in Pago Pago: not that day.
    await world.hearing(case["id"], "2031-03-11T01:00:00+14:00", court_id=east["id"])
    await world.hearing(case["id"], "2031-03-09T23:00:00-11:00", court_id=west["id"])
    other_office = await world.office("Manila", "Asia/Manila", "PH")
    other_court = await world.court("Manila RTC", "Asia/Manila", other_office["id"])
    other_case = await world.case(other_office["id"], other_court["id"])
    await world.hearing(other_case["id"], "2031-03-10T09:00:00+08:00")

    r = await c.get("/api/hearings", params={"day": "2031-03-10", "office_id": office["id"]},
                    headers=world.admin)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["id"] for i in items] == [a["id"], b["id"]]
    first, second = items
    assert (first["court_name"], first["courtroom"], first["court_timezone"]) == (
        "Kiritimati Court", "Room 1", "Pacific/Kiritimati")
    # 09:00 on the 10th in each court's own zone; the API writes every instant in UTC.
    assert first["starts_at"] == "2031-03-09T19:00:00Z"
    assert second["starts_at"] == "2031-03-10T20:00:00Z"
    assert first["survivor_testifies"] is True and second["survivor_testifies"] is False
    assert first["accompanying_staff"] == [{"id": setting.worker_id, "name": "Baraka Worker"}]
    assert {s["name"] for s in second["accompanying_staff"]} == {"Baraka Worker", "Wanjiru Lawyer"}
    # Without the office filter the other office's hearing that day appears too (org admin).
    r = await c.get("/api/hearings", params={"day": "2031-03-10"}, headers=world.admin)
    assert len(r.json()["items"]) == 3
    # A caseworker sees only the hearings of their cases.
    r = await c.get("/api/hearings", params={"day": "2031-03-10"}, headers=setting.worker)
    assert [i["id"] for i in r.json()["items"]] == [a["id"], b["id"]]
    assert_problem(await c.get("/api/hearings", params={"day": "10/03/2031"}, headers=world.admin), 400)
