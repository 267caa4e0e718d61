"""``legal-tracker backup`` and ``restore`` (issue 15), through the real command line, on the
engine under test: a backup taken while the service writes restores into an empty data
directory or database, and every protected value in it reads back with the key kept apart
from it. The data directory and every file in it are private to the service's user."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from documents import storage
from documents.demo import DEMO_FIELDS
from legal_tracker import crypto
from legal_tracker.crypto import FieldCipher, _decode_key
from tests.conftest import PG_URL, TEST_KEY, _with_db
from tests.platform.servers import ROOT, server_env

LEGAL = "Backup Fictional Person {:04d}"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "legal_tracker.cli", *args, cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await process.communicate()
    return subprocess.CompletedProcess(args, process.returncode or 0, out.decode(), err.decode())


async def _seed(world) -> dict[str, Any]:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    survivor = await world.survivor(office["id"], code="BK-SEED", legal_name=LEGAL.format(0))
    contact = await world.post(f"/api/survivors/{survivor['id']}/contacts", {
        "name": "Fictional Aunt", "relationship": "aunt", "phone": "+254711222333",
        "sms_consent": True})
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]],
                            court_case_number="CR E1/2031")
    key = "identity_document_return_letter"
    filing = await world.post(f"/api/cases/{case['id']}/filings", {
        "template": key, "reveal_legal_name": True, "fields": DEMO_FIELDS[key]})
    return {"office": office, "contact": contact, "filing": filing}


async def _writer(world, office_id: int, stop: asyncio.Event, written: list[int]) -> None:
    n = 1
    while not stop.is_set():
        await world.survivor(office_id, code=f"BK-{n:04d}", legal_name=LEGAL.format(n))
        written.append(n)
        n += 1


async def _rows(url: str, sql: str) -> list[dict[str, Any]]:
    if url.startswith("sqlite:"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql)]
    conn = await asyncpg.connect(url)
    try:
        return [dict(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


@pytest.fixture
async def empty_target(database, tmp_path):
    """Where a restore goes: an empty data directory, or an empty PostgreSQL database."""
    restored_dir = tmp_path / "restored"
    if database.is_sqlite:
        yield restored_dir, f"sqlite:///{restored_dir / 'legal_tracker.sqlite'}"
        return
    name = f"lt_restore_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield restored_dir, _with_db(PG_URL, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_backup_taken_under_write_load_restores_every_protected_value(
        world, database, tmp_path, empty_target):
    seeded = await _seed(world)
    assert seeded["filing"].get("id"), seeded["filing"]
    env = server_env(database.database_url, database.data_dir, 0)
    stop, written = asyncio.Event(), []
    writer = asyncio.create_task(_writer(world, seeded["office"]["id"], stop, written))
    await asyncio.sleep(0.5)
    backup_file = tmp_path / "backups" / "nightly.backup"
    done = await _cli(env, "backup", str(backup_file))
    during = len(written)
    await asyncio.sleep(0.3)
    stop.set()
    await writer
    assert done.returncode == 0, done.stderr
    assert during > 0 and len(written) > during - 1  # writes ran before, during and after
    assert _mode(backup_file) == 0o600
    raw = backup_file.read_bytes()
    for secret in (LEGAL.format(0), "+254711222333", LEGAL.format(1)):
        assert secret.encode() not in raw  # encrypted values stay encrypted in the backup

    restored_dir, restored_url = empty_target
    target_env = server_env(restored_url, restored_dir, 0)
    done = await _cli(target_env, "restore", str(backup_file))
    assert done.returncode == 0, done.stderr
    assert "the configured key opened" in done.stdout
    if database.is_sqlite:
        assert _mode(restored_dir) == 0o700
        assert _mode(restored_dir / "legal_tracker.sqlite") == 0o600

    # Every protected value in the copy reads back with the key, and matches what was written.
    survivors = await _rows(restored_url, "SELECT code, legal_name_enc FROM survivor")
    cipher = crypto.cipher()
    assert len(survivors) >= 2
    for row in survivors:
        n = 0 if row["code"] == "BK-SEED" else int(row["code"].removeprefix("BK-"))
        assert cipher.decrypt(row["legal_name_enc"], context="survivor.legal_name") == LEGAL.format(n)
    numbers = sorted(int(r["code"][3:]) for r in survivors if r["code"] != "BK-SEED")
    assert numbers == list(range(1, len(numbers) + 1))  # a consistent prefix of the writes
    contacts = await _rows(restored_url, "SELECT phone_enc FROM contact")
    assert [cipher.decrypt(c["phone_enc"], context="contact.phone") for c in contacts] == [
        "+254711222333"]
    filings = await _rows(restored_url, "SELECT f.stored_name, f.file_key_enc, f.sha256, b.content "
                                        "FROM filing f JOIN filing_blob b ON b.filing = f.id")
    assert len(filings) == 1
    docx = storage.open_filing(bytes(filings[0]["content"]), filings[0]["stored_name"],
                               filings[0]["file_key_enc"], filings[0]["sha256"])
    assert docx.startswith(b"PK") and len(docx) == seeded["filing"]["size_bytes"]

    # A second restore into the now full database is refused, and changes nothing.
    again = await _cli(target_env, "restore", str(backup_file))
    assert again.returncode == 1 and "restore failed" in again.stderr
    assert len(await _rows(restored_url, "SELECT id FROM survivor")) == len(survivors)


async def test_a_restore_with_the_wrong_key_says_so(world, database, tmp_path, empty_target):
    await _seed(world)
    env = server_env(database.database_url, database.data_dir, 0)
    backup_file = tmp_path / "b.backup"
    assert (await _cli(env, "backup", str(backup_file))).returncode == 0
    restored_dir, restored_url = empty_target
    wrong = crypto.generate_key()
    target_env = {**server_env(restored_url, restored_dir, 0), "LEGAL_TRACKER_SECRET_KEY": wrong}
    done = await _cli(target_env, "restore", str(backup_file))
    assert done.returncode == 1
    assert "cannot be read with the configured key" in done.stderr
    assert "Backup Fictional" not in done.stderr + done.stdout
    assert FieldCipher(_decode_key(TEST_KEY)).current != FieldCipher(_decode_key(wrong)).current


async def test_backup_refuses_to_overwrite_the_live_database(database, tmp_path):
    if not database.is_sqlite:
        pytest.skip("SQLite only")
    env = server_env(database.database_url, database.data_dir, 0)
    done = await _cli(env, "backup", str(database.sqlite_path))
    assert done.returncode == 1 and "live database" in done.stderr


async def test_restore_refuses_a_backup_of_the_other_engine(database, tmp_path):
    fake = tmp_path / "other.backup"
    fake.write_bytes(b"PGDMP" + b"\0" * 100 if database.is_sqlite else b"SQLite format 3\x00" + b"\0" * 100)
    env = server_env(database.database_url, tmp_path / "empty", 0)
    done = await _cli(env, "restore", str(fake))
    assert done.returncode == 1 and "same kind of database" in done.stderr


def test_the_data_directory_and_database_files_are_private(tmp_path):
    data = tmp_path / "data"
    env = {**server_env(f"sqlite:///{data / 'legal_tracker.sqlite'}", data, 0),
           "LEGAL_TRACKER_SECRET_KEY": ""}  # development: the key is generated into data/
    old = os.umask(0o022)
    try:
        done = subprocess.run([sys.executable, "-m", "legal_tracker.cli", "migrate"], cwd=ROOT,
                              env={**env, "LEGAL_TRACKER_ENV": "development"},
                              capture_output=True, text=True, timeout=120)
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert _mode(data) == 0o700
    files = sorted(p.name for p in data.iterdir())
    assert "legal_tracker.sqlite" in files and "secret.key" in files
    for path in data.iterdir():
        assert _mode(path) == 0o600, path.name
