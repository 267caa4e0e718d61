"""Legal names and phone numbers never sit in the database or the logs in clear; keys rotate;
the audit trail records reveals and cannot be changed."""

from __future__ import annotations

import logging

import pytest

from legal_tracker import crypto, db
from legal_tracker.keys import rotate_keys
from legal_tracker.tables import AuditEvent, Contact, Survivor

LEGAL_NAME = "Wanjiku Zamaradi Kiprotich"
PHONE = "+254712987654"
CONTACT_NAME = "Mama Zamaradi"


async def _scenario(world) -> dict:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    survivor = await world.survivor(office["id"], legal_name=LEGAL_NAME)
    contact = await world.post(f"/api/survivors/{survivor['id']}/contacts",
                               {"name": CONTACT_NAME, "relationship": "mother", "phone": PHONE,
                                "language": "sw", "sms_consent": True})
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]])
    await world.hearing(case["id"], "2031-03-03T09:00:00+03:00", survivor_attends=True)
    for path in (f"/api/survivors/{survivor['id']}?reveal=legal_name",
                 f"/api/contacts/{contact['id']}?reveal=phone"):
        response = await world.client.get(path, headers=world.admin)
        assert response.status_code == 200
    await world.client.post("/api/auth/login", json={"email": "admin@example.org",
                                                     "password": "wrong " + PHONE})
    await world.client.get(f"/api/survivors/{survivor['id']}?reveal=nonsense", headers=world.admin)
    return {"survivor": survivor, "contact": contact}


async def _raw_database_text(settings) -> str:
    if db.is_sqlite():
        text = b""
        for suffix in ("", "-wal"):
            try:
                with open(str(settings.sqlite_path) + suffix, "rb") as handle:
                    text += handle.read()
            except FileNotFoundError:
                pass
        return text.decode("latin-1")
    tables = await db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    dump = []
    for table in tables:
        rows = await db.execute(f'SELECT * FROM "{table["table_name"]}"')  # noqa: S608
        dump.append(repr(rows))
    return "\n".join(dump)


async def test_protected_values_are_not_stored_in_clear(world, database):
    ids = await _scenario(world)
    raw = await _raw_database_text(database)
    assert LEGAL_NAME not in raw and "Zamaradi Kiprotich" not in raw
    assert PHONE not in raw and PHONE[1:] not in raw and "712987654" not in raw
    # ...yet the application reads them back for those allowed to ask.
    revealed = await world.client.get(f"/api/survivors/{ids['survivor']['id']}?reveal=legal_name",
                                      headers=world.admin)
    assert revealed.json()["legal_name"] == LEGAL_NAME
    masked = await world.client.get(f"/api/survivors/{ids['survivor']['id']}", headers=world.admin)
    assert LEGAL_NAME not in masked.text and masked.json()["legal_name_recorded"] is True


async def test_no_personal_data_in_any_log_line(world, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("", "litestar", "uvicorn", "httpx", "piccolo", "legal_tracker", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    await _scenario(world)
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert caplog.records, "the scenario should have logged something"
    for secret in (LEGAL_NAME, "Zamaradi", PHONE, PHONE[1:], "712987654"):
        assert secret not in text, f"{secret!r} leaked into the logs"


async def test_reveals_are_audited_and_the_trail_is_append_only(world):
    ids = await _scenario(world)
    response = await world.client.get("/api/audit?action=reveal", headers=world.admin)
    assert response.status_code == 200
    reveals = response.json()["items"]
    assert {(e["entity"], e["entity_id"]) for e in reveals} == {
        ("survivor", str(ids["survivor"]["id"])), ("contact", str(ids["contact"]["id"]))}
    assert all(e["ip"] == "127.0.0.1" for e in reveals)
    assert LEGAL_NAME not in response.text and PHONE not in response.text
    failed = await world.client.get("/api/audit?action=login_failed", headers=world.admin)
    assert len(failed.json()["items"]) == 1
    for statement in ("UPDATE audit_event SET action = 'nothing'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            await db.execute(statement)
    assert await AuditEvent.count() > 5


async def test_audit_is_for_admins_and_their_office(world):
    ids = await _scenario(world)
    office_id = ids["survivor"]["office_id"]
    _, lawyer = await world.user("lawyer", office_id)
    assert (await world.client.get("/api/audit", headers=lawyer)).status_code == 403
    other = await world.office("Manila", "Asia/Manila", "PH")
    _, other_admin = await world.user("admin", other["id"])
    seen = (await world.client.get("/api/audit?entity=survivor", headers=other_admin)).json()
    assert seen["items"] == []
    _, own_admin = await world.user("admin", office_id)
    mine = (await world.client.get("/api/audit?entity=survivor", headers=own_admin)).json()
    assert mine["items"]


async def test_rotate_key_reencrypts_everything_and_keeps_phone_lookup(world, database):
    ids = await _scenario(world)
    old = crypto.cipher()
    new = crypto.FieldCipher(crypto._decode_key(crypto.generate_key()), (old.current,))
    crypto.set_cipher(new)
    counts = await rotate_keys()
    assert counts["survivor.legal_name_enc"] == 1 and counts["contact.phone_enc"] == 1
    stored = await Survivor.select(Survivor.legal_name_enc).first()
    assert stored["legal_name_enc"].startswith(f"v1:{new.current_id}:")
    contact = await Contact.select(Contact.phone_enc, Contact.phone_index).first()
    assert contact["phone_index"] == new.blind_index(PHONE, context="phone")
    # With the old key gone, everything still reads.
    crypto.set_cipher(crypto.FieldCipher(new.current))
    revealed = await world.client.get(f"/api/contacts/{ids['contact']['id']}?reveal=phone",
                                      headers=world.admin)
    assert revealed.json()["phone"] == PHONE
    assert await rotate_keys() == {k: 0 for k in counts}
