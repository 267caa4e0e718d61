"""The PDF of a filing version is made once and kept in the database, encrypted like the .docx
(issue 16 item 16; issue 15 moved it from disk): a second download is served from the kept
copy without calling LibreOffice."""

from __future__ import annotations

import documents.service as documents_service
from documents.demo import DEMO_FIELDS
from legal_tracker import db
from tests.filings.conftest import LEGAL_NAME

FAKE_PDF = b"%PDF-1.7 filing for " + LEGAL_NAME.encode() + b" %%EOF"


async def test_a_second_pdf_download_is_served_from_the_kept_copy(drafting,
                                                                   monkeypatch):
    calls: list[int] = []

    def convert(docx: bytes, **_kwargs) -> bytes:
        calls.append(len(docx))
        return FAKE_PDF

    monkeypatch.setattr(documents_service, "convert_to_pdf", convert)
    key = "identity_document_return_letter"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], reveal_legal_name=True)).json()
    first = await drafting.download(filing, format="pdf")
    second = await drafting.download(filing, format="pdf")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == FAKE_PDF
    assert len(calls) == 1
    kept = await db.execute("SELECT version, content FROM filing_blob WHERE filing = {} "
                            "AND format = 'pdf'", filing["id"])
    assert [k["version"] for k in kept] == [1]
    raw = bytes(kept[0]["content"])
    assert b"%PDF" not in raw and LEGAL_NAME.encode() not in raw
    # A damaged copy is not served: the PDF is made again (and kept as version 2).
    await db.execute("UPDATE filing_blob SET content = {} WHERE filing = {} AND format = 'pdf'",
                     raw[:-1] + bytes([raw[-1] ^ 1]), filing["id"])
    third = await drafting.download(filing, format="pdf")
    assert third.content == FAKE_PDF and len(calls) == 2
    fourth = await drafting.download(filing, format="pdf")
    assert fourth.content == FAKE_PDF and len(calls) == 2
    # The .docx download is untouched.
    docx = await drafting.download(filing)
    assert docx.content.startswith(b"PK")
