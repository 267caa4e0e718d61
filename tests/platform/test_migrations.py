"""The hand-written migrations create exactly what the Piccolo table classes describe, on a fresh
SQLite file and on PostgreSQL; running them again changes nothing; SQLite enforces foreign keys
and runs in WAL mode.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from piccolo.columns import (
    JSON,
    JSONB,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)

from legal_tracker import db
from legal_tracker.migrate import migrate
from legal_tracker.settings import Settings
from tests.conftest import TEST_KEY, reset_postgres

# Type families: what each engine reports for a column of this Piccolo class.
FAMILIES: dict[type, set[str]] = {
    Serial: {"integer", "bigint"},
    Integer: {"integer", "bigint"},
    BigInt: {"integer", "bigint"},
    SmallInt: {"integer", "smallint"},
    ForeignKey: {"integer", "bigint"},
    Varchar: {"varchar", "character varying"},
    Text: {"text"},
    Boolean: {"boolean"},
    Timestamptz: {"timestamptz", "timestamp with time zone"},
    Date: {"date"},
    JSON: {"json", "jsonb"},
    JSONB: {"json", "jsonb"},
}


@pytest.fixture(params=["sqlite", "postgres"])
async def fresh(request, tmp_path: Path, pg_database: str | None) -> AsyncIterator[Settings]:
    """An empty database, not yet migrated, of each engine (PostgreSQL when configured)."""
    if request.param == "postgres":
        if not pg_database:
            pytest.skip("LEGAL_TRACKER_TEST_DATABASE_URL is not set")
        await reset_postgres(pg_database)
        url = pg_database
    else:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    settings = Settings(environment="test", data_dir=tmp_path, database_url=url, secret_key=TEST_KEY,
                        scheduler=False)
    await db.setup(settings)
    try:
        yield settings
    finally:
        await db.teardown()


async def _schema() -> dict[str, dict[str, dict[str, Any]]]:
    """{table: {column: {"type": ..., "nullable": ...}}} as the database reports it."""
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    if db.is_sqlite():
        names = await db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                 "AND name NOT LIKE 'sqlite_%'")
        for row in names:
            info = await db.execute(f"PRAGMA table_info(\"{row['name']}\")")
            tables[row["name"]] = {
                c["name"]: {"type": c["type"].split("(")[0].lower(),
                            "nullable": not (c["notnull"] or c["pk"])}
                for c in info
            }
    else:
        rows = await db.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'public'")
        for c in rows:
            tables.setdefault(c["table_name"], {})[c["column_name"]] = {
                "type": c["data_type"].lower(), "nullable": c["is_nullable"] == "YES"}
    return tables


async def test_every_table_class_matches_the_migrated_schema(fresh):
    applied = await migrate()
    assert "m0001_core" in applied
    schema = await _schema()
    problems = []
    for table in db.all_tables():
        name = table._meta.tablename
        if name not in schema:
            problems.append(f"{table.__name__}: table {name} missing")
            continue
        for column in table._meta.columns:
            col = column._meta.db_column_name
            found = schema[name].get(col)
            if found is None:
                problems.append(f"{name}.{col}: column missing")
                continue
            want_null = bool(column._meta.null) and not column._meta.primary_key
            if found["nullable"] != want_null:
                problems.append(f"{name}.{col}: nullable is {found['nullable']}, class says {want_null}")
            family = next((f for cls, f in FAMILIES.items() if type(column) is cls), None)
            if family is not None and found["type"] not in family:
                problems.append(f"{name}.{col}: type {found['type']}, class is {type(column).__name__}")
    assert not problems, "\n".join(problems)
    # The core tables are all there (guards against all_tables() finding nothing).
    names = {t._meta.tablename for t in db.all_tables()}
    assert {"office", "court", "staff", "survivor", "contact", "legal_case", "case_staff",
            "case_survivor", "accused", "hearing", "hearing_staff", "hearing_history", "auth_token",
            "audit_event"} <= names


async def test_migrating_twice_is_a_no_op(fresh):
    first = await migrate()
    assert first and first == sorted(first)
    before = await _schema()
    rows_before = await db.execute("SELECT name FROM schema_migration ORDER BY name")
    assert await migrate() == []
    assert await _schema() == before
    assert await db.execute("SELECT name FROM schema_migration ORDER BY name") == rows_before
    assert [r["name"] for r in rows_before] == first


async def test_foreign_keys_are_enforced(fresh):
    from legal_tracker.cases.tables import Contact, Hearing

    await migrate()
    now = datetime.now(UTC)
    errors: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, asyncpg.ForeignKeyViolationError)
    with pytest.raises(errors):
        await Contact.insert(Contact(survivor=424242, name="Orphan", relationship="none",
                                     created_at=now, updated_at=now))
    with pytest.raises(errors):
        await Hearing.insert(Hearing(case=1, court=1, kind="mention", starts_at=now,
                                     created_at=now, updated_at=now))
    assert await Contact.count() == 0 and await Hearing.count() == 0


async def test_sqlite_runs_in_wal_mode(fresh):
    if not db.is_sqlite():
        pytest.skip("SQLite only")
    await migrate()
    rows = await db.execute("PRAGMA journal_mode")
    assert rows[0]["journal_mode"] == "wal"
    with sqlite3.connect(fresh.sqlite_path) as conn:  # a fresh connection sees it too (file property)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = await db.execute("PRAGMA foreign_keys")
    assert rows[0]["foreign_keys"] == 1
