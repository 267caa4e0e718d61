"""The pages in a real browser (headless Debian chromium): the issue's scenarios, axe on every
page in its states, screenshots at 360 and 1280 px, and the transfer budgets."""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.web.browser import Live, Transfer, check_axe, new_page, shoot, sign_in

NAIROBI = ZoneInfo("Africa/Nairobi")



def _instant(text: str) -> datetime:
    """API times are written in UTC (`Z`): compare the instants, not the spelling."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

def _local(days: int, hour: int = 9) -> str:
    day = (datetime.now(NAIROBI) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def _world(live: Live) -> dict[str, Any]:
    """An office with a court, a lawyer on a case, a caseworker not on it, a family contact
    with SMS consent, and two hearings (one accompanied, one not)."""
    office = live.office(f"Nairobi {uuid.uuid4().hex[:4]}")
    court = live.court(office["id"])
    lawyer_id, lawyer_email, lawyer = live.user("lawyer", office["id"], "Amina Wanjiku")
    worker_id, worker_email, worker = live.user("caseworker", office["id"], "Grace Atieno")
    ref = f"CR {uuid.uuid4().hex[:4]}/2026"
    survivor = live.post("/api/survivors", {"office_id": office["id"], "code": f"S{uuid.uuid4().hex[:5]}"},
                         lawyer)
    live.post(f"/api/survivors/{survivor['id']}/contacts", {
        "name": "Mama Test", "relationship": "mother", "phone": "+254712345678",
        "language": "sw", "sms_consent": True}, lawyer)
    case = live.post("/api/cases", {"reference": ref, "office_id": office["id"],
                                    "court_id": court["id"], "survivor_ids": [survivor["id"]],
                                    "court_case_number": "MCCR/E99/2026",
                                    "accused": [{"name": "John Doe Accused", "status": "on_bail"}]},
                     lawyer)
    hearing = live.post(f"/api/cases/{case['id']}/hearings", {
        "starts_at": _local(6) + ":00+03:00", "kind": "testimony", "courtroom": "Court 2",
        "survivor_attends": True, "survivor_testifies": True, "family_attends": True,
        "staff_ids": [worker_id]}, lawyer)
    bare = live.post(f"/api/cases/{case['id']}/hearings", {
        "starts_at": _local(6, 14) + ":00+03:00", "kind": "mention", "survivor_attends": True},
        lawyer)
    return {"office": office, "court": court, "lawyer_email": lawyer_email, "lawyer": lawyer,
            "worker_email": worker_email, "worker": worker, "worker_id": worker_id,
            "lawyer_id": lawyer_id, "case": case, "hearing": hearing, "bare": bare, "ref": ref,
            "survivor": survivor, "day": _local(6)[:10]}


def test_browser_court_day_as_lawyer_and_as_unassigned_caseworker(live: Live, chromium: Any) -> None:
    w = _world(live)
    page = new_page(chromium)
    sign_in(page, live, w["worker_email"])
    page.goto(f"{live.url}/app/?day={w['day']}")
    html = page.content()
    assert "Kibera Law Courts" in html and "Court 2" in html and "Grace Atieno" in html
    assert "Nobody accompanies" in html and "You accompany" in html
    # The roster rule: nothing of the case reaches the caseworker's browser.
    for secret in (w["ref"], w["survivor"]["code"], "MCCR", "John Doe",
                   f"/app/hearings/{w['hearing']['id']}"):
        assert secret not in html, secret
    assert page.locator("main a[href^='/app/hearings/']").count() == 0
    check_axe(page, "court day (caseworker)")
    shoot(page, "court-day-caseworker")
    page.context.close()

    page = new_page(chromium)
    sign_in(page, live, w["lawyer_email"])
    page.goto(f"{live.url}/app/?day={w['day']}")
    assert page.get_by_role("link", name=w["ref"]).count() == 2
    assert w["survivor"]["code"] in page.content()
    check_axe(page, "court day (lawyer)")
    shoot(page, "court-day")
    page.get_by_role("link", name="Whole week").click()
    assert "Court week" in page.get_by_role("heading", level=1).inner_text()
    check_axe(page, "court week")
    page.goto(f"{live.url}/app/?day=2001-01-01")
    assert "No hearings on this day." in page.content()
    check_axe(page, "court day (empty)")
    page.context.close()


def test_browser_reschedule_moves_reminders_and_calendar_feed(live: Live, chromium: Any) -> None:
    w = _world(live)
    sub = live.post("/api/calendar-subscriptions", {"scope": "case", "target_id": w["case"]["id"]},
                    w["lawyer"])
    feed_path = "/calendars/" + sub["url"].rsplit("/calendars/", 1)[1]
    before = httpx.get(live.url + feed_path).text
    page = new_page(chromium)
    sign_in(page, live, w["lawyer_email"])
    page.goto(f"{live.url}/app/hearings/{w['hearing']['id']}")
    assert "Mama Test" in page.content() and "Planned" in page.content()
    check_axe(page, "hearing")
    shoot(page, "hearing")
    page.get_by_text("Reschedule (before the day)").click()
    new_time = _local(8, 11)
    page.get_by_label("New date and time").fill(new_time)
    page.get_by_role("button", name="Move the hearing").click()
    page.wait_for_load_state()
    assert "The hearing was moved." in page.content()
    html = page.content()
    assert "Cancelled" in html and "Planned" in html  # old reminders cancelled, new ones planned
    check_axe(page, "hearing after reschedule")
    reminders = live.get("/api/reminders", w["lawyer"], hearing_id=w["hearing"]["id"])["items"]
    pending = [r for r in reminders if r["status"] == "pending"]
    assert pending and all(r["hearing_version"] == 2 for r in pending)
    after = httpx.get(live.url + feed_path).text
    stamp = new_time.replace("-", "").replace(":", "").replace("T", "T") + "00"
    assert stamp in after and stamp not in before
    assert re.search(r"SEQUENCE:1\b", after) or "SEQUENCE:2" in after
    page.context.close()


def test_browser_reschedule_without_javascript(live: Live, chromium: Any) -> None:
    w = _world(live)
    page = new_page(chromium, javascript=False)
    sign_in(page, live, w["lawyer_email"])
    page.goto(f"{live.url}/app/hearings/{w['hearing']['id']}")
    page.get_by_text("Reschedule (before the day)").click()
    page.get_by_label("New date and time").fill(_local(10, 10))
    page.get_by_label("Reason (optional)").fill("the court asked")
    page.get_by_role("button", name="Move the hearing").click()
    page.wait_for_load_state()
    assert "The hearing was moved." in page.content()
    moved = live.get(f"/api/hearings/{w['hearing']['id']}", w["lawyer"])
    assert _instant(moved["starts_at"]) == _instant(_local(10, 10) + ":00+03:00")
    page.context.close()


def test_browser_422_beside_field_and_409_on_top(live: Live, chromium: Any) -> None:
    w = _world(live)
    page = new_page(chromium)
    sign_in(page, live, w["lawyer_email"])
    page.goto(f"{live.url}/app/hearings/{w['hearing']['id']}")
    page.get_by_text("Reschedule (before the day)").click()
    past = _local(-2, 10)
    page.get_by_label("New date and time").fill(past)
    page.get_by_label("Reason (optional)").fill("typed by hand")
    page.get_by_role("button", name="Move the hearing").click()
    page.wait_for_load_state()
    field = page.get_by_label("New date and time")
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator("#f-reschedule-starts_at-error")
    assert "must be in the future" in error.inner_text()
    assert "f-reschedule-starts_at-error" in field.get_attribute("aria-describedby")
    assert field.input_value() == past
    assert page.get_by_label("Reason (optional)").input_value() == "typed by hand"
    check_axe(page, "hearing with a 422")
    shoot(page, "hearing-invalid")
    # Meanwhile someone cancels it; the form, still open, gets a 409 sentence.
    live.post(f"/api/hearings/{w['hearing']['id']}/cancel", {"reason": "withdrawn"}, w["lawyer"],
              expect=200)
    page.get_by_label("New date and time").fill(_local(9))
    page.get_by_role("button", name="Move the hearing").click()
    page.wait_for_load_state()
    assert "a cancelled hearing cannot be rescheduled" in page.get_by_role("alert").inner_text()
    check_axe(page, "hearing with a 409")
    shoot(page, "hearing-conflict")
    page.context.close()


def test_browser_out_of_scope_and_missing_csrf(live: Live, chromium: Any) -> None:
    w = _world(live)
    page = new_page(chromium)
    sign_in(page, live, w["worker_email"])
    response = page.goto(f"{live.url}/app/cases/{w['case']['id']}")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert w["ref"] not in page.content()
    check_axe(page, "not found")
    shoot(page, "not-found")
    page.context.close()

    page = new_page(chromium)
    sign_in(page, live, w["lawyer_email"])
    page.goto(f"{live.url}/app/hearings/{w['hearing']['id']}")
    page.get_by_text("Cancel the hearing").first.click()
    page.locator("#cancel input[name='_csrf_token']").evaluate("e => e.remove()")
    page.locator("#cancel").get_by_label("Reason").fill("forged")
    with page.expect_navigation() as nav:
        page.locator("#cancel button").click()
    assert nav.value.status == 403
    assert "Not allowed" in page.content()
    check_axe(page, "403 page")
    assert live.get(f"/api/hearings/{w['hearing']['id']}", w["lawyer"])["status"] == "scheduled"
    page.context.close()


def test_browser_calendar_qr_decodes_to_the_feed_url(live: Live, chromium: Any) -> None:
    pyzbar = pytest.importorskip("pyzbar.pyzbar", reason="pyzbar (and libzbar0) decode the QR code")
    from PIL import Image

    w = _world(live)
    page = new_page(chromium, width=1280)
    sign_in(page, live, w["lawyer_email"])
    page.goto(f"{live.url}/app/calendar")
    check_axe(page, "my calendar (empty)")
    shoot(page, "calendar-empty")
    page.get_by_label("The hearings I accompany").check()
    page.get_by_role("button", name="Create calendar link").click()
    page.wait_for_load_state()
    url = page.locator("#feed-url").inner_text()
    assert url.startswith(live.url + "/calendars/")
    png = page.locator(".qr svg").screenshot()
    decoded = pyzbar.decode(Image.open(io.BytesIO(png)))
    assert decoded and decoded[0].data.decode() == url
    assert httpx.get(url).status_code == 200
    check_axe(page, "my calendar (new link)")
    shoot(page, "calendar")
    page.context.close()


def test_browser_every_page_passes_axe_and_fits_a_phone(live: Live, chromium: Any) -> None:
    w = _world(live)
    page = new_page(chromium)
    sign_in(page, live, w["lawyer_email"])
    for name, path in [
        ("cases", "/app/cases"), ("cases-search", f"/app/cases?q={w['ref'][:5]}&status=investigation"),
        ("cases-none", "/app/cases?q=zzzz-nothing"), ("case", f"/app/cases/{w['case']['id']}"),
        ("case-new", "/app/cases/new"), ("hearing-new", f"/app/cases/{w['case']['id']}/hearings/new"),
        ("account", "/app/account"),
    ]:
        page.goto(live.url + path)
        check_axe(page, name)
        shoot(page, name)
    # Forms in their error state.
    page.goto(live.url + "/app/cases/new")
    page.get_by_role("button", name="Create case").click()
    page.wait_for_load_state()
    assert page.locator("#f-reference-error").count() == 1
    check_axe(page, "new case with errors")
    shoot(page, "case-new-invalid")
    page.goto(live.url + "/app/account")
    page.get_by_label("Current password").fill("not it at all")
    page.get_by_label("New password", exact=True).fill("a good new password")
    page.get_by_label("New password again").fill("a good new password")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state()
    assert page.locator("#f-current_password-error").count() == 1
    check_axe(page, "account with errors")
    # The legal name, shown on request.
    page.goto(f"{live.url}/app/cases/{w['case']['id']}")
    assert page.get_by_role("button", name=re.compile("Show legal name")).count() == 0  # none recorded
    page.context.close()


def test_browser_transfer_budgets(live: Live, chromium: Any) -> None:
    """First load of a page, everything included, at most 60 KB over the wire; a later page
    (stylesheet cached) at most 20 KB."""
    w = _world(live)
    for _ in range(20):  # a realistic court day: twenty more hearings that day
        live.post(f"/api/cases/{w['case']['id']}/hearings", {
            "starts_at": _local(6, 10) + ":00+03:00", "kind": "mention", "courtroom": "Court 7",
            "staff_ids": [w["worker_id"]]}, w["lawyer"])
    page = new_page(chromium)
    transfer = Transfer(page)
    page.goto(live.url + "/app/login")
    page.wait_for_load_state("networkidle")
    firsts = {"login": transfer.total}
    sign_in(page, live, w["lawyer_email"])
    page.wait_for_load_state("networkidle")
    sizes = {}
    for name, path in [("day", f"/app/?day={w['day']}"), ("cases", "/app/cases"),
                       ("case", f"/app/cases/{w['case']['id']}"),
                       ("hearing", f"/app/hearings/{w['hearing']['id']}"),
                       ("calendar", "/app/calendar"), ("account", "/app/account")]:
        transfer.reset()
        page.goto(live.url + path)
        page.wait_for_load_state("networkidle")
        sizes[name] = transfer.total
        assert 0 < transfer.total <= 20_000, (name, transfer.total, transfer.urls)
        # The same page opened first, in a fresh browser holding only the session cookie.
        fresh = chromium.new_context(viewport={"width": 360, "height": 800})
        fresh.add_cookies([c for c in page.context.cookies() if c["name"] == "lt_session"])
        other = fresh.new_page()
        cold = Transfer(other)
        other.goto(live.url + path)
        other.wait_for_load_state("networkidle")
        firsts[name] = cold.total
        assert any("/static/app." in u for u in cold.urls), cold.urls
        assert 0 < cold.total <= 60_000, (name, cold.total, cold.urls)
        fresh.close()
    assert 0 < firsts["login"] <= 60_000
    print("\nbytes transferred, first load:", firsts, "later:", sizes)
    page.context.close()
