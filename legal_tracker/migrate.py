"""Apply the hand-written migrations, each in its own transaction, exactly once.

Several processes may start at once (PostgreSQL scale-out): on PostgreSQL an advisory lock
serialises them; on SQLite the IMMEDIATE transaction does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine

from legal_tracker import db
from legal_tracker.migrations import Dialect, discover

_LOCK_KEY = 7_405_551_234


def dialect_of(engine: Engine) -> Dialect:
    return Dialect("sqlite" if isinstance(engine, SQLiteEngine) else "postgres")


async def applied_migrations(engine: Engine) -> set[str]:
    async with db.transaction():
        if not isinstance(engine, SQLiteEngine):
            await engine.run_ddl(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
        await engine.run_ddl(
            "CREATE TABLE IF NOT EXISTS schema_migration ("
            " name VARCHAR(200) PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
        )
    rows = await engine.run_ddl("SELECT name FROM schema_migration")
    return {row["name"] for row in rows or []}


def default_legacy_files_dir() -> Path | None:
    """Where an older version kept template and filing files (read once, by m0641)."""
    from legal_tracker.settings import SettingsError, get_settings

    try:
        return get_settings().legacy_filings_path
    except SettingsError:
        return None


async def migrate(engine: Engine | None = None, *,
                  legacy_files_dir: Path | None = None) -> list[str]:
    """Returns the names of the migrations applied now. A migration module may also define
    ``async def apply(execute, legacy_files_dir)`` for data it moves, run in its transaction."""
    eng = engine or db.engine()
    dialect = dialect_of(eng)
    done = await applied_migrations(eng)
    applied: list[str] = []
    for name, module in discover():
        if name in done:
            continue
        async with db.transaction():
            if dialect.name == "postgres":
                await eng.run_ddl(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
            # Another process may have applied it while we waited for the lock.
            check = await eng.run_ddl(
                f"SELECT name FROM schema_migration WHERE name = '{name}'"  # noqa: S608 - module name
            )
            if check:
                continue
            for statement in module.statements(dialect):
                await eng.run_ddl(statement)
            hook = getattr(module, "apply", None)
            if hook is not None:
                await hook(db.execute, legacy_files_dir if legacy_files_dir is not None
                           else default_legacy_files_dir())
            stamp = datetime.now(UTC).isoformat(sep=" ")
            await eng.run_ddl(
                f"INSERT INTO schema_migration (name, applied_at) VALUES ('{name}', '{stamp}')"  # noqa: S608
            )
        applied.append(name)
    return applied
