"""Issue 14 item 19: a filing's dates are in the office's language (a setting on the office),
overridable per filing, never the drafting lawyer's own language."""

from __future__ import annotations

from documents import BUILTIN_TEMPLATES
from documents.demo import DEMO_FIELDS
from tests.filings.conftest import docx_text


def _template() -> str:
    return next(k for k in BUILTIN_TEMPLATES if k not in {
        "identity_document_return_letter", "immigration_certification_request"})


async def _text(drafting, **extra) -> str:
    key = _template()
    response = await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"],
                                    **extra)
    assert response.status_code == 201, response.text
    return docx_text((await drafting.download(response.json())).content)


async def test_a_swahili_speaking_lawyer_drafts_in_the_offices_language(drafting):
    changed = await drafting.client.patch(f"/api/staff/{drafting.lawyer_id}",
                                          json={"language": "sw"}, headers=drafting.world.admin)
    assert changed.status_code == 200, changed.text
    office = (await drafting.client.get(f"/api/offices/{drafting.office['id']}",
                                        headers=drafting.world.admin)).json()
    assert office["language"] == "en"
    text = await _text(drafting)
    assert "11 March 2031" in text and "Machi" not in text


async def test_the_office_setting_and_a_per_filing_choice_decide_the_language(drafting):
    changed = await drafting.client.patch(f"/api/offices/{drafting.office['id']}",
                                          json={"language": "sw"}, headers=drafting.world.admin)
    assert changed.status_code == 200 and changed.json()["language"] == "sw"
    assert "11 Machi 2031" in await _text(drafting)
    english = await _text(drafting, language="en")
    assert "11 March 2031" in english and "Machi" not in english
