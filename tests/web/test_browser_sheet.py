"""The printable court-day sheet: the page (printed to A4 by Chromium) and the PDF download,
whose text is read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.web.browser import Live, check_axe, new_page, shoot, sign_in


@pytest.fixture(scope="module")
def court_day(live: Live) -> dict:
    office = live.office("Sheet office")
    court = live.court(office["id"], "Makadara Law Courts")
    worker_id, worker_email, _ = live.user("caseworker", office["id"], "Wanjiru Kamau")
    mine = live.post("/api/cases", {"reference": "CR 41/2026", "office_id": office["id"],
                                    "court_id": court["id"], "staff_ids": [worker_id]})
    other = live.post("/api/cases", {"reference": "CR 99/2026", "office_id": office["id"],
                                     "court_id": court["id"]})
    # Tomorrow in Nairobi, 09:30 and 11:00 court time.
    day = (datetime.now(ZoneInfo("Africa/Nairobi")) + timedelta(days=1)).date()
    for case, hour in ((mine, (9, 30)), (other, (11, 0))):
        at = datetime(day.year, day.month, day.day, *hour, tzinfo=ZoneInfo("Africa/Nairobi"))
        live.post(f"/api/cases/{case['id']}/hearings",
                  {"starts_at": at.astimezone(UTC).isoformat(), "kind": "mention",
                   "staff_ids": [worker_id] if case is mine else []})
    return {"worker": worker_email, "day": day.isoformat()}


def test_sheet_page_prints_and_the_pdf_says_the_same(chromium, live: Live, court_day: dict,
                                                     tmp_path) -> None:
    page = new_page(chromium)
    sign_in(page, live, court_day["worker"])
    page.goto(live.url + f"/app/day/sheet?day={court_day['day']}")
    text = page.locator("main").inner_text()
    assert "09:30" in text and "CR 41/2026" in text and "Wanjiru Kamau" in text
    # The other case's hearing is on the roster but not the caseworker's: no reference.
    assert "11:00" in text and "CR 99/2026" not in text and "Not your case" in text
    check_axe(page, "court-day sheet")
    shoot(page, "day-sheet")
    # Printing: no navigation, A4.
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    pdf_from_print = page.pdf(format="A4")
    assert pdf_from_print.startswith(b"%PDF")
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"court-day-{court_day['day']}.pdf"
    path = tmp_path / "sheet.pdf"
    download.save_as(path)
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed to read the PDF"
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "Sheet office" in out and court_day["day"] in out
    assert "09:30" in out and "CR 41/2026" in out and "Wanjiru Kamau" in out
    assert "Makadara Law Courts" in out and "11:00" in out and "Not your case" in out
    assert "CR 99/2026" not in out
    page.context.close()
