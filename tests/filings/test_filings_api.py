"""Drafting filings through the API: every built-in template with real records, the 422 that
names each missing value, exact values, versions, downloads, PDFs, need-to-know and the
survivor's legal name."""

from __future__ import annotations

import re
import shutil

import pytest

from documents import BUILTIN_TEMPLATES
from documents.demo import DEMO_FIELDS
from tests.filings.conftest import DOCX, LEGAL_NAME, docx_text, expected_user_values

NEEDS_LEGAL_NAME = {"identity_document_return_letter", "immigration_certification_request"}


async def _variables(drafting, key: str) -> list[dict]:
    response = await drafting.client.get(f"/api/templates/{key}", headers=drafting.lawyer)
    assert response.status_code == 200, response.text
    return response.json()["variables"]


@pytest.mark.parametrize("key", sorted(BUILTIN_TEMPLATES))
async def test_each_builtin_template_drafts_with_every_value_in_the_document(drafting, key):
    reveal = key in NEEDS_LEGAL_NAME
    response = await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"],
                                    reveal_legal_name=reveal)
    assert response.status_code == 201, response.text
    filing = response.json()
    assert filing["template_key"] == key and filing["version"] == 1
    assert filing["template_version"] == 1 and filing["legal_name_revealed"] is reveal
    assert filing["hearing_id"] == drafting.hearing["id"]
    assert filing["survivor_id"] == drafting.survivor["id"]
    assert filing["author_id"] == drafting.lawyer_id
    assert filing["field_names"] == sorted(DEMO_FIELDS[key])

    download = await drafting.download(filing)
    assert download.status_code == 200
    assert download.headers["content-type"] == DOCX
    text = docx_text(download.content)

    variables = await _variables(drafting, key)
    assert variables, "a built-in template uses variables"
    user_values = expected_user_values(key)
    checked = 0
    for variable in variables:
        name = variable["name"]
        if variable["filled_by"] == "system":
            wanted = drafting.expected[name]
        else:
            wanted = user_values.get(name)
            if wanted is None:
                assert not variable["required"], f"{key}: required field {name} not typed"
                continue
        for piece in wanted if isinstance(wanted, list) else [wanted]:
            assert piece in text, f"{key}: {name} = {piece!r} is not in the filing"
            checked += 1
    assert checked >= 8
    if not reveal:
        assert LEGAL_NAME not in text


async def test_missing_values_are_each_named_in_one_422(drafting):
    response = await drafting.draft("adjournment_application", {"reason": "   "})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    named = {e["field"] for e in problem["errors"]}
    variables = await _variables(drafting, "adjournment_application")
    # Every required typed field (a blank one counts as missing) and, with no hearing chosen,
    # every hearing value the template needs.
    wanted = {v["name"] for v in variables if v["required"] and (
        v["filled_by"] == "user" or v["name"].startswith("hearing."))}
    assert "reason" in wanted and "proposed_date" in wanted and "hearing.date" in wanted
    assert named == wanted
    for name in wanted:
        assert name in problem["detail"]
    hearing_error = next(e for e in problem["errors"] if e["field"] == "hearing.date")
    assert "hearing_id" in hearing_error["message"]
    listing = await drafting.client.get(f"/api/cases/{drafting.case['id']}/filings",
                                        headers=drafting.lawyer)
    assert listing.json()["items"] == []


async def test_a_missing_record_value_can_be_typed_under_its_dotted_name(drafting):
    fields = {**DEMO_FIELDS["adjournment_application"], "hearing.date": "a date to be fixed",
              "hearing.time": "09:00", "hearing.date_time": "a date to be fixed, 09:00",
              "hearing.kind": "mention", "hearing.courtroom": "Courtroom 9"}
    response = await drafting.draft("adjournment_application", fields)
    assert response.status_code == 201, response.text
    text = docx_text((await drafting.download(response.json())).content)
    assert "a date to be fixed" in text and "Courtroom 9" in text


async def test_typed_values_come_out_exactly_escaping_and_scripts(drafting):
    values = {
        "reason": "Tom & Jerry <b>not bold</b> \"double\" 'single' {{ 7 * 7 }} {% if x %}",
        "other_parties_position": "Kiswahili: Mahakama imeahirisha kesi hadi tarehe nyingine.",
        "proposed_date": "Tagalog: Ipinagpaliban ang pagdinig. हिन्दी: सुनवाई स्थगित। ไทย: เลื่อนการพิจารณาคดี",
    }
    response = await drafting.draft("adjournment_application", values,
                                    hearing_id=drafting.hearing["id"])
    assert response.status_code == 201, response.text
    text = docx_text((await drafting.download(response.json())).content)
    for value in values.values():
        assert value in text
    assert "49" not in text.replace("2031", "")  # the braces were text, never run
    # GET /api/filings/{id} gives back the values typed, exactly.
    detail = await drafting.client.get(f"/api/filings/{response.json()['id']}",
                                       headers=drafting.lawyer)
    assert detail.status_code == 200
    assert detail.json()["fields"] == values


async def test_drafting_again_adds_a_version_and_keeps_the_first(drafting):
    key = "accompaniment_report"
    first = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    changed = {**DEMO_FIELDS[key], "concerns": "None this time."}
    second_response = await drafting.draft(key, changed, hearing_id=drafting.hearing["id"])
    assert second_response.status_code == 201
    second = second_response.json()
    other = (await drafting.draft("adjournment_application", DEMO_FIELDS["adjournment_application"],
                                  hearing_id=drafting.hearing["id"])).json()
    assert (first["version"], second["version"], other["version"]) == (1, 2, 1)
    assert first["filename"].endswith("-v1.docx") and second["filename"].endswith("-v2.docx")
    first_text = docx_text((await drafting.download(first)).content)
    second_text = docx_text((await drafting.download(second)).content)
    assert DEMO_FIELDS[key]["concerns"] in first_text and "None this time." not in first_text
    assert "None this time." in second_text
    listing = await drafting.client.get(f"/api/cases/{drafting.case['id']}/filings",
                                        headers=drafting.lawyer)
    assert [f["id"] for f in listing.json()["items"]] == [other["id"], second["id"], first["id"]]
    only = await drafting.client.get(f"/api/cases/{drafting.case['id']}/filings",
                                     params={"template": key}, headers=drafting.lawyer)
    assert [f["version"] for f in only.json()["items"]] == [2, 1]


async def test_download_headers_are_safe(drafting, world):
    case = await world.case(drafting.office["id"], drafting.court["id"],
                            reference='KE/NBI "7" — Ñairobi 2031', staff_ids=[drafting.lawyer_id],
                            survivor_ids=[drafting.survivor["id"]], court_case_number="CR 1/2031",
                            accused=[{"name": "Evans Sample Otieno"}])
    key = "victim_impact_statement"
    response = await drafting.draft(key, DEMO_FIELDS[key], case_id=case["id"])
    assert response.status_code == 201, response.text
    download = await drafting.download(response.json())
    assert download.headers["content-type"] == DOCX
    disposition = download.headers["content-disposition"]
    assert disposition == 'attachment; filename="victim_impact_statement-ke-nbi-7-nairobi-2031-v1.docx"'
    assert disposition.isascii()
    assert re.fullmatch(r'attachment; filename="[a-z0-9_.-]+"', disposition)
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed")
async def test_pdf_download(drafting):
    key = "adjournment_application"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    response = await drafting.download(filing, format="pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].endswith('-v1.pdf"')


async def test_pdf_without_libreoffice_is_a_clear_501(drafting, monkeypatch):
    import documents.pdf

    monkeypatch.setattr(documents.pdf, "find_soffice", lambda: None)
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    response = await drafting.download(filing, format="pdf")
    assert response.status_code == 501
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "libreoffice-writer-nogui" in response.json()["detail"]


async def test_failed_conversion_is_a_502_without_internals(drafting, monkeypatch):
    import documents.service
    from documents import ConversionFailed

    def broken(_data, **_kw):
        raise ConversionFailed("soffice exited 81 in /tmp/filing-pdf-secret")

    monkeypatch.setattr(documents.service, "convert_to_pdf", broken)
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    response = await drafting.download(filing, format="pdf")
    assert response.status_code == 502
    assert "/tmp" not in response.text and "81" not in response.text
    assert ".docx" in response.json()["detail"]


async def test_need_to_know(drafting, world):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    other_office = await world.office("Manila", "Asia/Manila", "PH")
    _, outsider = await world.user("lawyer", other_office["id"])
    _, unassigned = await world.user("lawyer", drafting.office["id"])
    case_path = f"/api/cases/{drafting.case['id']}/filings"
    for headers in (outsider, unassigned):
        assert (await drafting.draft(key, DEMO_FIELDS[key], headers=headers)).status_code == 404
        assert (await world.client.get(case_path, headers=headers)).status_code == 404
        assert (await world.client.get(f"/api/filings/{filing['id']}", headers=headers)).status_code == 404
        assert (await drafting.download(filing, headers=headers)).status_code == 404
    # A viewer assigned to the case reads and downloads, but may not draft.
    refused = await drafting.draft(key, DEMO_FIELDS[key], headers=drafting.viewer)
    assert refused.status_code == 403
    listing = await world.client.get(case_path, headers=drafting.viewer)
    assert [f["id"] for f in listing.json()["items"]] == [filing["id"]]
    assert (await drafting.download(filing, headers=drafting.viewer)).status_code == 200
    # The admin of another office does not see it either; the organisation's admin does.
    _, other_admin = await world.user("admin", other_office["id"])
    assert (await world.client.get(f"/api/filings/{filing['id']}", headers=other_admin)).status_code == 404
    assert (await world.client.get(f"/api/filings/{filing['id']}", headers=world.admin)).status_code == 200


async def test_the_hearing_must_belong_to_the_case(drafting, world):
    other_case = await world.case(drafting.office["id"], drafting.court["id"],
                                  staff_ids=[drafting.lawyer_id])
    other_hearing = await world.hearing(other_case["id"], "2031-05-01T09:00:00+03:00")
    key = "accompaniment_report"
    response = await drafting.draft(key, DEMO_FIELDS[key], hearing_id=other_hearing["id"])
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["hearing_id"]
    response = await drafting.draft(key, DEMO_FIELDS[key], survivor_id=999_999)
    assert [e["field"] for e in response.json()["errors"]] == ["survivor_id"]
    response = await drafting.draft("no_such_template", {})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["template"]


async def test_fields_have_limits(drafting):
    key = "accompaniment_report"
    cases = [
        {"Reason": "capitals"},
        {"reason; drop": "x"},
        {f"field_{i}": "x" for i in range(101)},
        {"reason": "x" * 20_001},
        {"reason": "nul \x00 byte"},
    ]
    for fields in cases:
        response = await drafting.draft(key, fields)
        assert response.status_code == 422, fields
        assert response.json()["errors"][0]["field"].startswith("fields")
    # A dotted name the user may not type (the survivor's identity comes from the records).
    response = await drafting.draft(key, {**DEMO_FIELDS[key], "survivor.code": "S-FAKE"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["fields.survivor.code"]


async def _audit(world, **params) -> list[dict]:
    response = await world.client.get("/api/audit", params=params, headers=world.admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_legal_name_only_when_revealed_by_an_allowed_role_and_audited(drafting, world):
    key = "identity_document_return_letter"
    survivor_id = str(drafting.survivor["id"])

    refused = await drafting.draft(key, DEMO_FIELDS[key])
    assert refused.status_code == 422
    error = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert list(error) == ["survivor.legal_name"]
    assert "reveal_legal_name" in error["survivor.legal_name"]
    assert LEGAL_NAME not in refused.text
    assert not [e for e in await _audit(world, entity="survivor", action="reveal")
                if e["entity_id"] == survivor_id]

    # A viewer may not ask for it at all.
    viewer = await drafting.draft(key, DEMO_FIELDS[key], headers=drafting.viewer,
                                  reveal_legal_name=True)
    assert viewer.status_code == 403

    response = await drafting.draft(key, DEMO_FIELDS[key], reveal_legal_name=True)
    assert response.status_code == 201, response.text
    filing = response.json()
    assert filing["legal_name_revealed"] is True
    assert LEGAL_NAME not in response.text
    assert LEGAL_NAME in docx_text((await drafting.download(filing)).content)
    reveals = [e for e in await _audit(world, entity="survivor", action="reveal")
               if e["entity_id"] == survivor_id]
    assert len(reveals) == 1
    assert reveals[0]["actor_id"] == drafting.lawyer_id
    assert reveals[0]["detail"]["fields"] == ["legal_name"]
    assert reveals[0]["detail"]["filing"] == filing["id"]
    # Nothing the API returns about the filing, and no audit row, carries the name.
    for path in (f"/api/filings/{filing['id']}", f"/api/cases/{drafting.case['id']}/filings"):
        assert LEGAL_NAME not in (await world.client.get(path, headers=drafting.lawyer)).text
    assert LEGAL_NAME not in (await world.client.get("/api/audit", params={"limit": 200},
                                                     headers=world.admin)).text
    # A viewer assigned to the case may not download a filing that holds the legal name.
    assert (await drafting.download(filing, headers=drafting.viewer)).status_code == 403
    # The name is not asked for when the template does not use it, even if requested.
    plain = await drafting.draft("accompaniment_report", DEMO_FIELDS["accompaniment_report"],
                                 hearing_id=drafting.hearing["id"], reveal_legal_name=True)
    assert plain.json()["legal_name_revealed"] is False
    assert len([e for e in await _audit(world, entity="survivor", action="reveal")
                if e["entity_id"] == survivor_id]) == 1
    downloads = await _audit(world, entity="filing", action="download")
    assert any(e["entity_id"] == str(filing["id"]) and e["detail"]["legal_name"] for e in downloads)


async def test_filings_appear_on_the_case_timeline(drafting):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    response = await drafting.client.get(f"/api/cases/{drafting.case['id']}/timeline",
                                         params={"kinds": "filing"}, headers=drafting.lawyer)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["entity"], i["entity_id"]) for i in items] == [("filing", filing["id"])]
    assert items[0]["title"] == "Filing drafted: Court accompaniment report (internal) (version 1)"
    assert items[0]["detail"]["author_id"] == drafting.lawyer_id
