"""Stored drafts: files under the filings directory, named by digest, encrypted at rest (the
disk alone shows no survivor's name or typed value), and still readable after a key rotation."""

from __future__ import annotations

import re

from documents.demo import DEMO_FIELDS
from legal_tracker import crypto, db
from legal_tracker.crypto import FieldCipher, _decode_key, generate_key
from legal_tracker.key_rotation import rotate_keys
from tests.filings.conftest import LEGAL_NAME, docx_text


async def test_filings_are_stored_encrypted_under_digest_names(drafting, database):
    key = "identity_document_return_letter"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], reveal_legal_name=True)).json()
    files = [p for p in database.filings_path.rglob("*") if p.is_file()]
    assert len(files) == 1
    stored = files[0]
    assert re.fullmatch(r"[0-9a-f]{64}\.docx\.enc", stored.name)
    assert stored.parent.name == stored.name[:2]
    raw = stored.read_bytes()
    assert not raw.startswith(b"PK")  # not a readable .docx
    for secret in (LEGAL_NAME, DEMO_FIELDS[key]["exhibit_reference"], "SV-2031-088"):
        assert secret.encode() not in raw
    rows = await db.execute("SELECT fields_enc, file_key_enc FROM filing")
    assert DEMO_FIELDS[key]["agency_name"] not in rows[0]["fields_enc"]
    assert LEGAL_NAME in docx_text((await drafting.download(filing)).content)


async def test_a_tampered_file_is_not_served(drafting, database):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    stored = next(p for p in database.filings_path.rglob("*.enc"))
    stored.write_bytes(stored.read_bytes()[:-1] + b"x")
    response = await drafting.download(filing)
    assert response.status_code == 500
    assert DEMO_FIELDS[key]["concerns"] not in response.text


async def test_filings_stay_readable_after_key_rotation(drafting, database):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    before = (await drafting.download(filing)).content
    old = crypto.cipher()
    crypto.set_cipher(FieldCipher(_decode_key(generate_key()), (old.current,)))
    try:
        counts = await rotate_keys()
        assert counts["filing.file_key_enc"] == 1 and counts["filing.fields_enc"] == 1
        crypto.set_cipher(FieldCipher(crypto.cipher().current))  # the old key is dropped
        assert (await drafting.download(filing)).content == before
        detail = await drafting.client.get(f"/api/filings/{filing['id']}", headers=drafting.lawyer)
        assert detail.json()["fields"] == DEMO_FIELDS[key]
    finally:
        crypto.set_cipher(old)
