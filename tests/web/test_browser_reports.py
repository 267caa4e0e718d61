"""The reports page in a real browser: figures, SVG charts, CSV downloads with the page's
figures, filters with the problem beside the field, no changing controls, axe, budgets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.browser import Live, Transfer, check_axe, new_page, shoot, sign_in


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).replace(microsecond=0).isoformat()


@pytest.fixture(scope="module")
def seeded(live: Live) -> dict:
    office = live.office("Reports office")
    alpha = live.court(office["id"], "Alpha Court")
    beta = live.court(office["id"], "Beta Court")
    admin_id, admin_email, _ = live.user("admin", office["id"], "Rita Report")
    _, viewer_email, _ = live.user("viewer", office["id"], "Vic Viewer")
    case = live.post("/api/cases", {"reference": "CR 7/2026", "office_id": office["id"],
                                    "court_id": alpha["id"]})

    def hearing(court_id: int, hours_ago: int) -> int:
        return live.post(f"/api/cases/{case['id']}/hearings",
                         {"starts_at": _iso(-timedelta(hours=hours_ago)), "kind": "mention",
                          "court_id": court_id})["id"]

    # Alpha: 2 held, 1 adjourned (33.3 %); Beta: 1 held, 1 adjourned (50.0 %).
    for court, adjourn in ((alpha, False), (alpha, False), (alpha, True), (beta, False), (beta, True)):
        hid = hearing(court["id"], 3)
        if adjourn:
            live.post(f"/api/hearings/{hid}/adjourn", {"next_starts_at": _iso(timedelta(days=20)),
                                                      "reason": "witness_absent"})
        else:
            live.post(f"/api/hearings/{hid}/outcome", {"outcome_notes": "ok"}, expect=200)
    return {"admin": admin_email, "viewer": viewer_email, "admin_id": admin_id}


def _page_table(page, name: str) -> list[list[str]]:
    section = page.locator(f"section[aria-labelledby='t-{name}']")
    head = [c.strip().replace(" ", "_") for c in section.locator("thead th").all_inner_texts()]
    rows = [[c.strip() for c in tr.locator("td").all_inner_texts()]
            for tr in section.locator("tbody tr").all()]
    return [head, *rows]


def test_report_page_charts_and_csv_with_the_same_figures(chromium, live: Live, seeded: dict) -> None:
    page = new_page(chromium)
    transfer = Transfer(page)
    sign_in(page, live, seeded["admin"])
    transfer.reset()
    page.goto(live.url + "/app/reports")
    page.wait_for_load_state("networkidle")
    first = transfer.total
    assert page.get_by_role("heading", name="Reports", level=1).is_visible()
    assert "40.0 %" in page.locator(".figures").inner_text()  # 2 adjourned of 5 that sat
    by_court = _page_table(page, "adjournments_by_court")
    assert by_court[1:] == [["Alpha Court", "2", "1", "33.3"], ["Beta Court", "1", "1", "50.0"]]
    # The chart is SVG drawn on the server: one bar per court, labelled and valued.
    chart = page.locator("section[aria-labelledby='t-adjournments_by_court'] svg")
    assert chart.locator("rect.chart-bar").count() == 2
    text = chart.text_content() or ""
    assert "33.3 %" in text and "Beta Court" in text
    check_axe(page, "reports")
    shoot(page, "reports")
    # The download opens in a spreadsheet with the figures of the page's table.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download Adjournment rate by court as CSV").click()
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert rows == by_court
    transfer.reset()
    page.goto(live.url + "/app/reports")
    page.wait_for_load_state("networkidle")
    assert transfer.total > 0
    print(f"reports page bytes: first load {first}, later {transfer.total}")
    assert first <= 60_000 and transfer.total <= 20_000, (first, transfer.total)
    page.context.close()


def test_filters_and_the_problem_beside_the_field(chromium, live: Live,
                                                                     seeded: dict) -> None:
    page = new_page(chromium)
    sign_in(page, live, seeded["admin"])
    # The filter form is a GET: what submitting it asks for, typed as an address.
    page.goto(live.url + "/app/reports?from=2030-01-10&to=2030-01-01")
    field = page.locator("input[name=to]")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "2030-01-01"
    assert "must not be before the first day" in page.locator("main").inner_text()
    check_axe(page, "reports with a problem")
    # A period with nothing in it: empty tables say so.
    page.goto(live.url + "/app/reports?from=2030-01-01&to=2030-01-10")
    assert "Nothing in this period." in page.locator("main").inner_text()
    assert "from=2030-01-01" in page.locator("a[download]").first.get_attribute("href")
    page.context.close()


def test_viewer_sees_nothing_that_changes_anything(chromium, live: Live, seeded: dict) -> None:
    page = new_page(chromium)
    sign_in(page, live, seeded["viewer"])
    page.goto(live.url + "/app/reports")
    assert page.get_by_role("heading", name="Reports", level=1).is_visible()
    actions = page.eval_on_selector_all("form[method=post]", "fs => fs.map(f => f.action)")
    assert all(a.endswith("/app/logout") for a in actions), actions
    page.context.close()
