"""Filings in a real browser: from the case, choose a template, the form with its problems
beside the fields, drafted, the .docx downloaded and opened with python-docx; an administrator's
upload refused with each problem listed. axe and screenshots at 360 and 1280 px."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from tests.filings.conftest import docx_text, make_docx
from tests.web.browser import Live, Transfer, check_axe, new_page, shoot, sign_in


@pytest.fixture(scope="module")
def seeded(live: Live) -> dict:
    office = live.office("Filings office")
    court = live.court(office["id"], "Riverside High Court")
    lawyer_id, lawyer_email, lawyer = live.user("lawyer", office["id"], "Ruth Lawyer")
    admin_id, admin_email, _ = live.user("admin", office["id"], "Ada Admin")
    survivor = live.post("/api/survivors", {"office_id": office["id"], "code": "S-0417"}, lawyer)
    case = live.post("/api/cases", {"reference": "KE-NBI-2026-017", "office_id": office["id"],
                                    "court_id": court["id"], "court_case_number": "CR E123/2026",
                                    "staff_ids": [lawyer_id], "survivor_ids": [survivor["id"]],
                                    "accused": [{"name": "John Doe", "status": "remanded"}]},
                     lawyer)
    day = (datetime.now(ZoneInfo("Africa/Nairobi")) + timedelta(days=6)).date()
    hearing = live.post(f"/api/cases/{case['id']}/hearings", {
        "starts_at": f"{day.isoformat()}T09:30:00+03:00", "kind": "testimony",
        "courtroom": "Courtroom 4", "staff_ids": [lawyer_id], "survivor_attends": True}, lawyer)
    return {"lawyer": lawyer_email, "admin": admin_email, "case": case, "hearing": hearing}


def test_choose_template_fix_the_form_draft_and_download(chromium, live: Live, seeded: dict) -> None:
    page = new_page(chromium)
    transfer = Transfer(page)
    sign_in(page, live, seeded["lawyer"])
    page.goto(f"{live.url}/app/cases/{seeded['case']['id']}")
    page.get_by_role("link", name="Filings: draft one, or download").click()
    assert page.get_by_role("heading", name="Filings", level=1).is_visible()
    assert page.get_by_text("No filings drafted for this case yet.").is_visible()
    check_axe(page, "the case's filings, none yet")
    transfer.reset()
    page.get_by_role("link", name="Application for adjournment").click()
    page.wait_for_load_state("networkidle")
    form_bytes = transfer.total
    assert page.get_by_role("heading", name="Application for adjournment", level=1).is_visible()
    assert page.get_by_label("Reason (required)").is_visible()
    assert page.get_by_text("For example: 2025-04-15").is_visible()
    assert page.get_by_label("Prosecution (optional)").is_visible()
    page.get_by_label("Hearing").select_option(str(seeded["hearing"]["id"]))
    check_axe(page, "the draft form")
    shoot(page, "filing-form")

    page.get_by_label("Prosecution (optional)").fill("The Republic")
    page.get_by_role("button", name="Draft the filing").click()
    # Each missing value beside its own field, what was typed kept.
    assert page.get_by_role("alert").is_visible()
    reason = page.get_by_label("Reason (required)")
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.locator("#f-fields\\.reason-error").inner_text().endswith(
        "Enter a value for “Reason”: the template needs it")
    assert page.locator("#f-fields\\.proposed_date-error").is_visible()
    assert page.locator(".field-error").count() == 2
    assert page.get_by_label("Prosecution (optional)").input_value() == "The Republic"
    check_axe(page, "the draft form with problems")
    shoot(page, "filing-form-invalid")
    page.get_by_role("link", name="Enter a value for “Reason”: the template needs it").click()
    assert page.evaluate("document.activeElement.id") == "f-fields.reason"

    reason.fill("The complainant is in hospital.\nA medical note is attached.")
    page.get_by_label("Proposed date (required)").fill("2027-04-15")
    page.get_by_label("The other parties' position (optional)").fill(
        "The prosecution supports the application.")
    page.get_by_role("button", name="Draft the filing").click()
    assert page.get_by_text("The filing was drafted. Download it below.").is_visible()
    assert page.get_by_role("heading", name="Application for adjournment · version 1").is_visible()
    check_axe(page, "the drafted filing")
    shoot(page, "filing-drafted")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download Word document").click()
    download = info.value
    assert download.suggested_filename == "adjournment_application-ke-nbi-2026-017-v1.docx"
    data = open(download.path(), "rb").read()
    Document(io.BytesIO(data))  # opens as a Word document
    text = docx_text(data)
    for value in ("The complainant is in hospital.", "15 April 2027", "The Republic",
                  "The prosecution supports the application.", "CR E123/2026", "S-0417",
                  "Courtroom 4", "Riverside High Court"):
        assert value in text, value
    # Back on the case's filings: the version with both downloads.
    page.get_by_role("link", name="Filings of case KE-NBI-2026-017").click()
    assert page.get_by_role("link", name="Version 1", exact=True).is_visible()
    assert page.get_by_role("link", name="PDF version 1", exact=True).is_visible()
    check_axe(page, "the case's filings")
    shoot(page, "filings")
    assert form_bytes < 60_000, form_bytes
    print(f"draft form: {form_bytes} bytes over the wire")


def test_admin_upload_lists_each_problem(chromium, live: Live, seeded: dict, tmp_path) -> None:
    page = new_page(chromium)
    sign_in(page, live, seeded["admin"])
    page.goto(live.url + "/app/templates")
    page.get_by_role("link", name="Upload a template").click()
    bad = tmp_path / "notice.docx"
    bad.write_bytes(make_docx(["Take notice from {{ effective_date|shout }}", "{{ case.judge }}"],
                              header="{{ Reason }}"))
    page.get_by_label("Word document (.docx)").set_input_files(str(bad))
    page.get_by_label("Key").fill("change_of_address")
    page.get_by_label("Title").fill("Notice of change of address")
    page.get_by_role("button", name="Upload and check").click()
    problems = page.locator("#f-file-problems li")
    assert problems.count() == 3
    every = "\n".join(problems.all_inner_texts())
    assert "An unknown filter" in every and "Where: body" in every and "Where: header" in every
    assert page.get_by_label("Key").input_value() == "change_of_address"
    check_axe(page, "template upload refused")
    shoot(page, "template-upload-problems")
