"""Legal names, identity-document numbers and phone numbers never sit in the database in
clear; keys rotate (every registered ``*_enc`` column, blind indexes and their copies)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from legal_tracker import crypto, db
from legal_tracker.cases.tables import Contact, Survivor
from legal_tracker.casework.tables import IdentityDocument
from legal_tracker.common import utcnow
from legal_tracker.key_rotation import (
    ENCRYPTED_COLUMNS,
    RotationError,
    _compare_and_set,
    rotate_keys,
    unregistered_columns,
)
from legal_tracker.organisation.tables import Staff
from legal_tracker.reminders.tables import ContactSmsStatus
from tests.conftest import TEST_KEY
from tests.security import scenario
from tests.security.scenario import DOCUMENT_NUMBER, LEGAL_NAME, PHONE, SECRETS


async def _add_document(survivor_id: int) -> None:
    """An identity document as the casework area stores one (its API is not needed here)."""
    now = utcnow()
    await IdentityDocument.insert(IdentityDocument(
        survivor=survivor_id, kind="passport", issuing_country="KE", status="withheld",
        number_enc=crypto.cipher().encrypt(DOCUMENT_NUMBER, context="identity_document.number"),
        created_at=now, updated_at=now))


async def raw_database_text(settings) -> str:
    """Every byte of the SQLite file (and its write-ahead log), or every row of every
    PostgreSQL table, as text."""
    if db.is_sqlite():
        data = b""
        for suffix in ("", "-wal", "-journal"):
            path = Path(str(settings.sqlite_path) + suffix)
            if path.exists():  # noqa: ASYNC240 - a test reading a local file
                data += path.read_bytes()  # noqa: ASYNC240
        assert len(data) > 10_000
        return data.decode("latin-1") + data.decode("utf-8", errors="ignore")
    tables = await db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
    dump = []
    for table in tables:
        rows = await db.execute(f'SELECT * FROM "{table["table_name"]}"')  # noqa: S608
        dump.append(repr(rows))
    return "\n".join(dump)


async def test_protected_values_are_not_stored_in_clear(world, database):
    ids = await scenario.run(world)
    await _add_document(ids["survivor"]["id"])
    raw = await raw_database_text(database)
    assert "Kibera Law Courts" in raw  # the dump does hold ordinary values
    for secret in SECRETS:
        assert secret not in raw, f"{secret!r} is stored in clear"
    # ...yet the application reads them back for those allowed to ask.
    survivor = f"/api/survivors/{ids['survivor']['id']}"
    revealed = await world.client.get(survivor + "?reveal=legal_name", headers=world.admin)
    assert revealed.json()["legal_name"] == scenario.SECOND_NAME
    masked = await world.client.get(survivor, headers=world.admin)
    assert masked.json()["legal_name"] == "•••" and masked.json()["legal_name_recorded"] is True
    contact = f"/api/contacts/{ids['contact']['id']}"
    assert (await world.client.get(contact + "?reveal=phone", headers=world.admin)).json()[
        "phone"] == PHONE
    listed = await world.client.get(f"/api/survivors/{ids['survivor']['id']}/contacts",
                                    headers=world.admin)
    assert PHONE not in listed.text and "987654" not in listed.text


async def test_every_encrypted_column_is_in_the_rotation_registry(database):
    assert await unregistered_columns() == []
    registered = {(c.table, c.column) for c in ENCRYPTED_COLUMNS}
    assert {("survivor", "legal_name_enc"), ("contact", "phone_enc"), ("staff", "phone_enc"),
            ("identity_document", "number_enc")} <= registered
    await db.execute("CREATE TABLE scratch_secret (id INTEGER PRIMARY KEY, note_enc TEXT)")
    assert await unregistered_columns() == ["scratch_secret.note_enc"]
    with pytest.raises(RotationError, match="scratch_secret.note_enc"):
        await rotate_keys()


async def _stored_prefixes() -> set[str]:
    values = [r["legal_name_enc"] for r in await Survivor.select(Survivor.legal_name_enc)]
    values += [r["phone_enc"] for r in await Contact.select(Contact.phone_enc)]
    values += [r["phone_enc"] for r in await Staff.select(Staff.phone_enc)]
    values += [r["number_enc"] for r in await IdentityDocument.select(IdentityDocument.number_enc)]
    return {v.split(":")[1] for v in values if v}


async def _flag_contact(contact_id: int) -> None:
    index = (await Contact.select(Contact.phone_index).where(Contact.id == contact_id).first())[
        "phone_index"]
    await ContactSmsStatus.insert(ContactSmsStatus(
        contact=contact_id, phone_flagged_at=utcnow(), phone_flag_reason="undelivered",
        flagged_phone_index=index, failures=3, updated_at=utcnow()))


async def test_rotate_key_reencrypts_everything_and_keeps_phone_lookup(world, database):
    ids = await scenario.run(world)
    await _add_document(ids["survivor"]["id"])
    await _flag_contact(ids["contact"]["id"])
    old = crypto.cipher()
    new = crypto.FieldCipher(crypto._decode_key(crypto.generate_key()), (old.current,))
    crypto.set_cipher(new)
    assert await _stored_prefixes() == {old.current_id}
    counts = await rotate_keys(batch_size=2)  # several batches
    assert counts["survivor.legal_name_enc"] == 1 and counts["contact.phone_enc"] == 1
    assert counts["staff.phone_enc"] == 1 and counts["identity_document.number_enc"] == 1
    assert await _stored_prefixes() == {new.current_id}
    contact = await Contact.select(Contact.phone_index).first()
    assert contact["phone_index"] == new.blind_index(PHONE, context="phone")
    flag = await ContactSmsStatus.select(ContactSmsStatus.flagged_phone_index).first()
    assert flag["flagged_phone_index"] == contact["phone_index"]  # the flag still counts
    # With the old key gone, everything still reads.
    crypto.set_cipher(crypto.FieldCipher(new.current))
    revealed = await world.client.get(f"/api/contacts/{ids['contact']['id']}?reveal=phone",
                                      headers=world.admin)
    assert revealed.json()["phone"] == PHONE
    revealed = await world.client.get(f"/api/survivors/{ids['survivor']['id']}?reveal=legal_name",
                                      headers=world.admin)
    assert revealed.json()["legal_name"] == scenario.SECOND_NAME
    again = await rotate_keys()
    assert again == dict.fromkeys(again, 0) and set(counts) <= set(again)


async def test_rotation_never_overwrites_a_concurrent_change(world, database):
    ids = await scenario.run(world)
    spec = next(c for c in ENCRYPTED_COLUMNS if c.table == "survivor")
    current = (await Survivor.select(Survivor.legal_name_enc).first())["legal_name_enc"]
    stale = crypto.cipher().encrypt("someone else", context="survivor.legal_name")
    assert not await _compare_and_set(spec, ids["survivor"]["id"], stale, {spec.column: "x"})
    assert (await Survivor.select(Survivor.legal_name_enc).first())["legal_name_enc"] == current


async def test_a_value_no_key_can_read_stops_rotation_without_damage(world, database):
    await scenario.run(world)
    crypto.set_cipher(crypto.FieldCipher(crypto._decode_key(crypto.generate_key())))
    with pytest.raises(RotationError, match=r"survivor.legal_name_enc of row \d+ cannot be read"):
        await rotate_keys()


def _cli(database, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    full = {**base, "LEGAL_TRACKER_DATABASE_URL": database.database_url,
            "LEGAL_TRACKER_DATA_DIR": str(database.data_dir), **env}
    return subprocess.run([sys.executable, "-m", "legal_tracker.cli", *args], env=full,
                          capture_output=True, text=True, timeout=180)


async def test_rotate_key_command_follows_the_documented_procedure(world, database):
    ids = await scenario.run(world)
    new_key = crypto.generate_key()
    # Without a key in the environment the command refuses (it never uses a generated key).
    refused = await asyncio.to_thread(_cli, database, {}, "rotate-key")
    assert refused.returncode == 2 and "LEGAL_TRACKER_SECRET_KEY" in refused.stderr
    # The new key without the old one: nothing can be read, nothing is changed.
    blind = await asyncio.to_thread(_cli, database, {"LEGAL_TRACKER_SECRET_KEY": new_key},
                                    "rotate-key")
    assert blind.returncode == 1 and "cannot be read" in blind.stderr
    assert LEGAL_NAME not in blind.stderr + blind.stdout
    env = {"LEGAL_TRACKER_SECRET_KEY": new_key, "LEGAL_TRACKER_OLD_SECRET_KEYS": TEST_KEY}
    done = await asyncio.to_thread(_cli, database, env, "rotate-key")
    assert done.returncode == 0, done.stderr
    assert "survivor.legal_name_enc: 1 value(s) re-encrypted" in done.stdout
    assert "contact.phone_enc: 1 value(s) re-encrypted" in done.stdout
    new = crypto.FieldCipher(crypto._decode_key(new_key))
    crypto.set_cipher(new)  # the service restarted with only the new key
    assert await _stored_prefixes() == {new.current_id}
    revealed = await world.client.get(f"/api/contacts/{ids['contact']['id']}?reveal=phone",
                                      headers=world.admin)
    assert revealed.json()["phone"] == PHONE


async def test_normal_responses_carry_no_protected_value(world):
    """Every GET of the API, as an organisation admin, without ``reveal``: the pseudonymous code
    is there, the legal name and the family's phone number are not."""
    ids = await scenario.run(world)
    await _add_document(ids["survivor"]["id"])
    values = {"survivor_id": ids["survivor"]["id"], "contact_id": ids["contact"]["id"],
              "case_id": ids["case"]["id"], "hearing_id": ids["hearing"]["id"],
              "office_id": ids["office"]["id"], "court_id": ids["court"]["id"],
              "staff_id": ids["lawyer"]["id"]}
    app = world.client._transport.app  # type: ignore[attr-defined]
    checked = 0
    for route in app.routes:
        if not route.path.startswith("/api/") or "GET" not in getattr(route, "methods", ()):
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
        if any(n not in values for n in names):
            continue
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), route.path)
        response = await world.client.get(path, headers=world.admin)
        assert response.status_code in (200, 400, 404, 501), (path, response.status_code)
        for secret in SECRETS:
            if secret in (scenario.STAFF_PHONE, "733444555"):
                continue  # a colleague's work phone is shown to staff
            assert secret not in response.text, (path, secret)
        checked += 1
    assert checked >= 15
    survivor = await world.client.get(f"/api/survivors/{ids['survivor']['id']}",
                                      headers=world.admin)
    assert survivor.json()["code"].startswith("S-")
