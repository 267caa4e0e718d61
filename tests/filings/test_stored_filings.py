"""Stored files live in the database (issue 15): filings encrypted with their own key (the
database alone shows no survivor's name or typed value), checked on every read, written in the
same transaction as their row, readable after a key rotation; PDFs stored beside them; files an
older version kept on disk moved in by migration m0641; nothing written to the data directory."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from documents import storage
from documents.demo import DEMO_FIELDS
from legal_tracker import crypto, db
from legal_tracker.crypto import FieldCipher, _decode_key, generate_key
from legal_tracker.key_rotation import rotate_keys
from legal_tracker.migrate import migrate
from tests.filings.conftest import LEGAL_NAME, docx_text, make_docx, upload


def _files_under(root: Path) -> list[Path]:
    ignored = {".sqlite", ".sqlite-wal", ".sqlite-shm", ".key"}
    return [p for p in root.rglob("*") if p.is_file() and not any(p.name.endswith(s) for s in ignored)]


async def test_filings_are_stored_encrypted_in_the_database(drafting, database):
    key = "identity_document_return_letter"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], reveal_legal_name=True)).json()
    rows = await db.execute("SELECT f.stored_name, f.fields_enc, b.content, b.format FROM filing f "
                            "JOIN filing_blob b ON b.filing = f.id")
    assert len(rows) == 1 and rows[0]["format"] == "docx"
    raw = bytes(rows[0]["content"])
    assert hashlib.sha256(raw).hexdigest() == rows[0]["stored_name"][:64]
    assert not raw.startswith(b"PK")  # not a readable .docx
    for secret in (LEGAL_NAME, DEMO_FIELDS[key]["exhibit_reference"], "SV-2031-088"):
        assert secret.encode() not in raw
    assert DEMO_FIELDS[key]["agency_name"] not in rows[0]["fields_enc"]
    assert LEGAL_NAME in docx_text((await drafting.download(filing)).content)
    # Nothing was written beside the database: any app server can serve this filing.
    assert _files_under(database.data_dir) == []


async def test_uploaded_templates_are_stored_in_the_database(drafting, world, database):
    data = make_docx("Notice for {{ case.reference }}")
    assert (await upload(world.client, world.admin, data)).status_code == 201
    rows = await db.execute("SELECT sha256, content FROM template_blob")
    assert [bytes(r["content"]) for r in rows] == [data]
    downloaded = await world.client.get("/api/templates/change_of_address/download",
                                        headers=world.admin)
    assert downloaded.content == data
    assert _files_under(database.data_dir) == []


async def test_a_tampered_file_is_not_served(drafting, database):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    rows = await db.execute("SELECT id, content FROM filing_blob")
    tampered = bytes(rows[0]["content"])[:-1] + b"x"
    await db.execute("UPDATE filing_blob SET content = {} WHERE id = {}", tampered, rows[0]["id"])
    response = await drafting.download(filing)
    assert response.status_code == 500
    assert DEMO_FIELDS[key]["concerns"] not in response.text


async def test_a_filing_that_fails_to_store_leaves_no_row(drafting, database, monkeypatch):
    key = "accompaniment_report"

    async def broken(filing_id, sealed):
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage, "store_filing", broken)
    response = await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])
    assert response.status_code == 500
    assert await db.execute("SELECT id FROM filing") == []
    assert await db.execute("SELECT id FROM audit_event WHERE entity = 'filing'") == []


async def test_filings_stay_readable_after_key_rotation(drafting, database):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    before = (await drafting.download(filing)).content
    await storage.store_pdf(filing["id"], 1, b"%PDF-1.7 made for " + LEGAL_NAME.encode())
    old = crypto.cipher()
    crypto.set_cipher(FieldCipher(_decode_key(generate_key()), (old.current,)))
    try:
        counts = await rotate_keys()
        assert counts["filing.file_key_enc"] == 1 and counts["filing.fields_enc"] == 1
        crypto.set_cipher(FieldCipher(crypto.cipher().current))  # the old key is dropped
        assert (await drafting.download(filing)).content == before
        assert await storage.load_pdf(filing["id"], 1) == b"%PDF-1.7 made for " + LEGAL_NAME.encode()
        detail = await drafting.client.get(f"/api/filings/{filing['id']}", headers=drafting.lawyer)
        assert detail.json()["fields"] == DEMO_FIELDS[key]
    finally:
        crypto.set_cipher(old)


async def test_pdfs_are_stored_encrypted_per_version(drafting, database):
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    assert await storage.load_pdf(filing["id"]) is None
    first = b"%PDF-1.7 first " + LEGAL_NAME.encode()
    async with db.transaction():
        await storage.store_pdf(filing["id"], 1, first)
    await storage.store_pdf(filing["id"], 1, b"%PDF-1.7 a second conversion")  # first one kept
    await storage.store_pdf(filing["id"], 2, b"%PDF-1.7 newer")
    assert await storage.load_pdf(filing["id"], 1) == first
    assert await storage.load_pdf(filing["id"]) == b"%PDF-1.7 newer"
    assert await storage.load_pdf(filing["id"], 3) is None
    rows = await db.execute("SELECT content FROM filing_blob WHERE format = 'pdf'")
    assert len(rows) == 2 and all(LEGAL_NAME.encode() not in bytes(r["content"]) for r in rows)


async def test_files_kept_on_disk_by_an_older_version_are_moved_in(drafting, world, database,
                                                                   tmp_path):
    """An installation upgraded from a version that stored files under the filings directory."""
    key = "accompaniment_report"
    filing = (await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])).json()
    expected = (await drafting.download(filing)).content
    template = make_docx("Notice for {{ case.reference }}")
    assert (await upload(world.client, world.admin, template)).status_code == 201
    # Lay the files out as the old version did, then forget the rows' blobs.
    old_root = tmp_path / "old-filings"
    sealed = bytes((await db.execute("SELECT content FROM filing_blob"))[0]["content"])
    name = (await db.execute("SELECT stored_name FROM filing"))[0]["stored_name"]
    (old_root / name[:2]).mkdir(parents=True)
    (old_root / name[:2] / name).write_bytes(sealed)
    (old_root / "templates").mkdir()
    (old_root / "templates" / f"{hashlib.sha256(template).hexdigest()}.docx").write_bytes(template)
    await db.execute("DELETE FROM filing_blob")
    await db.execute("DELETE FROM template_blob")
    await db.execute("DELETE FROM schema_migration WHERE name = 'm0641_files_into_database'")

    # A missing directory stops the migration, naming what is missing, and applies nothing.
    with pytest.raises(RuntimeError, match=r"filing #\d+"):
        await migrate(legacy_files_dir=tmp_path / "nowhere")
    assert await db.execute("SELECT id FROM filing_blob") == []

    assert await migrate(legacy_files_dir=old_root) == ["m0641_files_into_database"]
    assert (await drafting.download(filing)).content == expected
    downloaded = await world.client.get("/api/templates/change_of_address/download",
                                        headers=world.admin)
    assert downloaded.content == template


def test_the_file_key_is_sealed_with_the_installation_key():
    crypto.set_cipher(FieldCipher(_decode_key(generate_key())))
    sealed = storage.seal_filing(b"PK fake docx")
    key = base64.urlsafe_b64decode(crypto.cipher().decrypt(sealed.file_key_enc,
                                                           context=storage.FILE_KEY_CONTEXT))
    assert len(key) == 32 and key not in sealed.sealed
    assert storage.open_filing(sealed.sealed, sealed.stored_name, sealed.file_key_enc,
                               sealed.sha256) == b"PK fake docx"
