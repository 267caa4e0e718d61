"""Deadlines across time zones: a due date is a calendar date in the office's zone, and
"within N days" counts from today in that zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from legal_tracker.access import Actor
from legal_tracker.casework.deadlines import deadlines_for_feed, upcoming_deadlines
from tests.platform.helpers import assert_problem

# 12:00 UTC: already 02:00 on the 11th in Kiritimati (UTC+14), still 01:00 on the 10th in
# Pago Pago (UTC-11).
NOW = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)


async def _office_with_case(world, name, zone):
    office = await world.office(name, zone, "KI" if "Kiritimati" in zone else "AS")
    court = await world.court(f"{name} court", zone, office["id"])
    survivor = await world.survivor(office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"])
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]], staff_ids=[lawyer_id],
                            reference=f"{name}-1")
    return {"office": office, "survivor": survivor, "case": case, "lawyer": lawyer, "lawyer_id": lawyer_id}


async def _fixture(world):
    east = await _office_with_case(world, "East", "Pacific/Kiritimati")
    west = await _office_with_case(world, "West", "Pacific/Pago_Pago")
    ids = {}
    for side, where in (("east", east), ("west", west)):
        case_id, survivor_id = where["case"]["id"], where["survivor"]["id"]
        ids[side, "due10"] = (await world.post(f"/api/cases/{case_id}/deadlines",
                                               {"due_on": "2031-03-10", "title": "File the brief"}))["id"]
        ids[side, "due12"] = (await world.post(f"/api/cases/{case_id}/deadlines",
                                               {"due_on": "2031-03-12", "title": "Serve the notice",
                                                "kind": "submission"}))["id"]
        # No case named: the deadline shows the survivor's case.
        ids[side, "doc"] = (await world.post(f"/api/survivors/{survivor_id}/identity-documents", {
            "kind": "passport", "issuing_country": "PH", "status": "recovered",
            "expires_on": "2031-06-09"}))["id"]
        ids[side, "visa"] = (await world.post(f"/api/survivors/{survivor_id}/immigration", {
            "kind": "u_visa", "certification_signed_on": "2030-09-11", "case_id": case_id}))["id"]
        ids[side, "rfe"] = (await world.post(f"/api/survivors/{survivor_id}/immigration", {
            "kind": "t_visa", "filed_on": "2030-10-01", "rfe_received_on": "2031-01-05",
            "rfe_due_on": "2031-03-11", "biometrics_on": "2031-03-10"}))["id"]
    return east, west, ids


def _by_key(items):
    return {i["key"]: i for i in items}


async def test_within_days_is_counted_from_today_in_each_offices_zone(world):
    east, west, ids = await _fixture(world)
    admin = Actor(1, "admin", None)

    today_only = _by_key(await upcoming_deadlines(admin, within_days=0, overdue_days=0, now=NOW))
    # West (still the 10th): the filing due today, the biometrics appointment today, and the
    # passport 91 days away is NOT yet within the 90-day notice.
    # East (already the 11th): the filing due yesterday is past (no overdue asked), the RFE answer
    # and the certification (signed 2030-09-11 + 6 months) are due today, and the passport is
    # exactly 90 days away.
    assert set(today_only) == {
        f"manual-{ids['west', 'due10']}", f"biometrics-{ids['west', 'rfe']}",
        f"rfe-{ids['east', 'rfe']}", f"certification-{ids['east', 'visa']}",
        f"doc-expiry-{ids['east', 'doc']}",
    }
    assert today_only[f"rfe-{ids['east', 'rfe']}"]["due_date"] == date(2031, 3, 11)
    assert today_only[f"certification-{ids['east', 'visa']}"]["due_date"] == date(2031, 3, 11)
    doc = today_only[f"doc-expiry-{ids['east', 'doc']}"]
    assert (doc["days_left"], doc["case_reference"], doc["case_id"]) == (90, "East-1", east["case"]["id"])
    assert all(i["days_left"] == 0 for k, i in today_only.items() if not k.startswith("doc-"))

    # One day ahead reaches West's RFE and certification (due the 11th), and East's notice due
    # the 12th; West's notice on the 12th is two of its days away.
    one = _by_key(await upcoming_deadlines(admin, within_days=1, overdue_days=0, now=NOW))
    assert f"rfe-{ids['west', 'rfe']}" in one and f"certification-{ids['west', 'visa']}" in one
    assert f"manual-{ids['east', 'due12']}" in one and f"manual-{ids['west', 'due12']}" not in one

    # Overdue items still open are listed (and marked) when asked.
    late = _by_key(await upcoming_deadlines(admin, within_days=0, overdue_days=5, now=NOW))
    overdue = late[f"manual-{ids['east', 'due10']}"]
    assert overdue["overdue"] is True and overdue["days_left"] == -1
    assert late[f"manual-{ids['west', 'due10']}"]["overdue"] is False
    # East's biometrics appointment (the 10th) has passed there: appointments are never "overdue".
    assert f"biometrics-{ids['east', 'rfe']}" not in late

    # Sorted by due date; keys are stable and titles say nothing sensitive.
    items = await upcoming_deadlines(admin, within_days=5, now=NOW)
    assert [i["due_date"] for i in items] == sorted(i["due_date"] for i in items)
    again = await upcoming_deadlines(admin, within_days=5, now=NOW)
    assert [i["key"] for i in items] == [i["key"] for i in again]
    for item in items:
        text = (item["title"] + " " + item["what_to_do"]).lower()
        assert not any(word in text for word in ("traffick", "victim", "abuse", "u visa", "u_visa", "t_visa"))


async def test_same_instant_other_side_of_the_date_line(world):
    """Shift the clock by a day: what was East's only, is now West's too."""
    east, west, ids = await _fixture(world)
    admin = Actor(1, "admin", None)
    later = _by_key(await upcoming_deadlines(admin, within_days=0, overdue_days=0,
                                             now=NOW + timedelta(days=1)))
    assert f"rfe-{ids['west', 'rfe']}" in later and f"rfe-{ids['east', 'rfe']}" not in later
    assert f"doc-expiry-{ids['west', 'doc']}" in later


async def test_deadlines_api_scope_manual_done_and_feed(world):
    east, west, ids = await _fixture(world)
    c = world.client
    # The real clock: add deadlines relative to today in East's zone.
    r = await c.get("/api/deadlines", params={"within_days": 3650}, headers=east["lawyer"])
    assert r.status_code == 200, r.text
    mine = r.json()["items"]
    assert mine and {i["office_id"] for i in mine} == {east["office"]["id"]}
    assert {i["case_reference"] for i in mine} == {"East-1"}
    _, stranger = await world.user("lawyer", east["office"]["id"])
    assert (await c.get("/api/deadlines", params={"within_days": 3650},
                        headers=stranger)).json()["items"] == []
    r = await c.get("/api/deadlines", params={"within_days": 3650}, headers=world.admin)
    assert {i["office_id"] for i in r.json()["items"]} == {east["office"]["id"], west["office"]["id"]}
    assert_problem(await c.get("/api/deadlines", params={"within_days": -1}, headers=world.admin), 400)

    # Marking a manual deadline done takes it off the list.
    manual = f"manual-{ids['east', 'due12']}"
    assert manual in {i["key"] for i in mine}
    r = await c.patch(f"/api/deadlines/{ids['east', 'due12']}", json={"done": True}, headers=east["lawyer"])
    assert r.status_code == 200 and r.json()["done"] is True and r.json()["key"] == manual
    r = await c.get("/api/deadlines", params={"within_days": 3650}, headers=east["lawyer"])
    assert manual not in {i["key"] for i in r.json()["items"]}
    listed = (await c.get(f"/api/cases/{east['case']['id']}/deadlines", headers=east["lawyer"])).json()
    assert {d["key"] for d in listed["items"]} == {f"manual-{ids['east', 'due10']}", manual}
    assert_problem(await c.post(f"/api/cases/{east['case']['id']}/deadlines",
                                json={"due_on": "2031-02-30", "title": "x"}, headers=east["lawyer"]), 422)
    assert_problem(await c.post(f"/api/cases/{east['case']['id']}/deadlines",
                                json={"due_on": "2031-02-20", "title": "x"}, headers=stranger), 404)

    # The calendar feed's entry point: one case, the same keys and due dates.
    feed = await deadlines_for_feed(case_ids=[west["case"]["id"]], today=NOW)
    assert {d["key"] for d in feed} >= {f"rfe-{ids['west', 'rfe']}", f"certification-{ids['west', 'visa']}",
                                        f"doc-expiry-{ids['west', 'doc']}"}
    assert all(d["case_reference"] == "West-1" for d in feed)


async def test_deadline_texts_for_phones_never_name_the_kind_of_application(world):
    # Issue 14 item 13: titles and notes of deadline events travel to (shared) phones; a
    # "law-enforcement certification" or an "immigration application" reveals victim-visa status.
    east, west, ids = await _fixture(world)
    feed = await deadlines_for_feed(case_ids=[west["case"]["id"]], today=NOW)
    kinds = {d["key"].split("-")[0] for d in feed}
    assert {"rfe", "certification", "biometrics"} <= kinds
    for item in feed:
        text = f"{item['title']} {item['what_to_do']}".lower()
        for word in ("visa", "certification", "immigration", "law-enforcement", "asylum",
                     "trafficking", "victim"):
            assert word not in text, (item["key"], word)
