"""The deadlines page in a real browser: overdue first and said in words, the "call the
family" links, marking done (with JavaScript off too), adding one with the problems beside
the fields, the court day's link to the printable sheet, a viewer with nothing to press;
axe, screenshots at 360 and 1280 px, bytes over the wire."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.web.browser import Live, Transfer, check_axe, new_page, shoot, sign_in

NAIROBI = ZoneInfo("Africa/Nairobi")


def _day(days: int) -> str:
    return (datetime.now(NAIROBI) + timedelta(days=days)).date().isoformat()


def test_browser_deadlines_walk(chromium, live: Live) -> None:
    office = live.office("Deadlines office")
    court = live.court(office["id"], "Milimani Law Courts")
    lawyer_id, lawyer_email, lawyer = live.user("lawyer", office["id"], "Dana Lawyer")
    viewer_id, viewer_email, _ = live.user("viewer", office["id"], "Vera Viewer")
    survivor = live.post("/api/survivors", {"office_id": office["id"], "code": "SRV-D1"}, lawyer)
    case = live.post("/api/cases", {"reference": "CR 40/2026", "office_id": office["id"],
                                    "court_id": court["id"], "survivor_ids": [survivor["id"]],
                                    "staff_ids": [lawyer_id, viewer_id]}, lawyer)
    for days, title in ((-3, "Serve the notice on the defence"), (4, "File the written submissions"),
                        (12, "Answer the court's letter")):
        live.post(f"/api/cases/{case['id']}/deadlines", {"due_on": _day(days), "title": title}, lawyer)
    tomorrow = (datetime.now(NAIROBI) + timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                                   microsecond=0)
    hearing = live.post(f"/api/cases/{case['id']}/hearings",
                        {"starts_at": tomorrow.isoformat(), "kind": "mention",
                         "survivor_attends": True}, lawyer)

    page = new_page(chromium)
    transfer = Transfer(page)
    sign_in(page, live, lawyer_email)
    transfer.reset()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deadlines").click()
    page.wait_for_load_state("networkidle")
    first = transfer.total
    assert page.get_by_role("heading", name="Deadlines", level=1).is_visible()
    cards = page.locator("li.card h3").all_inner_texts()
    assert cards[0] == "Serve the notice on the defence", cards  # overdue first
    assert cards.index("Call the family") < cards.index("File the written submissions")
    overdue = page.locator("section[aria-labelledby=overdue]")
    assert "Overdue" in overdue.locator("li.card").inner_text()
    assert "3 days late" in overdue.inner_text()
    family = page.locator("li.card", has_text="Call the family")
    assert family.get_by_role("link", name="Open the hearing").get_attribute("href") == \
        f"/app/hearings/{hearing['id']}"
    assert family.get_by_role("link", name="Family contacts of SRV-D1").get_attribute("href") == \
        f"/app/survivors/{survivor['id']}"
    check_axe(page, "deadlines")
    shoot(page, "deadlines")
    transfer.reset()
    page.reload()
    page.wait_for_load_state("networkidle")
    later = transfer.total
    print(f"deadlines page bytes: first load {first}, later {later}")
    assert first <= 60_000 and later <= 20_000, (first, later)

    # Mark the overdue one done: it leaves the list, and the page says so.
    page.get_by_role("button", name="Mark done Serve the notice on the defence").click()
    page.wait_for_load_state()
    assert "The deadline was marked done." in page.locator("main").inner_text()
    assert page.locator("section[aria-labelledby=overdue]").count() == 0
    assert "Serve the notice" not in page.locator("main").inner_text()

    # Add one from the case chooser: the problems beside the fields, then saved.
    page.get_by_role("link", name="Add a deadline").click()
    page.get_by_role("button", name="Add the deadline").click()
    page.wait_for_load_state()
    assert page.get_by_label("Case").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("What is due").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-due_on-error").is_visible()
    check_axe(page, "new deadline with problems")
    shoot(page, "deadline-new-invalid")
    page.get_by_label("Case").select_option(label="CR 40/2026")
    page.get_by_label("What is due").fill("Collect the medical report")
    page.get_by_label("Due on").fill(_day(6))
    page.get_by_label("Kind").select_option(label="Submission")
    page.get_by_role("button", name="Add the deadline").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/app/cases/{case['id']}/deadlines/new?done=deadline_added")
    assert page.get_by_role("heading", name="Deadlines of CR 40/2026").is_visible()
    open_list = page.locator("ul[aria-labelledby=open]").inner_text()
    assert "Collect the medical report" in open_list and "Submission" in open_list
    check_axe(page, "a case's deadlines")
    shoot(page, "deadline-case")
    page.context.close()

    # Without JavaScript: mark done from the case's own list.
    plain = new_page(chromium, javascript=False)
    sign_in(plain, live, lawyer_email)
    plain.goto(f"{live.url}/app/cases/{case['id']}/deadlines/new")
    plain.get_by_role("button", name="Mark done Answer the court's letter").click()
    plain.wait_for_load_state()
    assert "The deadline was marked done." in plain.locator("main").inner_text()
    assert "Answer the court's letter" not in plain.locator("main").inner_text()
    # The court day links to the day's printable sheet.
    plain.goto(f"{live.url}/app/?day={tomorrow.date().isoformat()}")
    plain.get_by_role("link", name="Print the day's sheet").click()
    plain.wait_for_load_state()
    assert plain.url.endswith(f"/app/day/sheet?day={tomorrow.date().isoformat()}")
    assert "CR 40/2026" in plain.locator("main").inner_text()
    plain.context.close()

    # A viewer on the case sees its deadlines and nothing that changes them.
    viewer = new_page(chromium)
    sign_in(viewer, live, viewer_email)
    viewer.goto(live.url + "/app/deadlines")
    assert "File the written submissions" in viewer.locator("main").inner_text()
    actions = viewer.eval_on_selector_all("form[method=post]", "fs => fs.map(f => f.action)")
    assert all(a.endswith("/app/logout") for a in actions), actions
    assert viewer.get_by_role("link", name="Add a deadline").count() == 0
    check_axe(viewer, "deadlines as a viewer")
    viewer.context.close()
