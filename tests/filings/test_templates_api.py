"""Templates through the API: the list, what each needs, uploads checked with every reason
given at once, and versions that never overwrite."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from documents import BUILTIN_TEMPLATES
from tests.filings.conftest import DOCX, docx_text, make_docx, upload

NOTICE = [
    "IN THE {{ court.name|upper }}",
    "Case No. {{ case.court_case_number }}",
    "NOTICE OF CHANGE OF ADDRESS FOR SERVICE",
    "Take notice that from {{ effective_date|long_date }} documents for the complainant "
    "({{ survivor.code }}) should be served on {{ lawyer.name }}, {{ office.name }}, at {{ new_address }}.",
    "{{ reason|default(\"\") }}",
    "Dated {{ today }}.",
]


async def test_every_member_of_staff_lists_the_built_ins(drafting):
    response = await drafting.client.get("/api/templates", headers=drafting.viewer)
    assert response.status_code == 200
    items = {t["key"]: t for t in response.json()["items"]}
    assert set(items) == set(BUILTIN_TEMPLATES)
    for key, spec in BUILTIN_TEMPLATES.items():
        assert items[key]["title"] == spec.title and items[key]["description"] == spec.description
        assert items[key]["built_in"] is True and items[key]["version"] == 1


async def test_a_template_says_who_fills_each_variable(drafting):
    response = await drafting.client.get("/api/templates/identity_document_return_letter",
                                         headers=drafting.lawyer)
    variables = {v["name"]: v for v in response.json()["variables"]}
    assert variables["agency_name"]["filled_by"] == "user" and variables["agency_name"]["required"]
    assert variables["court.name"]["filled_by"] == "system"
    assert variables["court.name"]["sample"] and variables["court.name"]["description"]
    legal = variables["survivor.legal_name"]
    assert legal["filled_by"] == "system" and legal["restricted"] is True
    assert legal["user_can_supply"] is False and legal["available_to_you"] is True
    as_viewer = await drafting.client.get("/api/templates/identity_document_return_letter",
                                          headers=drafting.viewer)
    legal = {v["name"]: v for v in as_viewer.json()["variables"]}["survivor.legal_name"]
    assert legal["available_to_you"] is False
    assert (await drafting.client.get("/api/templates/no_such_key",
                                      headers=drafting.lawyer)).status_code == 404
    built_in = await drafting.client.get("/api/templates/accompaniment_report/download",
                                         headers=drafting.lawyer)
    assert built_in.status_code == 200 and built_in.headers["content-type"] == DOCX
    assert built_in.content == BUILTIN_TEMPLATES["accompaniment_report"].read_bytes()


async def test_upload_versions_and_drafting_from_an_uploaded_template(drafting, world):
    notice = make_docx(NOTICE)
    first = await upload(world.client, world.admin, notice, description="Our notice")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["key"] == "change_of_address" and body["version"] == 1 and body["built_in"] is False
    variables = {v["name"]: v for v in body["variables"]}
    assert {n for n, v in variables.items() if v["filled_by"] == "user"} == {
        "effective_date", "new_address", "reason"}
    assert variables["reason"]["required"] is False and variables["new_address"]["required"] is True

    fields = {"effective_date": "2025-03-01", "new_address": "P.O. Box 1 & 2, Demoville"}
    v1 = (await drafting.draft("change_of_address", fields)).json()
    assert v1["template_version"] == 1

    second = await upload(world.client, world.admin,
                          make_docx(["SECOND WORDING {{ court.name }}", *NOTICE[1:]]),
                          title="Notice, second wording")
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2 and second.json()["versions"] == 2
    listing = {t["key"]: t for t in (await world.client.get(
        "/api/templates", headers=drafting.lawyer)).json()["items"]}
    assert listing["change_of_address"]["version"] == 2
    assert listing["change_of_address"]["title"] == "Notice, second wording"
    old = await world.client.get("/api/templates/change_of_address", params={"version": 1},
                                 headers=drafting.lawyer)
    assert old.json()["title"] == "Notice of change of address for service"

    v2 = (await drafting.draft("change_of_address", fields)).json()
    assert (v2["template_version"], v2["version"]) == (2, 2)
    first_text = docx_text((await drafting.download(v1)).content)
    second_text = docx_text((await drafting.download(v2)).content)
    assert "IN THE CHIEF MAGISTRATE'S COURT AT DEMOVILLE" in first_text
    assert "SECOND WORDING" not in first_text and "SECOND WORDING" in second_text
    assert "Take notice that from 1 March 2025" in first_text
    assert "P.O. Box 1 & 2, Demoville" in first_text
    assert "(SV-2031-088)" in first_text
    # The first version is still there, byte for byte.
    original = await world.client.get("/api/templates/change_of_address/download",
                                      params={"version": 1}, headers=drafting.lawyer)
    assert original.content == notice
    assert original.headers["content-disposition"] == 'attachment; filename="change_of_address-v1.docx"'


async def test_only_admins_upload_and_built_in_keys_are_kept(drafting, world):
    refused = await upload(world.client, drafting.lawyer, make_docx(NOTICE))
    assert refused.status_code == 403
    taken = await upload(world.client, world.admin, make_docx(NOTICE), key="adjournment_application")
    assert taken.status_code == 422
    assert [e["field"] for e in taken.json()["errors"]] == ["key"]
    bad_key = await upload(world.client, world.admin, make_docx(NOTICE), key="Bad Key!")
    assert bad_key.status_code == 422


def _codes(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["code"] for e in response.json()["errors"]]


@pytest.mark.parametrize(("name", "data", "filename", "content_type", "code"), [
    ("not a docx", b"just some text, not a Word file", "notice.docx", DOCX, "invalid_docx"),
    ("a .doc name", make_docx(NOTICE), "notice.doc", DOCX, "invalid_docx"),
    ("sent as msword", make_docx(NOTICE), "notice.docx", "application/msword", "invalid_docx"),
    ("syntax error", make_docx(["Dear {{ addressee ", "text"]), "n.docx", DOCX, "syntax_error"),
    ("unknown filter", make_docx(["{{ reason|shout }}"]), "n.docx", DOCX, "unknown_filter"),
    ("unsafe in body", make_docx(["{{ cycler.__init__.__globals__ }}"]), "n.docx", DOCX,
     "unsafe_attribute"),
    ("unsafe in a property", make_docx(["Fine text"], properties={
        "title": "{{ cycler.__init__.__globals__ }}"}), "n.docx", DOCX, "unsafe_attribute"),
    ("unknown variable", make_docx(["{{ case.judge }}"]), "n.docx", DOCX, "unknown_variable"),
])
async def test_each_kind_of_bad_upload_is_refused_with_its_reason(
        drafting, world, name, data, filename, content_type, code):
    response = await upload(world.client, world.admin, data, filename=filename,
                            content_type=content_type)
    assert code in _codes(response), name
    for error in response.json()["errors"]:
        assert error["field"] == "file" and error["message"]
    if name == "unsafe in a property":
        assert "propert" in response.json()["errors"][0]["where"].lower()
    listing = await world.client.get("/api/templates", headers=world.admin)
    assert "change_of_address" not in {t["key"] for t in listing.json()["items"]}


async def test_every_problem_is_listed_at_once(drafting, world):
    data = make_docx(["{{ reason|shout }}", "{{ case.judge }}"], header="{{ lawyer.__class__ }}",
                     properties={"subject": "{{ cycler.__init__.__globals__ }}"})
    response = await upload(world.client, world.admin, data, filename="notice.docm")
    codes = _codes(response)
    assert {"invalid_docx", "unknown_filter", "unknown_variable", "unsafe_attribute"} <= set(codes)
    wheres = " ".join(e.get("where") or "" for e in response.json()["errors"]).lower()
    assert "header" in wheres and "propert" in wheres


async def test_uploads_larger_than_the_limit_are_refused(database, world):
    small = database.with_overrides(max_upload_bytes=45_000)
    app = create_app(small, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        big = make_docx(NOTICE) + b"\0" * 20_000  # just over the limit
        assert 45_000 < len(big) < 45_000 + 64 * 1024
        response = await upload(client, world.admin, big)
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")
        huge = await upload(client, world.admin, b"0" * 200_000)  # refused while being read
        assert huge.status_code == 413
        fine = await upload(client, world.admin, make_docx(NOTICE))
        assert fine.status_code == 201, fine.text
