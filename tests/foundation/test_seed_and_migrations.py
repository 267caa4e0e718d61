"""The schema the migrations create matches the table classes, on both engines; migrating
is idempotent; SQLite runs in WAL with foreign keys enforced; the demo data is what the
README promises and seeding twice adds nothing."""

from __future__ import annotations

import sqlite3

import pytest

from legal_tracker import db
from legal_tracker.migrate import migrate
from legal_tracker.seed import ADMIN_EMAIL, seed_demo
from legal_tracker.tables import Hearing


async def _columns(table: str) -> dict[str, bool]:
    """column name -> nullable, from the database itself."""
    if db.is_sqlite():
        rows = await db.execute(f"PRAGMA table_info({table})")
        return {r["name"]: not r["notnull"] and not r["pk"] for r in rows}
    rows = await db.execute(
        "SELECT column_name, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = {}", table)
    return {r["column_name"]: r["is_nullable"] == "YES" for r in rows}


async def test_every_table_class_matches_the_migrated_schema(database):
    checked = 0
    for table in db.all_tables():
        if table.__module__.startswith(("tests.", "bench")):
            continue
        actual = await _columns(table._meta.tablename)
        assert actual, f"table {table._meta.tablename} was not created by the migrations"
        for column in table._meta.columns:
            name = column._meta.db_column_name
            assert name in actual, f"{table._meta.tablename}.{name} missing from the schema"
            if not column._meta.primary_key:
                assert actual[name] == column._meta.null, f"{table._meta.tablename}.{name} nullability"
        checked += 1
    assert checked >= 12


async def test_migrating_again_is_a_no_op(database):
    assert await migrate() == []


async def test_sqlite_is_in_wal_mode_and_enforces_foreign_keys(database):
    if not db.is_sqlite():
        pytest.skip("SQLite only")
    with sqlite3.connect(database.sqlite_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(
            "INSERT INTO hearing (\"case\", court, starts_at, kind, created_at, updated_at) "
            "VALUES (999, 999, '2030-01-01 00:00:00+00:00', 'mention', "
            "'2030-01-01 00:00:00+00:00', '2030-01-01 00:00:00+00:00')")


async def test_postgres_enforces_foreign_keys(database):
    if db.is_sqlite():
        pytest.skip("PostgreSQL only")
    import asyncpg

    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute(
            "INSERT INTO hearing (\"case\", court, starts_at, kind, created_at, updated_at) "
            "VALUES (999, 999, now(), 'mention', now(), now())")


async def test_seed_demo_is_realistic_and_idempotent(database, client):
    summary = await seed_demo()
    assert summary["offices"] == 2 and summary["courts"] >= 6
    assert summary["cases"] >= 30 and summary["hearings"] >= 200 and summary["adjourned"] > 0
    assert summary["survivors"] >= 30 and summary["contacts"] >= 30
    statuses = {r["status"] for r in await Hearing.select(Hearing.status)}
    assert statuses == {"scheduled", "held", "adjourned"}
    again = await seed_demo()
    assert again["status"].startswith("already seeded")
    assert await Hearing.count() == summary["hearings"]
    # A newcomer can log in with the printed credentials and sees a living system.
    login = await client.post("/api/auth/login",
                              json={"email": ADMIN_EMAIL, "password": "demo-password-2026"})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    cases = (await client.get("/api/cases?limit=200", headers=headers)).json()["items"]
    assert len({c["status"] for c in cases}) == 7
    offices = (await client.get("/api/offices", headers=headers)).json()["items"]
    assert {o["timezone"] for o in offices} == {"Africa/Nairobi", "Asia/Manila"}
