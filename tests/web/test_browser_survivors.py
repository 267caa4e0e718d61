"""The survivor page and a case's statements in a real browser: what a lawyer sees, the
audited reveals, recording consent, the contact form's problem beside the field, statements
added and moved forward, a stale form's 409; axe on every state, screenshots, page sizes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.web.browser import Live, Transfer, check_axe, new_page, shoot, sign_in

PHONE = "+254712345670"


@pytest.fixture(scope="module")
def seeded(live: Live) -> dict:
    office = live.office("Survivors office")
    court = live.court(office["id"])
    lawyer_id, lawyer_email, lawyer = live.user("lawyer", office["id"], "Amina Lawyer")
    survivor = live.post("/api/survivors", {"code": "S-DEMO42", "legal_name": "Wanjiru Kamau",
                                            "language": "sw", "office_id": office["id"]}, lawyer)
    case = live.post("/api/cases", {"reference": "CR 812/2026", "office_id": office["id"],
                                    "court_id": court["id"], "staff_ids": [lawyer_id],
                                    "survivor_ids": [survivor["id"]]}, lawyer)
    contact = live.post(f"/api/survivors/{survivor['id']}/contacts", {
        "name": "Mama Wanjiru", "relationship": "mother", "phone": PHONE, "language": "sw",
        "sms_consent": True}, lawyer)
    starts = (datetime.now(UTC) + timedelta(days=12)).replace(hour=6, minute=0, second=0,
                                                              microsecond=0)
    live.post(f"/api/cases/{case['id']}/hearings", {
        "starts_at": starts.isoformat(), "kind": "testimony", "court_id": court["id"],
        "survivor_attends": True, "family_attends": True, "staff_ids": [lawyer_id]}, lawyer)
    return {"lawyer": lawyer_email, "lawyer_id": lawyer_id, "survivor": survivor, "case": case,
            "office_id": office["id"],
            "contact": contact, "headers": lawyer}


def test_survivor_page_reveals_consent_and_contact_form(chromium, live: Live, seeded: dict) -> None:
    page = new_page(chromium)
    transfer = Transfer(page)
    sign_in(page, live, seeded["lawyer"])
    # From the case page to the survivor, by the code's link.
    page.goto(f"{live.url}/app/cases/{seeded['case']['id']}")
    transfer.reset()
    page.get_by_role("link", name="S-DEMO42", exact=True).click()
    page.wait_for_load_state("networkidle")
    size = transfer.total
    assert page.get_by_role("heading", name="Survivor S-DEMO42", level=1).is_visible()
    body = page.content()
    assert "Wanjiru Kamau" not in body and PHONE not in body
    card = page.locator(".contact").first
    text = card.inner_text()
    assert "Mama Wanjiru" in text and "Consent given" in text and "recorded by Amina Lawyer" in text
    assert "Planned" in text and "Testimony" in text  # the reminder, for which hearing
    assert page.get_by_role("link", name="CR 812/2026").is_visible()
    check_axe(page, "survivor")
    shoot(page, "survivor")
    # Show name: the name on this answer only, the reveal in the audit log.
    page.get_by_role("button", name="Show name").click()
    assert "Wanjiru Kamau" in page.locator("dl.facts").first.inner_text()
    page.get_by_role("button", name="Show number Mama Wanjiru").click()
    assert PHONE in page.locator(".contact").first.inner_text()
    check_axe(page, "survivor revealed")
    events = live.get("/api/audit", action="reveal", entity="survivor",
                      entity_id=seeded["survivor"]["id"])["items"]
    assert events and events[0]["actor_id"] == seeded["lawyer_id"]
    page.goto(f"{live.url}/app/survivors/{seeded['survivor']['id']}")
    assert "Wanjiru Kamau" not in page.content()
    # Withdraw consent, then add a contact with a wrong number: the problem beside the field.
    page.get_by_role("button", name="Record consent withdrawn Mama Wanjiru").click()
    assert "The withdrawal of consent was recorded" in page.locator(".notice-ok").inner_text()
    assert "Consent withdrawn" in page.locator(".contact").first.inner_text()
    page.get_by_role("link", name="Add a family contact").click()
    page.get_by_label("Name").fill("Uncle Otieno")
    page.get_by_label("Relationship to the survivor").fill("uncle")
    page.get_by_label("Phone number").fill("0712")
    page.get_by_role("button", name="Add the contact").click()
    assert page.locator("#f-phone-error").is_visible()
    assert page.get_by_label("Name").input_value() == "Uncle Otieno"
    check_axe(page, "contact form with a problem")
    shoot(page, "contact-invalid")
    page.get_by_label("Phone number").fill("+254 733 100 200")
    page.get_by_label("They agreed to receive SMS reminders").check()
    page.get_by_role("button", name="Add the contact").click()
    assert "The family contact was added." in page.locator(".notice-ok").inner_text()
    assert "Uncle Otieno" in page.content()
    print(f"survivor page over the wire: {size / 1024:.1f} KB")
    assert size < 20 * 1024


def test_statements_add_move_forward_and_a_stale_form(chromium, live: Live, seeded: dict) -> None:
    page = new_page(chromium, width=1280)
    transfer = Transfer(page)
    sign_in(page, live, seeded["lawyer"])
    page.goto(f"{live.url}/app/cases/{seeded['case']['id']}")
    transfer.reset()
    page.get_by_role("link", name="Statements").click()
    page.wait_for_load_state("networkidle")
    size = transfer.total
    assert "No statement recorded yet." in page.content()
    form = page.locator("form[action$='/statements']")
    form.get_by_label("Kind").select_option("police_statement")
    form.get_by_label("Status").select_option("taken")
    form.get_by_label("Interpreter", exact=True).fill("Juma Interpreter")
    form.get_by_role("button", name="Add the statement").click()
    assert page.locator("#f-new-taken_at-error").is_visible()
    assert page.locator("#f-new-interpreter_language-error").is_visible()
    check_axe(page, "statements with problems")
    shoot(page, "statements-invalid")
    form = page.locator("form[action$='/statements']")
    form.get_by_label("Taken on").fill("2026-11-02T10:30")
    form.get_by_label("Interpreter's language").fill("en")
    form.get_by_label("Taken by (staff)").select_option(label="Amina Lawyer")
    form.get_by_label("A support person was present").check()
    form.get_by_label("Support person", exact=True).fill("Grace Mwangi")
    form.get_by_role("button", name="Add the statement").click()
    assert "The statement was added." in page.locator(".notice-ok").inner_text()
    card = page.locator(".statement").first
    text = card.inner_text()
    for expected in ("Police statement", "S-DEMO42", "Taken", "Amina Lawyer",
                     "Juma Interpreter · English (en)", "Grace Mwangi"):
        assert expected in text, expected
    # Someone else signs it while this page is open; then this page's change is refused.
    statement = live.get(f"/api/cases/{seeded['case']['id']}/statements",
                         seeded["headers"])["items"][0]
    r = live.api.patch(f"/api/statements/{statement['id']}", json={"status": "signed"},
                       headers={**seeded["headers"], "If-Match": f'"{statement["version"]}"'})
    assert r.status_code == 200 and r.json()["version"] == statement["version"] + 1
    card.locator("summary").click()
    card.get_by_label("Status").select_option("filed")
    card.get_by_role("button", name="Save").click()
    assert "Someone else changed this statement" in page.locator(".notice-error").inner_text()
    check_axe(page, "statements conflict")
    shoot(page, "statements-conflict")
    card = page.locator(".statement").first
    assert "Signed" in card.inner_text()
    card.get_by_label("Status").select_option("filed")  # the form now holds the current version
    card.get_by_role("button", name="Save").click()
    assert "The statement was saved." in page.locator(".notice-ok").inner_text()
    assert "Filed" in page.locator(".statement").first.inner_text()
    check_axe(page, "statements")
    shoot(page, "statements")
    print(f"statements page over the wire: {size / 1024:.1f} KB")
    assert size < 20 * 1024


def test_other_offices_caseworker_and_a_viewer(chromium, live: Live, seeded: dict) -> None:
    """Typing another office's survivor id gives the ordinary "Not found" page; a viewer on
    the case sees the survivor and the statements without one control that changes anything."""
    other = live.office("Another office")
    _, worker_email, _ = live.user("caseworker", other["id"], "Other Caseworker")
    page = new_page(chromium)
    sign_in(page, live, worker_email)
    answer = page.goto(f"{live.url}/app/survivors/{seeded['survivor']['id']}")
    assert answer is not None and answer.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert "S-DEMO42" not in page.content() and "Mama" not in page.content()
    page.context.close()
    viewer_id, viewer_email, _ = live.user("viewer", seeded["office_id"], "Vic Viewer")
    r = live.api.patch(f"/api/cases/{seeded['case']['id']}", headers=seeded["headers"],
                       json={"staff_ids": [seeded["lawyer_id"], viewer_id]})
    assert r.status_code == 200, r.text
    page = new_page(chromium)
    sign_in(page, live, viewer_email)
    for path in (f"/app/survivors/{seeded['survivor']['id']}",
                 f"/app/cases/{seeded['case']['id']}/statements"):
        page.goto(live.url + path)
        assert "S-DEMO42" in page.content()
        # Only the sign-out form: no reveal, consent, add, edit or update.
        assert page.locator("main form").count() == 0, path
        assert page.locator("main a[href$='/edit'], main a[href$='/contacts/new']").count() == 0
        check_axe(page, f"{path} as a viewer")
        if "survivors" in path:
            shoot(page, "survivor-viewer")
