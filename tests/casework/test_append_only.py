"""Custody entries (evidence) and audit rows cannot be rewritten by any statement, on either
engine: REPLACE, UPSERT, UPDATE and DELETE are refused (issue 16 item 18)."""

from __future__ import annotations

import pytest

from legal_tracker import db
from tests.casework.conftest import ago
from tests.casework.test_records import _document, _post

COLUMNS = {
    "custody_entry": "id, document, seq, at, released_by, received_by, purpose, location, note, "
                     "resulting_status, recorded_by, recorded_at",
    "audit_event": "id, at, actor, action, entity, entity_id, office, ip, detail",
}


async def _row(table: str, where: str) -> dict:
    rows = await db.execute(f"SELECT {COLUMNS[table]} FROM {table} WHERE {where}")  # noqa: S608
    return rows[0]


def _statements(table: str, row: dict) -> list[str]:
    """Each way to rewrite the row, copying it from itself with one column forged."""
    names = [c.strip() for c in COLUMNS[table].split(",")]
    forged_column = "received_by" if table == "custody_entry" else "action"

    def copy(new_id: str = "id") -> str:
        picked = ["'forged'" if c == forged_column else c for c in names]
        picked[0] = new_id
        return (f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(picked)} "  # noqa: S608
                f"FROM {table} WHERE id = {row['id']}")

    out = [
        copy() + f" ON CONFLICT (id) DO UPDATE SET {forged_column} = 'forged'",
        f"UPDATE {table} SET {forged_column} = 'forged' WHERE id = {row['id']}",
        f"DELETE FROM {table} WHERE id = {row['id']}",
    ]
    if db.is_sqlite():
        out += [copy().replace("INSERT INTO", "INSERT OR REPLACE INTO", 1),
                copy().replace("INSERT INTO", "REPLACE INTO", 1)]
        if table == "custody_entry":
            # Same (document, seq), a fresh id: REPLACE would delete the original entry.
            out.append(copy("id + 1000").replace("INSERT INTO", "INSERT OR REPLACE INTO", 1))
    return out


@pytest.mark.parametrize("table", ["custody_entry", "audit_event"])
async def test_no_statement_rewrites_an_append_only_row(world, setting, table):
    doc = await _document(world, setting)
    path = f"/api/identity-documents/{doc['id']}/custody"
    response = await _post(world, path, {
        "at": ago(days=3), "released_by": "Recruitment agent", "received_by": "DCI Kilimani",
        "resulting_status": "seized_as_evidence"}, setting.lawyer)
    assert response.status_code == 201, response.text
    where = f"id = {response.json()['id']}" if table == "custody_entry" else \
        "id = (SELECT MIN(id) FROM audit_event)"
    before = await _row(table, where)
    for statement in _statements(table, before):
        with pytest.raises(Exception, match="append-only"):
            async with db.transaction():
                await db.execute(statement)
    assert await _row(table, f"id = {before['id']}") == before
    # Appending still works, and the next entry of the chain too.
    response = await _post(world, path, {
        "at": ago(days=1), "released_by": "DCI Kilimani", "received_by": "Aftercare office",
        "resulting_status": "recovered"}, setting.lawyer)
    assert response.status_code == 201, response.text
    assert response.json()["seq"] == 2
