"""The administration pages in a real browser: staff list, inviting with a problem beside the
field, the invitation link, a person's page, deactivation with its confirmation page, offices
and courts (time zone from a list), the audit log with names; axe, screenshots, budgets."""

from __future__ import annotations

from tests.web.browser import Live, Transfer, check_axe, new_page, shoot, sign_in


def test_an_administrator_invites_deactivates_and_reads_the_audit_log(chromium, live: Live) -> None:
    office = live.office("Admin office")
    live.court(office["id"], "Makadara Law Courts")
    live.user("lawyer", office["id"], "Zawadi Lawyer")
    _, viewer_email, _ = live.user("viewer", office["id"], "Vic Viewer")
    page = new_page(chromium)
    transfer = Transfer(page)
    sign_in(page, live, "admin@example.org")
    # The main navigation leads to the staff list.
    transfer.reset()
    page.get_by_role("link", name="Administration").click()
    page.wait_for_load_state("networkidle")
    first = transfer.total
    assert page.get_by_role("heading", name="Staff", level=1).is_visible()
    assert page.locator("table").get_by_role("link", name="Zawadi Lawyer").is_visible()
    check_axe(page, "staff list")
    shoot(page, "admin-staff")
    # Inviting: the problems beside their fields, what was typed kept.
    page.get_by_role("link", name="Invite a member of staff").click()
    page.get_by_label("Name").fill("Neema Newcomer")
    page.get_by_label("Email address").fill("neema at example")
    page.get_by_role("button", name="Invite").click()
    email = page.locator("input[name=email]")
    assert email.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Name").input_value() == "Neema Newcomer"
    check_axe(page, "invite with a problem")
    shoot(page, "admin-invite-invalid")
    email.fill("neema@example.org")
    page.get_by_label("Office").select_option(label="Admin office")
    page.get_by_role("button", name="Invite").click()
    link = page.locator("#invitation-url").inner_text()
    assert "/app/invitation/" in link
    check_axe(page, "invitation")
    shoot(page, "admin-invited")
    # The person's page, then deactivation: one thing per page, with a way back.
    page.get_by_role("link", name="Back to Neema Newcomer").click()
    assert "Invited: no password chosen yet" in page.locator("main").inner_text()
    check_axe(page, "a person")
    shoot(page, "admin-person")
    page.get_by_role("link", name="Deactivate…").click()
    assert page.get_by_role("heading", name="Deactivate Neema Newcomer?").is_visible()
    check_axe(page, "deactivate")
    shoot(page, "admin-deactivate")
    page.get_by_role("button", name="Deactivate Neema Newcomer").click()
    assert "The account was deactivated" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Reactivate the account").is_visible()
    # Offices and courts; a time zone is chosen from a list.
    page.get_by_role("link", name="Offices and courts").click()
    page.get_by_role("link", name="Makadara Law Courts").click()
    zone = page.get_by_label("Time zone")
    assert zone.evaluate("s => s.tagName") == "SELECT"
    assert zone.input_value() == "Africa/Nairobi"
    zone.select_option("Africa/Kampala")
    page.get_by_role("button", name="Save the court").click()
    assert "The court was saved." in page.locator("main").inner_text()
    check_axe(page, "offices and courts")
    shoot(page, "admin-offices")
    # The audit log: who did what to which record, by name.
    page.get_by_role("link", name="Audit log").click()
    assert page.get_by_role("heading", name="Audit log").is_visible(), page.locator("main").inner_text()
    page.get_by_label("Who").select_option(label="Org Admin")
    page.get_by_label("Kind of record").select_option(label="Staff member")
    page.get_by_role("button", name="Show").click()
    events = page.locator("ol.audit").inner_text()
    assert "Org Admin" in events and "Neema Newcomer" in events and "Invitation issued" in events
    assert "Account: Active → Deactivated" in events
    check_axe(page, "audit log")
    shoot(page, "admin-audit")
    transfer.reset()
    page.goto(live.url + "/app/admin")
    page.wait_for_load_state("networkidle")
    later = transfer.total
    print(f"administration bytes: first {first}, later {later}")
    assert first <= 60_000 and later <= 20_000, (first, later)
    page.context.close()
    # A viewer: no Administration link, and the page is refused.
    page = new_page(chromium, javascript=False)
    sign_in(page, live, viewer_email)
    assert page.get_by_role("link", name="Administration").count() == 0
    response = page.goto(live.url + "/app/admin")
    assert response.status == 403 and "Not allowed" in page.locator("main").inner_text()
    page.context.close()
