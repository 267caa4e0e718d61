"""Filings in the web app over HTTP (no browser): the draft form built from the template's
typed fields, missing values beside each field, downloads, template upload problems listed,
need-to-know and the viewer."""

from __future__ import annotations

import re

import httpx

from documents.tables import Filing
from legal_tracker.audit import AuditEvent
from tests.conftest import World
from tests.filings.conftest import DOCX, docx_text, make_docx
from tests.web.test_foundation import csrf_of, sign_in
from tests.web.test_pages import _post, _setup

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _error_ids(html: str) -> set[str]:
    return set(re.findall(r'id="f-([^"]+)-error"', html))


async def test_draft_form_missing_values_beside_fields_then_downloads(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    case_id, hearing_id = s["case"]["id"], s["hearing"]["id"]
    await sign_in(web, "lawyer@example.org")
    assert f'href="/app/cases/{case_id}/filings"' in (await web.get(f"/app/cases/{case_id}")).text
    listing = await web.get(f"/app/cases/{case_id}/filings")
    assert listing.status_code == 200 and "No filings drafted" in listing.text
    assert "Application for adjournment" in listing.text and "Victim impact statement" in listing.text
    new = f"/app/cases/{case_id}/filings/new?template=adjournment_application&hearing_id={hearing_id}"
    assert f'href="{new.replace("&", "&amp;")}"' in (
        await web.get(f"/app/cases/{case_id}/filings", params={"hearing_id": hearing_id})).text

    # The form: each typed field with its label, required mark, hint and example.
    form = await web.get(new)
    assert form.status_code == 200
    html = form.text
    assert '<label for="f-fields.reason">Reason (required)</label>' in html
    assert '<textarea id="f-fields.reason" name="fields.reason"' in html  # a paragraph
    assert '<label for="f-fields.proposed_date">Proposed date (required)</label>' in html
    assert "For example: 2025-04-15" in html
    assert "Prosecution (optional)" in html and "The other parties&#39; position (optional)" in html
    assert f'<option value="{hearing_id}" selected>' in html
    assert "legal name" not in html  # this template does not use it

    # Nothing typed: every missing value beside its own field, 422, nothing stored.
    action = f"/app/cases/{case_id}/filings/new"
    r = await _post(web, action, {"template": "adjournment_application",
                                  "hearing_id": str(hearing_id), "fields.reason": "  "}, new)
    assert r.status_code == 422
    # The records lack the court's case number and the courtroom: asked for under their names.
    assert _error_ids(r.text) == {"fields.reason", "fields.proposed_date",
                                  "fields.case.court_case_number", "fields.hearing.courtroom"}
    assert "What the records lack" in r.text
    assert '<label for="f-fields.case.court_case_number">The number the court gave the case' in r.text
    assert 'href="#f-fields.reason"' in r.text  # the summary links to the field
    assert 'aria-invalid="true"' in r.text and f'<option value="{hearing_id}" selected>' in r.text
    assert await Filing.count() == 0

    # No hearing chosen: the hearing's values are asked for under their own names.
    lacking = {"fields.case.court_case_number": "CR E55/2026", "fields.hearing.courtroom": "Court 2"}
    r = await _post(web, action, {"template": "adjournment_application",
                                  "fields.reason": "The complainant is unwell.",
                                  "fields.proposed_date": "2025-04-15", **lacking}, new)
    assert r.status_code == 422 and "What the records lack" in r.text
    assert "fields.hearing.date" in _error_ids(r.text)
    assert "Choose the hearing above, or type this value" in r.text
    assert "The complainant is unwell." in r.text  # what was typed is kept

    r = await _post(web, action, {"template": "adjournment_application",
                                  "hearing_id": str(hearing_id),
                                  "fields.reason": "The complainant is in hospital & unwell.",
                                  "fields.proposed_date": "2025-04-15", **lacking}, new)
    assert r.status_code == 303
    filing_page = r.headers["location"]
    assert re.fullmatch(r"/app/filings/\d+\?done=drafted", filing_page)
    html = (await web.get(filing_page)).text
    assert "The filing was drafted." in html and "version 1" in html
    filing_id = int(re.search(r"/app/filings/(\d+)", filing_page).group(1))
    assert f'href="/app/filings/{filing_id}/download"' in html
    assert f'href="/app/filings/{filing_id}/download?format=pdf"' in html

    docx = await web.get(f"/app/filings/{filing_id}/download")
    assert docx.status_code == 200 and docx.headers["content-type"] == WORD
    assert docx.headers["content-disposition"] == (
        'attachment; filename="adjournment_application-cr-555-2026-v1.docx"')
    text = docx_text(docx.content)
    assert "The complainant is in hospital & unwell." in text and "15 April 2025" in text
    assert "SRV-9K" in text and "CR E55/2026" in text and "Court 2" in text
    assert "Wanjiru" not in text
    pdf = await web.get(f"/app/filings/{filing_id}/download", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # A new version starts from the values typed for this one; both are listed.
    again = await web.get(f"/app/cases/{case_id}/filings/new",
                          params={"template": "adjournment_application", "from": filing_id})
    assert "The complainant is in hospital &amp; unwell." in again.text
    r = await _post(web, action, {"template": "adjournment_application",
                                  "hearing_id": str(hearing_id), "fields.reason": "Still unwell.",
                                  "fields.proposed_date": "2025-05-02", **lacking}, new)
    assert r.status_code == 303
    listing = (await web.get(f"/app/cases/{case_id}/filings")).text
    assert "Version 1" in listing and "Version 2" in listing
    assert len(re.findall(r'/app/filings/\d+/download\?format=pdf', listing)) == 2


async def test_other_office_case_not_found_and_viewer_cannot_draft(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    case_id = s["case"]["id"]
    filing = await world.post(f"/api/cases/{case_id}/filings", {
        "template": "accompaniment_report", "hearing_id": s["hearing"]["id"],
        "fields": {"what_happened": "Mention only.", "support_provided": "Sat with her.",
                   "survivor_wellbeing": "Calm.", "next_hearing_date": "2026-12-01",
                   "follow_up": "Call the family.", "case.court_case_number": "CR E5/2026",
                   "hearing.courtroom": "Court 2"}}, s["lawyer"])
    # Another office's caseworker: the case, its filings and the download are "not found".
    other = await world.office(name="Kampala", timezone="Africa/Kampala", country="UG")
    await world.user("caseworker", other["id"], email="far@example.org")
    await sign_in(web, "far@example.org")
    for path in (f"/app/cases/{case_id}/filings", f"/app/filings/{filing['id']}",
                 f"/app/filings/{filing['id']}/download",
                 f"/app/cases/{case_id}/filings/new?template=accompaniment_report"):
        r = await web.get(path)
        assert r.status_code == 404 and "Not found" in r.text and "CR 555" not in r.text, path
    # A viewer on the case sees the filings and downloads, but nothing that drafts.
    viewer_id, _ = await world.user("viewer", s["office"]["id"], email="viewer@example.org")
    await world.client.patch(f"/api/cases/{case_id}", headers=world.admin,
                             json={"staff_ids": [s["lawyer_id"], viewer_id]})
    web.cookies.clear()
    await sign_in(web, "viewer@example.org")
    listing = await web.get(f"/app/cases/{case_id}/filings")
    assert listing.status_code == 200 and "Court accompaniment report" in listing.text
    assert "Draft a filing" not in listing.text and "/filings/new" not in listing.text
    page = await web.get(f"/app/filings/{filing['id']}")
    assert "Download Word document" in page.text and "Draft a new version" not in page.text
    assert (await web.get(f"/app/cases/{case_id}/filings/new?template=accompaniment_report")
            ).status_code == 403
    before = await Filing.count()
    r = await _post(web, f"/app/cases/{case_id}/filings/new", {
        "template": "accompaniment_report", "fields.what_happened": "x"},
        f"/app/cases/{case_id}/filings")
    assert r.status_code == 403 and "Not allowed" in r.text
    assert await Filing.count() == before
    templates = await web.get("/app/templates")
    assert templates.status_code == 200 and "Upload a template" not in templates.text
    assert (await web.get("/app/templates/new")).status_code == 403


async def test_template_upload_lists_each_problem_where_it_is(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "admin@example.org")
    templates = await web.get("/app/templates")
    assert 'href="/app/templates/new"' in templates.text
    token = await csrf_of(web, "/app/templates/new")
    bad = make_docx(["Dear {{ reason|shout }}", "{{ case.judge }}"], header="{{ Reason }}")
    form = {"key": "change_of_address", "title": "Notice of change of address"}
    # multipart/form-data: CSRF still checked (no token, nothing stored).
    r = await web.post("/app/templates/new", data=form,
                       files={"file": ("notice.docx", bad, DOCX)})
    assert r.status_code == 403
    r = await web.post("/app/templates/new", data={**form, "_csrf_token": token},
                       files={"file": ("notice.docx", bad, DOCX)})
    assert r.status_code == 422
    problems = re.search(r'<ol class="problems" id="f-file-problems">(.*?)</ol>', r.text, re.S)
    assert problems, r.text
    items = re.findall(r"<li>(.*?)</li>", problems.group(1), re.S)
    assert len(items) == 3
    assert "3 problems found" in r.text and 'id="f-file-error"' in r.text
    assert any("An unknown filter" in i and "shout" in i and "Where: body" in i for i in items)
    assert any("An unknown placeholder" in i and "case.judge" in i for i in items)
    assert any("Where: header" in i for i in items)
    assert 'value="change_of_address"' in r.text  # what was typed is kept
    assert "Notice of change of address" not in (await web.get("/app/templates")).text
    # Not a Word document, and a reserved key: each beside its own field.
    r = await web.post("/app/templates/new", files={"file": ("notice.pdf", b"%PDF-1.4", "application/pdf")},
                       data={"key": "adjournment_application", "title": "x", "_csrf_token": token})
    assert r.status_code == 422 and {"key"} <= _error_ids(r.text)
    good = make_docx(["IN THE {{ court.name|upper }}",
                      "From {{ effective_date|long_date }} serve at {{ new_address }}.",
                      "{{ reason|default('') }}"])
    r = await web.post("/app/templates/new", data={**form, "_csrf_token": token},
                       files={"file": ("notice.docx", good, DOCX)})
    assert r.status_code == 303 and r.headers["location"] == "/app/templates?done=uploaded"
    listing = (await web.get(r.headers["location"])).text
    assert "The template was uploaded and checked." in listing
    assert "Notice of change of address" in listing and "version 1" in listing
    # Its drafting form asks for the fields the template names.
    html = (await web.get(f"/app/cases/{s['case']['id']}/filings/new",
                          params={"template": "change_of_address"})).text
    assert "Effective date (required)" in html and "New address (required)" in html
    assert "Reason (optional)" in html
    dl = await web.get("/app/templates/change_of_address/download")
    assert dl.status_code == 200 and dl.headers["content-type"] == WORD and dl.content == good


async def test_legal_name_only_when_asked_beside_the_box_and_audited(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    case_id = s["case"]["id"]
    await sign_in(web, "lawyer@example.org")
    new = f"/app/cases/{case_id}/filings/new?template=identity_document_return_letter"
    html = (await web.get(new)).text
    assert "Fill in the survivor's legal name" in html and 'name="hearing_id"' not in html
    typed = {"fields.addressee": "The Officer in Charge", "fields.agency_name": "Kibera Police",
             "fields.agency_address": "PO Box 1, Nairobi", "fields.documents_held": "Passport",
             "fields.exhibit_reference": "EXH 4/2026", "fields.purpose": "To enrol in school.",
             "fields.reply_by": "2027-03-10", "fields.case.court_case_number": "CR E9/2026"}
    action = f"/app/cases/{case_id}/filings/new"
    r = await _post(web, action, {"template": "identity_document_return_letter", **typed}, new)
    assert r.status_code == 422 and _error_ids(r.text) == {"reveal_legal_name"}
    assert "tick the box to fill it in" in r.text and "Wanjiru" not in r.text
    before = await AuditEvent.count().where(AuditEvent.action == "reveal")
    r = await _post(web, action, {"template": "identity_document_return_letter", **typed,
                                  "reveal_legal_name": "on"}, new)
    assert r.status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "reveal") == before + 1
    filing_id = int(re.search(r"/app/filings/(\d+)", r.headers["location"]).group(1))
    assert "Wanjiru Test" in docx_text((await web.get(f"/app/filings/{filing_id}/download")).content)
    assert "Holds the legal name" in (await web.get(f"/app/cases/{case_id}/filings")).text


async def test_upload_larger_than_the_limit_is_refused_in_words(world: World, database) -> None:  # noqa: ANN001
    from dataclasses import replace

    from api.app import create_app

    app = create_app(replace(database, max_upload_bytes=20_000), manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as web:
        await sign_in(web, "admin@example.org")
        assert "At most 20 KB." in (await web.get("/app/templates/new")).text
        token = await csrf_of(web, "/app/templates/new")
        form = {"key": "big_one", "title": "Big", "_csrf_token": token}
        # Over the limit but within the form's allowance: beside the file field.
        r = await web.post("/app/templates/new", data=form,
                           files={"file": ("big.docx", b"x" * 30_000, DOCX)})
        assert r.status_code == 422 and 'id="f-file-error"' in r.text
        assert "The file is larger than 20 KB, the most a template may be" in r.text
        # Far over: refused before the form is read, with a page that says why.
        r = await web.post("/app/templates/new", data=form,
                           files={"file": ("big.docx", b"x" * 200_000, DOCX)})
        assert r.status_code == 413 and "The file is too large" in r.text
        assert "a template may be at most 20 KB" in r.text
        assert "Big" not in (await web.get("/app/templates")).text
