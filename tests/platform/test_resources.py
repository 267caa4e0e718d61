"""Create, read, update, list and filter every foundation resource through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.platform.helpers import all_items, assert_problem, future


async def test_offices_create_read_update_list(world):
    c = world.client
    nairobi = await world.office("Demo Nairobi", "Africa/Nairobi", "KE")
    manila = await world.office("Demo Manila", "Asia/Manila", "PH")
    assert nairobi["timezone"] == "Africa/Nairobi" and nairobi["country"] == "KE"
    assert nairobi["reminder_policy"] == {}
    r = await c.get(f"/api/offices/{manila['id']}", headers=world.admin)
    assert r.status_code == 200 and r.json()["name"] == "Demo Manila"
    r = await c.patch(f"/api/offices/{manila['id']}", headers=world.admin,
                      json={"name": "Demo Manila Office", "sms_sender_name": "Demo",
                            "reminder_policy": {"days_before": [2, 1]}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Demo Manila Office" and body["sms_sender_name"] == "Demo"
    assert body["reminder_policy"] == {"days_before": [2, 1], "quiet_start": "21:00", "quiet_end": "07:00"}
    assert body["country"] == "PH"  # untouched
    r = await c.get("/api/offices", headers=world.admin)
    assert [o["name"] for o in r.json()["items"]] == ["Demo Nairobi", "Demo Manila Office"]
    r = await c.patch(f"/api/offices/{manila['id']}", headers=world.admin, json={"phone": None})
    assert r.status_code == 200 and r.json()["phone"] is None


async def test_courts_create_read_update_list_filter(world):
    c = world.client
    ke = await world.office()
    ph = await world.office("Manila", "Asia/Manila", "PH")
    kibera = await world.court("Kibera Law Courts", office_id=ke["id"])
    pasay = await world.court("Pasay City RTC", "Asia/Manila", office_id=ph["id"])
    assert kibera["office_id"] == ke["id"] and kibera["address"] == "Kibera Drive, Nairobi"
    r = await c.patch(f"/api/courts/{pasay['id']}", headers=world.admin,
                      json={"address": "F.B. Harrison St, Pasay"})
    assert r.status_code == 200 and r.json()["address"] == "F.B. Harrison St, Pasay"
    r = await c.get(f"/api/courts/{kibera['id']}", headers=world.admin)
    assert r.json()["name"] == "Kibera Law Courts"
    r = await c.get("/api/courts", headers=world.admin)
    assert [x["name"] for x in r.json()["items"]] == ["Kibera Law Courts", "Pasay City RTC"]
    r = await c.get("/api/courts", params={"office_id": ph["id"]}, headers=world.admin)
    assert [x["id"] for x in r.json()["items"]] == [pasay["id"]]


async def test_staff_create_read_update_list_filter(world):
    c = world.client
    office = await world.office()
    lawyer_id, lawyer = await world.user("lawyer", office["id"], email="Lawyer@Example.org",
                                         name="Wanjiku Lawyer")
    worker_id, _ = await world.user("caseworker", office["id"], name="Otieno Worker")
    r = await c.get(f"/api/staff/{lawyer_id}", headers=world.admin)
    body = r.json()
    assert body["email"] == "lawyer@example.org"  # normalised
    assert body["role"] == "lawyer" and body["office_id"] == office["id"] and body["active"]
    assert "password" not in body and "password_hash" not in body
    r = await c.patch(f"/api/staff/{worker_id}", headers=world.admin,
                      json={"phone": "+254 712 345 678", "language": "sw"})
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "+254712345678" and r.json()["language"] == "sw"
    r = await c.get("/api/staff", params={"role": "caseworker"}, headers=world.admin)
    assert [s["id"] for s in r.json()["items"]] == [worker_id]
    r = await c.get("/api/staff", params={"office_id": office["id"]}, headers=world.admin)
    assert {s["id"] for s in r.json()["items"]} == {lawyer_id, worker_id}
    # A lawyer reads colleagues but may not create staff.
    r = await c.get("/api/staff", headers=lawyer)
    assert r.status_code == 200
    r = await c.post("/api/staff", headers=lawyer,
                     json={"name": "X", "email": "x@example.org", "role": "viewer"})
    assert_problem(r, 403)


async def test_deactivated_staff_token_stops_at_once(world):
    office = await world.office()
    worker_id, worker = await world.user("caseworker", office["id"])
    assert (await world.client.get("/api/offices", headers=worker)).status_code == 200
    r = await world.client.patch(f"/api/staff/{worker_id}", headers=world.admin, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert_problem(await world.client.get("/api/offices", headers=worker), 401)


async def test_survivors_create_read_update_list_filter(world):
    c = world.client
    office = await world.office()
    s1 = await world.survivor(office["id"], legal_name="Fictional Name One", language="sw",
                              birth_year=2009)
    s2 = await world.survivor(office["id"], code="DEMO-2")
    assert s1["code"].startswith("S-") and s1["legal_name"] == "•••" and s1["legal_name_recorded"]
    assert s2["code"] == "DEMO-2" and s2["legal_name"] is None
    r = await c.get(f"/api/survivors/{s1['id']}", params={"reveal": "legal_name"}, headers=world.admin)
    assert r.json()["legal_name"] == "Fictional Name One"
    r = await c.patch(f"/api/survivors/{s2['id']}", headers=world.admin,
                      json={"language": "tl", "birth_date": "2010-02-03"})
    assert r.status_code == 200
    assert r.json()["language"] == "tl" and r.json()["birth_date"] == "2010-02-03"
    r = await c.get("/api/survivors", headers=world.admin)
    assert {s["id"] for s in r.json()["items"]} == {s1["id"], s2["id"]}
    assert "Fictional Name One" not in r.text
    r = await c.get("/api/survivors", params={"code": "DEMO-2"}, headers=world.admin)
    assert [s["id"] for s in r.json()["items"]] == [s2["id"]]
    # Duplicate code in the same office is refused.
    r = await c.post("/api/survivors", headers=world.admin,
                     json={"office_id": office["id"], "code": "DEMO-2"})
    assert_problem(r, 422, "code")


async def test_contacts_create_read_update_list_delete(world):
    c = world.client
    office = await world.office()
    survivor = await world.survivor(office["id"])
    base = f"/api/survivors/{survivor['id']}/contacts"
    r = await c.post(base, headers=world.admin, json={
        "name": "Demo Mother", "relationship": "mother", "phone": "+254712345678",
        "language": "sw", "sms_consent": True})
    assert r.status_code == 201, r.text
    mother = r.json()
    assert mother["phone"] != "+254712345678" and mother["phone"].endswith("678")
    assert mother["sms_consent"] is True and mother["sms_consent_at"]
    r = await c.post(base, headers=world.admin, json={
        "name": "Demo Uncle", "relationship": "uncle", "phone": "+639171234567", "language": "tl"})
    uncle = r.json()
    assert uncle["sms_consent"] is False
    r = await c.get(f"/api/contacts/{mother['id']}", params={"reveal": "phone"}, headers=world.admin)
    assert r.json()["phone"] == "+254712345678"
    r = await c.patch(f"/api/contacts/{mother['id']}", headers=world.admin,
                      json={"sms_consent": False, "timezone": "Africa/Nairobi"})
    assert r.status_code == 200
    assert r.json()["sms_consent"] is False and r.json()["sms_consent_withdrawn_at"]
    r = await c.get(base, headers=world.admin)
    assert [x["id"] for x in r.json()["items"]] == [mother["id"], uncle["id"]]
    r = await c.delete(f"/api/contacts/{uncle['id']}", headers=world.admin)
    assert r.status_code == 204
    r = await c.get(base, headers=world.admin)
    assert [x["id"] for x in r.json()["items"]] == [mother["id"]]
    assert_problem(await c.get(f"/api/contacts/{uncle['id']}", headers=world.admin), 404)
    assert_problem(await c.delete(f"/api/contacts/{uncle['id']}", headers=world.admin), 404)


async def test_cases_with_accused_staff_and_survivors(world):
    c = world.client
    office = await world.office()
    court = await world.court(office_id=office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"])
    worker_id, worker = await world.user("caseworker", office["id"])
    s1 = await world.survivor(office["id"])
    s2 = await world.survivor(office["id"])
    case = await world.case(office["id"], court["id"], reference="CR 12/2026",
                            staff_ids=[lawyer_id], survivor_ids=[s1["id"]],
                            offence_category="sex_trafficking", status="charged",
                            accused=[{"name": "Demo Accused A", "status": "remanded"}])
    assert case["staff_ids"] == [lawyer_id] and case["survivor_ids"] == [s1["id"]]
    assert case["survivors"] == [{"id": s1["id"], "role": "complainant"}]
    assert [(a["name"], a["status"]) for a in case["accused"]] == [("Demo Accused A", "remanded")]
    accused_id = case["accused"][0]["id"]
    r = await c.patch(f"/api/cases/{case['id']}", headers=world.admin, json={
        "status": "trial", "staff_ids": [lawyer_id, worker_id],
        "survivors": [{"id": s1["id"], "role": "complainant"}, {"id": s2["id"], "role": "witness"}],
        "accused": [{"id": accused_id, "name": "Demo Accused A", "status": "on_bail"},
                    {"name": "Demo Accused B"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "trial" and body["staff_ids"] == sorted([lawyer_id, worker_id])
    assert body["survivor_ids"] == sorted([s1["id"], s2["id"]])
    assert {(a["name"], a["status"]) for a in body["accused"]} == {
        ("Demo Accused A", "on_bail"), ("Demo Accused B", "at_large")}
    assert [a["id"] for a in body["accused"]][0] == accused_id
    r = await c.get(f"/api/cases/{case['id']}", headers=worker)
    assert r.status_code == 200 and r.json()["reference"] == "CR 12/2026"
    other = await world.case(office["id"], court["id"], status="investigation")
    r = await c.get("/api/cases", params={"status": "trial"}, headers=world.admin)
    assert [x["id"] for x in r.json()["items"]] == [case["id"]]
    r = await c.get("/api/cases", params={"staff_id": worker_id}, headers=world.admin)
    assert [x["id"] for x in r.json()["items"]] == [case["id"]]
    r = await c.get("/api/cases", params={"survivor_id": s2["id"]}, headers=world.admin)
    assert [x["id"] for x in r.json()["items"]] == [case["id"]]
    r = await c.get("/api/cases", headers=world.admin)
    assert {x["id"] for x in r.json()["items"]} == {case["id"], other["id"]}
    # Need to know: the caseworker sees only the assigned case; the other is "not found".
    r = await c.get("/api/cases", headers=worker)
    assert [x["id"] for x in r.json()["items"]] == [case["id"]]
    assert_problem(await c.get(f"/api/cases/{other['id']}", headers=worker), 404)
    # Same reference twice in one office: 422 naming the field, nothing written.
    r = await c.post("/api/cases", headers=world.admin,
                     json={"reference": "CR 12/2026", "office_id": office["id"]})
    assert_problem(r, 422, "reference")
    assert len((await c.get("/api/cases", headers=world.admin)).json()["items"]) == 2


async def test_hearings_with_staff_and_every_filter(world):
    c = world.client
    office = await world.office()
    kibera = await world.court("Kibera Law Courts", office_id=office["id"])
    milimani = await world.court("Milimani Law Courts", office_id=office["id"])
    a_id, _ = await world.user("caseworker", office["id"])
    b_id, b = await world.user("caseworker", office["id"])
    case1 = await world.case(office["id"], kibera["id"], staff_ids=[a_id, b_id])
    case2 = await world.case(office["id"], milimani["id"], staff_ids=[a_id])
    h1 = await world.hearing(case1["id"], future(3), staff_ids=[a_id], courtroom="2")
    h2 = await world.hearing(case1["id"], future(5), staff_ids=[a_id, b_id], kind="testimony",
                             survivor_attends=True)
    h3 = await world.hearing(case2["id"], future(7), staff_ids=[])
    h4 = await world.hearing(case2["id"], future(9), court_id=kibera["id"])
    assert h1["staff_ids"] == [a_id] and h1["version"] == 1 and h1["status"] == "scheduled"
    assert h1["court_id"] == kibera["id"] and h3["court_id"] == milimani["id"]
    assert h2["staff_ids"] == sorted([a_id, b_id]) and h2["survivor_attends"] is True
    assert h1["starts_at"].endswith("Z")  # UTC with Z, like every timestamp

    async def ids(**params):
        r = await c.get("/api/hearings", params=params, headers=world.admin)
        assert r.status_code == 200, r.text
        return [h["id"] for h in r.json()["items"]]

    assert await ids() == [h1["id"], h2["id"], h3["id"], h4["id"]]
    assert await ids(**{"from": future(5, 0)}) == [h2["id"], h3["id"], h4["id"]]
    assert await ids(**{"to": future(5, 0)}) == [h1["id"]]
    assert await ids(**{"from": future(4, 0), "to": future(8, 0)}) == [h2["id"], h3["id"]]
    assert await ids(court_id=kibera["id"]) == [h1["id"], h2["id"], h4["id"]]
    assert await ids(staff_id=b_id) == [h2["id"]]
    assert await ids(staff_id=a_id) == [h1["id"], h2["id"]]
    assert await ids(case_id=case2["id"]) == [h3["id"], h4["id"]]
    r = await c.post(f"/api/hearings/{h3['id']}/cancel", headers=world.admin, json={"reason": "withdrawn"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["version"] == 2
    assert await ids(status="cancelled") == [h3["id"]]
    assert await ids(status="scheduled", case_id=case2["id"]) == [h4["id"]]
    # from/to given in another offset mean the same instant.
    assert await ids(**{"from": future(5, 0).replace("+03:00", "+00:00")}) == [h2["id"], h3["id"], h4["id"]]
    # A caseworker sees hearings of assigned cases only.
    r = await c.get("/api/hearings", headers=b)
    assert [h["id"] for h in r.json()["items"]] == [h1["id"], h2["id"]]
    # Read and update, then list under the case.
    r = await c.patch(f"/api/hearings/{h1['id']}", headers=world.admin,
                      json={"staff_ids": [b_id], "courtroom": "5"})
    assert r.status_code == 200, r.text
    assert r.json()["staff_ids"] == [b_id] and r.json()["version"] == 2
    r = await c.get(f"/api/hearings/{h1['id']}", headers=world.admin)
    assert r.json()["courtroom"] == "5"
    r = await c.get(f"/api/cases/{case1['id']}/hearings", headers=world.admin)
    assert [h["id"] for h in r.json()["items"]] == [h1["id"], h2["id"]]
    assert len(await all_items(c, "/api/hearings", world.admin, limit=1)) == 4


async def test_hearing_lifecycle_conflicts_and_history(world):
    c = world.client
    office = await world.office()
    court = await world.court(office_id=office["id"])
    case = await world.case(office["id"], court["id"])
    h = await world.hearing(case["id"], future(10))
    r = await c.post(f"/api/hearings/{h['id']}/reschedule", headers=world.admin,
                     json={"starts_at": future(12), "reason": "court diary"})
    assert r.status_code == 200 and r.json()["version"] == 2
    # A future hearing may not be adjourned (409) nor have an outcome (409).
    r = await c.post(f"/api/hearings/{h['id']}/adjourn", headers=world.admin,
                     json={"next_starts_at": future(20), "reason": "accused_absent"})
    assert_problem(r, 409)
    r = await c.post(f"/api/hearings/{h['id']}/outcome", headers=world.admin,
                     json={"outcome_notes": "x"})
    assert_problem(r, 409)
    r = await c.post(f"/api/hearings/{h['id']}/cancel", headers=world.admin, json={"reason": "x"})
    assert r.status_code == 200
    # A cancelled hearing can be neither cancelled again nor rescheduled.
    assert_problem(await c.post(f"/api/hearings/{h['id']}/cancel", headers=world.admin,
                                json={"reason": "x"}), 409)
    assert_problem(await c.post(f"/api/hearings/{h['id']}/reschedule", headers=world.admin,
                                json={"starts_at": future(30)}), 409)
    r = await c.get(f"/api/hearings/{h['id']}/history", headers=world.admin)
    assert [e["action"] for e in r.json()] == ["created", "rescheduled", "cancelled"]


async def test_adjourn_today_creates_linked_hearing(world):
    c = world.client
    office = await world.office("UTC office", "UTC", "GB")
    court = await world.court("Court", "UTC", office_id=office["id"])
    case = await world.case(office["id"], court["id"])
    worker_id, _ = await world.user("caseworker", office["id"])
    # A hearing that started a minute ago today (UTC court), created directly in the past is
    # allowed: the API accepts any start time on creation.
    start = datetime.now(UTC) - timedelta(minutes=1)
    if start.date() != datetime.now(UTC).date():  # just after midnight: stay on "today"
        start = datetime.now(UTC)
    h = await world.hearing(case["id"], start.isoformat(), staff_ids=[worker_id])
    r = await c.post(f"/api/hearings/{h['id']}/adjourn", headers=world.admin,
                     json={"next_starts_at": future(14, offset="+00:00"), "reason": "witness_absent"})
    assert r.status_code == 201, r.text
    nxt = r.json()
    assert nxt["adjourned_from_id"] == h["id"] and nxt["staff_ids"] == [worker_id]
    old = (await c.get(f"/api/hearings/{h['id']}", headers=world.admin)).json()
    assert old["status"] == "adjourned" and old["adjourned_to_id"] == nxt["id"]
    assert old["adjournment_reason"] == "witness_absent" and old["version"] == 2


async def test_logout_stops_the_token_at_once(world):
    office = await world.office()
    _, worker = await world.user("caseworker", office["id"])
    assert (await world.client.get("/api/cases", headers=worker)).status_code == 200
    assert (await world.client.post("/api/auth/logout", headers=worker)).status_code == 204
    assert_problem(await world.client.get("/api/cases", headers=worker), 401)
