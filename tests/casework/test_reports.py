"""Outcome report figures against a fixture computed by hand (see the comments)."""

from __future__ import annotations

import pytest

from tests.casework.conftest import ago, ahead, midday_zone
from tests.platform.helpers import assert_problem


async def _case(world, office, court, **fields):
    case = await world.case(office["id"], court["id"])
    if fields:
        r = await world.client.patch(f"/api/cases/{case['id']}", json=fields, headers=world.admin)
        assert r.status_code == 200, r.text
    return case


async def _held(world, case_id, court_id, when, **extra):
    h = await world.hearing(case_id, when, court_id=court_id, **extra)
    r = await world.client.post(f"/api/hearings/{h['id']}/outcome", json={"outcome_notes": "ok"},
                                headers=world.admin)
    assert r.status_code == 200, r.text
    return h


async def _adjourned(world, case_id, court_id, reason, **extra):
    h = await world.hearing(case_id, ago(hours=1), court_id=court_id, **extra)
    r = await world.client.post(f"/api/hearings/{h['id']}/adjourn", headers=world.admin,
                                json={"next_starts_at": ahead(days=20), "reason": reason})
    assert r.status_code == 201, r.text
    return h


@pytest.fixture
async def fixture(world):
    a = await world.office("Nairobi")
    b = await world.office("Manila", "Asia/Manila", "PH")
    zone = midday_zone()
    alpha = await world.court("Alpha Court", zone, a["id"])
    beta = await world.court("Beta Court", zone, a["id"])
    gamma = await world.court("Gamma Court", "Asia/Manila", b["id"])
    # Cases of office A. Days from charge to judgment: 60, 100, 20, 180.
    await _case(world, a, alpha, status="closed", outcome="convicted", sentence_months=60,
                charged_on="2026-01-01", judgment_on="2026-03-02")
    await _case(world, a, alpha, status="appeal", outcome="convicted", sentence_months=120,
                charged_on="2026-01-01", judgment_on="2026-04-11")
    await _case(world, a, beta, status="closed", outcome="plea_agreement", sentence_months=24,
                charged_on="2026-02-01", judgment_on="2026-02-21")
    await _case(world, a, beta, status="closed", outcome="acquitted", charged_on="2026-01-01",
                judgment_on="2026-06-30")
    survivor = await world.survivor(a["id"])
    lawyer_id, lawyer = await world.user("lawyer", a["id"])
    worker_id, _ = await world.user("caseworker", a["id"])
    trial = await world.case(a["id"], alpha["id"], status="trial", survivor_ids=[survivor["id"]],
                             staff_ids=[lawyer_id, worker_id])
    # Office B: one conviction, 360 months, 10 days from charge to judgment.
    await _case(world, b, gamma, status="closed", outcome="convicted", sentence_months=360,
                charged_on="2026-01-01", judgment_on="2026-01-11")

    t = trial["id"]
    # Alpha: held twice (one testifying, accompanied; one testifying, alone), adjourned once.
    await _held(world, t, alpha["id"], "2026-05-04T09:00:00+03:00", survivor_testifies=True,
                staff_ids=[worker_id])
    await _held(world, t, alpha["id"], "2026-05-05T09:00:00+03:00", survivor_testifies=True)
    await _adjourned(world, t, alpha["id"], "witness_absent")
    # Beta: held once, adjourned twice (one testifying, accompanied), cancelled once.
    await _held(world, t, beta["id"], "2026-06-01T09:00:00+03:00")
    await _adjourned(world, t, beta["id"], "accused_absent", survivor_testifies=True, staff_ids=[worker_id])
    await _adjourned(world, t, beta["id"], "witness_absent")
    cancelled = await world.hearing(t, ahead(days=40), court_id=beta["id"])
    await world.post(f"/api/hearings/{cancelled['id']}/cancel", {"reason": "vacated"}, expect=200)

    # Statements: two taken, one planned.
    for kind, status in (("police_statement", "taken"), ("affidavit", "filed"), ("affidavit", "planned")):
        body = {"kind": kind, "survivor_id": survivor["id"], "status": status}
        if status != "planned":
            body["taken_at"] = "2026-05-10T10:00:00+03:00"
        await world.post(f"/api/cases/{t}/statements", body)
    # Documents: one recovered then returned, one recovered.
    for hands in (["recovered", "returned"], ["recovered"]):
        doc = await world.post(f"/api/survivors/{survivor['id']}/identity-documents",
                               {"kind": "passport", "issuing_country": "KE", "status": "withheld"})
        holder = "Employer"
        for n, status in enumerate(hands):
            nxt = "Organisation" if status == "recovered" else "Survivor"
            await world.post(f"/api/identity-documents/{doc['id']}/custody", {
                "at": f"2026-07-0{n + 1}T10:00:00+03:00", "released_by": holder, "received_by": nxt,
                "resulting_status": status})
            holder = nxt
    # Immigration: a T visa approved, a U visa denied, a U visa filed and pending.
    filed = "2026-01-05"
    for body in ({"kind": "t_visa", "filed_on": filed, "decision_on": "2026-08-01", "outcome": "approved"},
                 {"kind": "u_visa", "filed_on": filed, "decision_on": "2026-09-01", "outcome": "denied"},
                 {"kind": "u_visa", "filed_on": "2026-02-05"}):
        await world.post(f"/api/survivors/{survivor['id']}/immigration", body)
    _, office_admin = await world.user("admin", a["id"])
    _, other_admin = await world.user("admin", b["id"])
    return {"a": a, "b": b, "lawyer": lawyer, "office_admin": office_admin, "other_admin": other_admin}


async def _report(world, headers, **params):
    r = await world.client.get("/api/reports/outcomes", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_office_admin_report_matches_hand_computation(world, fixture):
    report = await _report(world, fixture["office_admin"])
    assert report["scope"] == "office" and report["timezone"] == "Africa/Nairobi"
    assert report["cases"] == {"total": 5, "by_status": {"appeal": 1, "closed": 3, "trial": 1},
                               "by_outcome": {"acquitted": 1, "convicted": 2, "plea_agreement": 1}}
    # Convictions: 60, 120, 24 months -> median 60, mean 68.
    assert report["convictions"] == {"count": 3, "sentenced": 3, "sentence_mean_months": 68.0,
                                     "sentence_median_months": 60.0}
    # 20, 60, 100, 180 days -> median 80, mean 90.
    assert report["charge_to_judgment"] == {"cases": 4, "mean_days": 90.0, "median_days": 80.0}
    h = report["hearings"]
    assert (h["held"], h["adjourned"], h["cancelled"], h["scheduled"]) == (3, 3, 1, 3)
    assert h["adjournment_rate"] == 0.5
    assert h["adjournments_by_reason"] == [
        {"reason": "witness_absent", "count": 2, "rate": 0.3333},
        {"reason": "accused_absent", "count": 1, "rate": 0.1667}]
    assert [(c["court_name"], c["held"], c["adjourned"], c["adjournment_rate"]) for c in h["by_court"]] == [
        ("Alpha Court", 2, 1, 0.3333), ("Beta Court", 1, 2, 0.6667)]
    # Testifying hearings that sat or were adjourned: 3, two of them accompanied.
    assert report["accompaniment"] == {"testifying_hearings": 3, "accompanied": 2, "coverage": 0.6667}
    assert report["statements"] == {"taken": 2, "by_kind": {"affidavit": 1, "police_statement": 1}}
    assert report["documents"] == {"recovered": 2, "returned": 1,
                                   "by_status": {"recovered": 1, "returned": 1}}
    im = report["immigration"]
    assert (im["decisions"], im["approved"], im["pending"]) == (2, 1, 1)
    assert im["by_kind_and_outcome"] == [{"kind": "t_visa", "outcome": "approved", "count": 1},
                                         {"kind": "u_visa", "outcome": "denied", "count": 1}]


async def test_period_filters_events(world, fixture):
    report = await _report(world, fixture["office_admin"], **{"from": "2026-03-01", "to": "2026-05-05"})
    # Judgments on 03-02 and 04-11: 60 and 120 months; 60 and 100 days.
    assert report["convictions"]["count"] == 2 and report["convictions"]["sentence_median_months"] == 90.0
    assert report["charge_to_judgment"] == {"cases": 2, "mean_days": 80.0, "median_days": 80.0}
    assert report["cases"]["by_outcome"] == {"convicted": 2}
    h = report["hearings"]
    assert (h["held"], h["adjourned"], h["adjournment_rate"]) == (2, 0, 0.0)
    assert report["accompaniment"] == {"testifying_hearings": 2, "accompanied": 1, "coverage": 0.5}
    assert report["statements"]["taken"] == 0
    assert report["documents"]["recovered"] == 0 and report["immigration"]["decisions"] == 0
    assert_problem(await world.client.get("/api/reports/outcomes", params={"from": "2026-05-05",
                                                                           "to": "2026-05-01"},
                                          headers=world.admin), 400, "to")


async def test_scope_by_role(world, fixture):
    # The organisation admin sees both offices: convictions 24, 60, 120, 360 -> median 90, mean 141.
    org = await _report(world, world.admin)
    assert org["scope"] == "organisation" and org["cases"]["total"] == 6
    assert org["convictions"]["sentence_median_months"] == 90.0
    assert org["convictions"]["sentence_mean_months"] == 141.0
    only_b = await _report(world, world.admin, office_id=fixture["b"]["id"])
    assert only_b["cases"]["total"] == 1 and only_b["hearings"]["held"] == 0
    assert only_b["timezone"] == "Asia/Manila"
    # Another office's admin asking for office A gets nothing of it.
    other = await _report(world, fixture["other_admin"], office_id=fixture["a"]["id"])
    assert other["cases"]["total"] == 0 and other["statements"]["taken"] == 0
    assert other["documents"]["by_status"] == {} and other["immigration"]["pending"] == 0
    # A lawyer sees the one case assigned to them, with its hearings, statements and survivor.
    mine = await _report(world, fixture["lawyer"])
    assert mine["scope"] == "assigned_cases"
    assert mine["cases"] == {"total": 1, "by_status": {"trial": 1}, "by_outcome": {}}
    assert mine["convictions"]["count"] == 0 and mine["hearings"]["held"] == 3
    assert mine["statements"]["taken"] == 2 and mine["immigration"]["pending"] == 1


def _csv(text):
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


async def test_csv_by_accept_header_and_by_format_carries_the_same_figures(world, fixture):
    admin = fixture["office_admin"]
    r = await world.client.get("/api/reports/outcomes", params={"table": "adjournments_by_court"},
                               headers={**admin, "Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert _csv(r.text) == [["court", "held", "adjourned", "adjournment_rate_percent"],
                            ["Alpha Court", "2", "1", "33.3"], ["Beta Court", "1", "2", "66.7"]]
    r = await world.client.get("/api/reports/outcomes", params={"format": "csv"}, headers=admin)
    rows = _csv(r.text)
    # Every table, each under its title: the reasons table as the JSON report has it.
    at = rows.index(["Adjournments by reason"])
    assert rows[at + 1:at + 4] == [["reason", "adjournments", "share_of_hearings_sat_percent"],
                                   ["witness_absent", "2", "33.3"], ["accused_absent", "1", "16.7"]]
    at = rows.index(["Time from charge to judgment"])
    assert rows[at + 2] == ["4", "90.0", "80.0"]
    # JSON stays the default, and a bad format or table is refused naming the parameter.
    assert (await _report(world, admin))["hearings"]["held"] == 3
    for params, field in (({"format": "xlsx"}, "format"), ({"format": "csv", "table": "x"}, "table")):
        assert_problem(await world.client.get("/api/reports/outcomes", params=params, headers=admin),
                       400, field)


def test_csv_cells_that_look_like_formulas_are_written_as_text():
    from legal_tracker.casework.report_tables import to_csv

    report = {"hearings": {"adjournments_by_reason": [], "held": 1, "adjourned": 1, "cancelled": 0,
                           "scheduled": 0, "adjournment_rate": 0.5,
                           "by_court": [{"court_name": "=HYPERLINK(\"x\")", "held": 1, "adjourned": 1,
                                         "adjournment_rate": 0.5}]},
              "charge_to_judgment": {"cases": 0, "mean_days": None, "median_days": None},
              "accompaniment": {"testifying_hearings": 0, "accompanied": 0, "coverage": None},
              "cases": {"by_status": {}, "by_outcome": {}},
              "sms": {"by_office": [{"office_name": "@office", "sent": 3, "delivered": 2,
                                     "delivery_rate": 0.6667}]}}
    rows = _csv(to_csv(report, "adjournments_by_court"))
    assert rows[1] == ["'=HYPERLINK(\"x\")", "1", "1", "50.0"]
    assert _csv(to_csv(report, "sms_delivery_by_office"))[1] == ["'@office", "3", "2", "66.7"]
    assert _csv(to_csv(report, "accompaniment"))[1] == ["0", "0", ""]


async def _family_reminders(world, office, lawyer_id):
    """A case of ``office`` with a survivor whose family agreed to SMS, and a hearing the
    family attends: its reminders are planned (a welcome message too, which has no case)."""
    court = await world.court(f"Court of {office['name']}", office["timezone"], office["id"])
    survivor = await world.survivor(office["id"])
    await world.post(f"/api/survivors/{survivor['id']}/contacts", {
        "name": "Family Member", "relationship": "mother", "phone": "+254712345670",
        "sms_consent": True})
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]],
                            staff_ids=[lawyer_id] if lawyer_id else [])
    await world.hearing(case["id"], ahead(days=10), court_id=court["id"], family_attends=True,
                        survivor_attends=True)
    return case


async def test_sms_delivery_rate_by_office_and_period_under_the_report_scope(world):
    from datetime import UTC, datetime, timedelta

    from legal_tracker.reminders.tables import Reminder

    a = await world.office("Nairobi")
    b = await world.office("Manila", "Asia/Manila", "PH")
    lawyer_id, lawyer = await world.user("lawyer", a["id"])
    _, office_admin = await world.user("admin", a["id"])
    case_a = await _family_reminders(world, a, lawyer_id)
    await _family_reminders(world, b, None)
    now = datetime.now(UTC)
    # What the dispatcher and the gateway's delivery reports would have recorded. Office A:
    # the case's reminders alternate delivered / undelivered, the welcome message is
    # delivered, and one more was sent 40 days ago; office B: every reminder sent, one
    # delivered. Reminders still planned (no sent_at) count nowhere.
    expected = {}
    for office, pattern in ((a, "alternate"), (b, "first")):
        rows = await Reminder.select(Reminder.id, Reminder.case).where(
            Reminder.office == office["id"]).order_by(Reminder.id)
        assert len(rows) >= 3, rows
        sent = delivered = 0
        for i, row in enumerate(rows[:-1]):  # the last one stays planned
            ok = (i % 2 == 0) if pattern == "alternate" else i == 0
            await Reminder.update({Reminder.status: "delivered" if ok else "undelivered",
                                   Reminder.sent_at: now - timedelta(hours=2)}).where(
                Reminder.id == row["id"])
            sent, delivered = sent + 1, delivered + ok
        expected[office["id"]] = (sent, delivered, rows)
    old = expected[a["id"]][2][-1]["id"]
    await Reminder.update({Reminder.status: "delivered",
                           Reminder.sent_at: now - timedelta(days=40)}).where(Reminder.id == old)

    org = (await _report(world, world.admin))["sms"]
    a_sent, a_delivered, a_rows = expected[a["id"]]
    b_sent, b_delivered, _ = expected[b["id"]]
    assert org["sent"] == a_sent + 1 + b_sent and org["delivered"] == a_delivered + 1 + b_delivered
    assert org["delivery_rate"] == round(org["delivered"] / org["sent"], 4)
    assert [(o["office_name"], o["sent"], o["delivered"]) for o in org["by_office"]] == [
        ("Manila", b_sent, b_delivered), ("Nairobi", a_sent + 1, a_delivered + 1)]
    # The period (sent in the last ten days) leaves the old message out.
    recent = (await _report(world, world.admin, **{"from": (now - timedelta(days=10)).date().isoformat(),
                                                     "office_id": a["id"]}))["sms"]
    assert (recent["sent"], recent["delivered"]) == (a_sent, a_delivered)
    assert [o["office_name"] for o in recent["by_office"]] == ["Nairobi"]
    # An office's admin sees their office only; a lawyer the messages of their cases only
    # (a welcome message belongs to no case).
    mine = (await _report(world, office_admin))["sms"]
    assert (mine["sent"], mine["delivered"]) == (a_sent + 1, a_delivered + 1)
    lawyers = (await _report(world, lawyer))["sms"]
    assert lawyers["sent"] == sum(1 for r in a_rows if r["case"] == case_a["id"])
    assert 0 < lawyers["sent"] < mine["sent"]
    # Nothing sent: no rate, never 0 %.
    empty = (await _report(world, world.admin, **{"from": "2001-01-01", "to": "2001-01-02"}))["sms"]
    assert empty == {"sent": 0, "delivered": 0, "delivery_rate": None, "by_office": []}
    # The CSV table carries the same figures.
    r = await world.client.get("/api/reports/outcomes", headers=world.admin,
                               params={"format": "csv", "table": "sms_delivery_by_office"})
    assert _csv(r.text)[0] == ["office", "sent", "delivered", "delivery_rate_percent"]
    assert _csv(r.text)[2][:3] == ["Nairobi", str(a_sent + 1), str(a_delivered + 1)]
