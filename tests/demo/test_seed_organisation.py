"""``seed-demo``: the promised demo data set, consistent hearing histories, idempotent, and
deterministic."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from legal_tracker import db
from legal_tracker.cases.tables import Accused, Case, Contact, Hearing, HearingHistory, HearingStaff, Survivor
from legal_tracker.demo import ADMIN_EMAIL, DEMO_PASSWORD, SUMMARY_KEYS, demo_logins, seed_demo
from legal_tracker.migrate import migrate
from legal_tracker.organisation.tables import Court, Office, Staff
from legal_tracker.settings import Settings
from tests.conftest import TEST_KEY

TABLES = {"offices": Office, "courts": Court, "staff": Staff, "survivors": Survivor,
          "contacts": Contact, "cases": Case, "accused": Accused, "hearings": Hearing}


async def _counts() -> dict[str, int]:
    return {key: await table.count() for key, table in TABLES.items()}


async def test_seed_demo_adds_the_promised_data_once(database, client):
    started = datetime.now(UTC)
    summary = await seed_demo()
    assert set(summary) >= set(SUMMARY_KEYS) and all(isinstance(v, int) for v in summary.values())
    assert summary["offices"] == 2 and summary["courts"] == 6
    assert summary["cases"] >= 30 and summary["hearings"] >= 200 and summary["adjourned"] >= 20
    assert summary["survivors"] >= 30 and summary["contacts"] >= 30 and summary["accused"] >= 36
    counts = await _counts()
    assert {k: summary[k] for k in TABLES} == counts

    again = await seed_demo()
    assert not any(again[k] for k in SUMMARY_KEYS), again
    assert await _counts() == counts

    offices = await Office.select().order_by(Office.id)
    assert [(o["name"], o["timezone"], o["country"]) for o in offices] == [
        ("Demo Nairobi Office", "Africa/Nairobi", "KE"), ("Demo Manila Office", "Asia/Manila", "PH")]
    courts = Counter(r["office"] for r in await Court.select(Court.office))
    assert sorted(courts.values()) == [3, 3]
    roles = {(r["office"], r["role"]) for r in await Staff.select(Staff.office, Staff.role)}
    for office in offices:
        assert {role for o, role in roles if o == office["id"]} == {"admin", "lawyer", "caseworker",
                                                                     "viewer"}
    statuses = Counter(r["status"] for r in await Case.select(Case.status))
    assert set(statuses) == {"investigation", "charged", "trial", "judgment", "sentencing", "appeal",
                             "closed"}
    assert await Accused.count() >= await Case.count()

    # Survivors are known by codes; their legal names are encrypted at rest.
    for s in await Survivor.select(Survivor.code, Survivor.legal_name_enc):
        assert s["code"][:4] in {"NRB-", "MNL-"}
        assert s["legal_name_enc"] and "fictional" not in s["legal_name_enc"]
    contacts = await Contact.select()
    assert {c["language"] for c in contacts} == {"en", "sw", "tl"}
    consenting = [c for c in contacts if c["sms_consent_at"] and not c["sms_consent_withdrawn_at"]]
    withdrawn = [c for c in contacts if c["sms_consent_withdrawn_at"]]
    assert len(consenting) > len(contacts) // 2 and len(withdrawn) == 4
    assert all(c["phone_enc"] and "+" not in c["phone_enc"] for c in contacts)

    await _check_hearings(started)
    await _check_closed_cases()

    # A newcomer logs in with the printed credentials and sees a living system.
    assert any(ADMIN_EMAIL in line for line in demo_logins())
    for email in (ADMIN_EMAIL, "lawyer1.manila@demo.example", "caseworker2.nairobi@demo.example"):
        login = await client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert login.status_code == 200, email
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    mine = (await client.get("/api/hearings", params={"limit": 200, "from": started.isoformat()},
                             headers=headers)).json()["items"]
    assert mine and all(h["status"] == "scheduled" for h in mine)
    assert all(h["court_timezone"] == "Africa/Nairobi" for h in mine)


async def _check_closed_cases() -> None:
    # A closed case was closed on a day that has come, after its judgment.
    closed = await Case.select(Case.reference, Case.judgment_on, Case.closed_on,
                               Case.office.timezone.as_alias("tz")).where(Case.status == "closed")
    assert closed
    for case in closed:
        today = datetime.now(ZoneInfo(case["tz"])).date()
        assert case["closed_on"] is not None and case["closed_on"] <= today, case
        assert case["judgment_on"] is None or case["judgment_on"] <= case["closed_on"], case


async def _check_hearings(started: datetime) -> None:
    rows = {h["id"]: h for h in await Hearing.select()}
    staffed = {r["hearing"] for r in await HearingStaff.select(HearingStaff.hearing)}
    history: dict[int, list[dict]] = {}
    for r in await HearingHistory.select().order_by(HearingHistory.id):
        history.setdefault(r["hearing"], []).append(r)
    kinds = Counter(h["kind"] for h in rows.values())
    assert {"mention", "plea", "testimony", "judgment", "sentencing", "appeal", "bail"} <= set(kinds)
    assert Counter(h["status"] for h in rows.values()).keys() == {"scheduled", "held", "adjourned",
                                                                  "cancelled"}
    into_future = rescheduled = 0
    for h in rows.values():
        past = h["starts_at"] < started
        # The past is settled; the future is still to come.
        assert (h["status"] != "scheduled") == past, h
        events = history[h["id"]]
        assert events[0]["action"] == "created"
        # One version per visible change, and history in the order it happened.
        assert h["version"] == len(events), (h, events)
        assert [e["version"] for e in events] == list(range(1, len(events) + 1))
        times = [e["at"] for e in events]
        assert times == sorted(times) and times[-1] <= datetime.now(UTC)
        if past:
            assert events[-1]["at"] >= h["starts_at"] or h["status"] == "cancelled"
        if h["status"] == "adjourned":
            nxt = rows[h["adjourned_to"]]
            assert nxt["adjourned_from"] == h["id"] and nxt["case"] == h["case"]
            assert nxt["kind"] == h["kind"] and nxt["starts_at"] > h["starts_at"]
            assert h["adjournment_reason"] and events[-1]["action"] == "adjourned"
            into_future += nxt["starts_at"] > started
        else:
            assert h["adjourned_to"] is None
        if h["adjourned_from"] is not None:
            assert rows[h["adjourned_from"]]["adjourned_to"] == h["id"]
        rescheduled += any(e["action"] == "rescheduled" for e in events)
    assert into_future >= 3 and rescheduled >= 3  # made by the real services
    assert len(staffed) > len(rows) // 2


async def _seed_fresh(path: Path, now: datetime) -> list[tuple]:
    settings = Settings(environment="test", data_dir=path.parent, database_url=f"sqlite:///{path}",
                        secret_key=TEST_KEY, scheduler=False)
    await db.setup(settings)
    try:
        await migrate()
        await seed_demo(now)
        hearings = await Hearing.select(Hearing.case.reference, Hearing.starts_at, Hearing.kind,
                                        Hearing.status, Hearing.version).order_by(Hearing.id)
        survivors = await Survivor.select(Survivor.code, Survivor.birth_year).order_by(Survivor.id)
        return [tuple(r.values()) for r in hearings + survivors]
    finally:
        await db.teardown()


async def test_seed_demo_is_deterministic(tmp_path):
    # Dates are relative to the day it runs (the services check the real clock).
    now = datetime.now(UTC)
    first = await _seed_fresh(tmp_path / "one.sqlite", now)
    second = await _seed_fresh(tmp_path / "two.sqlite", now)
    assert len(first) > 250 and first == second


async def test_seed_demo_is_one_transaction(database, monkeypatch):
    # The casework is seeded last: if it fails, the organisation, cases and hearings seeded
    # before it are rolled back with it, and no reminder is left planned for them.
    import legal_tracker.demo as demo
    from legal_tracker.reminders.tables import Reminder

    async def fail(summary, now):
        assert await Hearing.count() > 200  # the rest is written, in the open transaction
        raise RuntimeError("casework failed")

    monkeypatch.setattr(demo, "seed_casework", fail)
    with pytest.raises(RuntimeError, match="casework failed"):
        await seed_demo()
    assert await _counts() == dict.fromkeys(TABLES, 0)
    assert await Reminder.count() == 0
