"""The hearing page's other forms over HTTP: adjourn, record the outcome, cancel, resend."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.conftest import World
from tests.web.test_foundation import csrf_of, sign_in
from tests.web.test_pages import _post, _setup

NAIROBI = ZoneInfo("Africa/Nairobi")


def _today(hours_from_now: float) -> str:
    return (datetime.now(NAIROBI) + timedelta(hours=hours_from_now)).isoformat(timespec="seconds")


async def test_adjourn_on_the_day_then_outcome(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    # A hearing that started a few minutes ago (today, in the court's zone).
    started = (datetime.now(NAIROBI) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    if started.date() != datetime.now(NAIROBI).date():  # just after midnight: keep it today
        started = datetime.now(NAIROBI).replace(hour=0, minute=0, second=0, microsecond=0)
    today = await world.hearing(s["case"]["id"], started.isoformat(), s["lawyer"],
                                survivor_attends=True, staff_ids=[s["lawyer_id"]])
    await sign_in(web, "lawyer@example.org")
    page = f"/app/hearings/{today['id']}"
    html = (await web.get(page)).text
    assert "Adjourn (on the day)" in html and "Record the outcome" in html
    assert "Reschedule (before the day)" not in html  # it has started
    # "Other" needs a note: a 422 beside the note field, the chosen reason kept.
    nxt = (datetime.now(NAIROBI) + timedelta(days=20)).strftime("%Y-%m-%dT10:00")
    r = await _post(web, f"{page}/adjourn", {"next_starts_at": nxt, "reason": "other"}, page)
    assert r.status_code == 422 and 'id="f-adjourn-note-error"' in r.text
    assert '<option value="other" selected>' in r.text and f'value="{nxt}"' in r.text
    r = await _post(web, f"{page}/adjourn", {"next_starts_at": nxt, "reason": "witness_absent"}, page)
    assert r.status_code == 303
    next_id = int(re.search(r"/app/hearings/(\d+)\?done=adjourned", r.headers["location"]).group(1))
    html = (await web.get(r.headers["location"])).text
    assert "This is the next hearing" in html and f'/app/hearings/{today["id"]}' in html
    old = (await world.client.get(f"/api/hearings/{today['id']}", headers=s["lawyer"])).json()
    assert old["status"] == "adjourned" and old["adjourned_to_id"] == next_id
    assert "A witness was absent" in (await web.get(page)).text
    # The case page shows the chain.
    case_html = (await web.get(f"/app/cases/{s['case']['id']}")).text
    assert "in an adjournment chain" in case_html
    # Outcome of another hearing that has started.
    held = await world.hearing(s["case"]["id"], started.isoformat(), s["lawyer"])
    page = f"/app/hearings/{held['id']}"
    r = await _post(web, f"{page}/outcome", {"outcome_notes": ""}, page)
    assert r.status_code == 422 and 'id="f-outcome-outcome_notes-error"' in r.text
    r = await _post(web, f"{page}/outcome", {"outcome_notes": "Plea taken", "case_status": "trial"},
                    page)
    assert r.status_code == 303
    assert (await world.client.get(f"/api/cases/{s['case']['id']}",
                                   headers=s["lawyer"])).json()["status"] == "trial"


async def test_cancel_and_resend_refused_while_pending(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await world.post(f"/api/survivors/{s['survivor']['id']}/contacts", {
        "name": "Auntie Test", "relationship": "aunt", "phone": "+254712345679",
        "sms_consent": True}, s["lawyer"])
    hearing = await world.hearing(s["case"]["id"], _today(24 * 9), s["lawyer"],
                                  survivor_attends=True, family_attends=True)
    await sign_in(web, "lawyer@example.org")
    page = f"/app/hearings/{hearing['id']}"
    html = (await web.get(page)).text
    assert "Auntie Test" in html and "Planned" in html
    reminders = (await world.client.get("/api/reminders", params={"hearing_id": hearing["id"]},
                                        headers=s["lawyer"])).json()["items"]
    assert reminders
    # A planned reminder is still on its way: resending it is a 409 sentence on the page.
    token = await csrf_of(web, page)
    r = await web.post(f"/app/reminders/{reminders[0]['id']}/resend", data={"_csrf_token": token})
    assert r.status_code == 409 and "still on its way" in r.text and 'role="alert"' in r.text
    r = await _post(web, f"{page}/cancel", {"reason": ""}, page)
    assert r.status_code == 422 and 'id="f-cancel-reason-error"' in r.text
    r = await _post(web, f"{page}/cancel", {"reason": "charges withdrawn"}, page)
    assert r.status_code == 303
    html = (await web.get(r.headers["location"])).text
    assert "The hearing was cancelled." in html and "charges withdrawn" in html
    assert "Move the hearing" not in html
