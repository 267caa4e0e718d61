"""The database engine: chosen from the settings, bound to every table, opened and closed once.

Piccolo's SQLite engine opens a connection per query and never sets WAL, so we set WAL at
start (it persists in the file), pass a busy timeout to every connection, and open write
transactions as IMMEDIATE so that two writers queue instead of failing half-way with
"database is locked". On PostgreSQL a connection pool is opened and closed with the app.
"""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from legal_tracker import crypto
from legal_tracker import logs as security_logs
from legal_tracker.settings import Settings


# SQLite hands every INTEGER, BOOLEAN and TIMESTAMPTZ value of a result to a converter
# (Piccolo registers them for the declared types). Piccolo's own go through a wrapper and, for
# integers, through Decimal: on a page of 50 hearings that was more time than the queries
# themselves. These give the same values (``int(Decimal(...))`` for a stored ``1.0``, the same
# errors for text), with a direct path for the usual case.
def _int_out(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:
        return int(Decimal(value.decode("utf8")))


def _boolean_out(value: bytes) -> bool:
    return value == b"1"


def _timestamptz_out(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode("utf8")).replace(tzinfo=UTC)


sqlite3.register_converter("INTEGER", _int_out)
sqlite3.register_converter("BOOLEAN", _boolean_out)
sqlite3.register_converter("TIMESTAMPTZ", _timestamptz_out)


def update_values(values: dict[str, Any], stamps: dict[Column, Any]) -> dict[Column | str, Any]:
    """Changes by field name plus columns set alongside (``updated_at``), in the one mapping
    Piccolo's ``Table.update`` takes: ``{**values, Table.updated_at: now}`` typed for mypy,
    whose dict keys are invariant."""
    merged: dict[Column | str, Any] = {}
    merged.update(values.items())
    merged.update(stamps.items())
    return merged


# The domain core's table modules, imported (and so bound) whenever the engine is set up.
# The outer packages (``calendars``, ``documents``) import their own ``tables.py``; since
# dependencies point inwards, the core never imports them: every table class loaded in the
# process is bound, whichever package defined it.
TABLE_MODULES = [
    "legal_tracker.organisation.tables",
    "legal_tracker.cases.tables",
    "legal_tracker.accounts.tables",
    "legal_tracker.audit",
    "legal_tracker.reminders.tables",
    "legal_tracker.casework.tables",
]

SQLITE_TIMEOUT_SECONDS = 30.0

_engine: Engine | None = None


def import_table_modules() -> None:
    for name in TABLE_MODULES:
        importlib.import_module(name)


def all_tables() -> list[type[Table]]:
    import_table_modules()
    seen: list[type[Table]] = []
    stack = list(Table.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("piccolo") and cls not in seen:
            seen.append(cls)
    return seen


FILE_MODE = 0o600
DIR_MODE = 0o700


def private_file(path: Path | str) -> None:
    """Mode 0600 for a file that exists (the SQLite database, its -wal and -shm, a backup)."""
    try:
        os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:"):
        path = database_url.removeprefix("sqlite:///").removeprefix("sqlite://")
        private_sqlite_files(path)
        return SQLiteEngine(path=path, timeout=SQLITE_TIMEOUT_SECONDS)
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgresql", "postgres"}:
        raise ValueError("database URL must be sqlite:///… or postgresql://…")
    # No JIT compilation: this service runs short queries, and PostgreSQL decides to compile
    # from cost estimates that grow with the data. At a national network's size the outcome
    # report paid ~130 ms of compiling on a query that runs in less (issue 15).
    return PostgresEngine(config={"dsn": database_url, "server_settings": {"jit": "off"}})


def bind(engine: Engine) -> None:
    global _engine
    _engine = engine
    for table in all_tables():
        table._meta._db = engine


def engine() -> Engine:
    if _engine is None:
        raise RuntimeError("database not configured; call legal_tracker.db.setup first")
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def private_dir(path: Path) -> None:
    """The data directory holds names and notes in clear (SQLite) and the development key:
    created 0700, and tightened to 0700 when it is ours and open to others."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        os.chmod(path, 0o700)


def private_sqlite_files(path: str) -> None:
    """The database file 0600 before SQLite first opens it: SQLite gives its -wal and -shm
    files the database's own permissions. Files left readable by an older version are
    tightened."""
    database = Path(path)
    private_dir(database.parent)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (database, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            info = name.stat()
        except FileNotFoundError:
            continue
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            os.chmod(name, 0o600)


def enable_wal(path: str) -> None:
    # journal_mode=WAL is a property of the file, so setting it once at start is enough.
    with sqlite3.connect(path, timeout=SQLITE_TIMEOUT_SECONDS) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")


async def setup(settings: Settings, *, pool: bool = True) -> Engine:
    """Open the database named by the settings and load the field-encryption key."""
    # aiosqlite logs every statement WITH its parameters at DEBUG: names, ciphertexts, tokens'
    # digests. Whatever level the root logger is at, it must never do that here.
    security_logs.install()
    private_dir(Path(settings.data_dir))
    crypto.set_cipher(crypto.load_cipher(settings))
    eng = make_engine(settings.database_url)
    if isinstance(eng, SQLiteEngine):
        enable_wal(eng.path)
    elif pool and isinstance(eng, PostgresEngine):
        # Per process: servers × workers × this must stay under PostgreSQL's max_connections.
        await eng.start_connection_pool(min_size=1, max_size=max(1, settings.db_pool_size),
                                        reset=_keep_session)
    bind(eng)
    return eng


async def _keep_session(connection: Any) -> None:
    """What the pool runs on a connection it takes back, after asyncpg's own clean-up (which
    still rolls back any transaction left open). asyncpg's default also sends
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` — one more round
    trip for every query, doubling a list request's (issue 15). This service keeps no session
    state to undo: advisory locks are transaction-scoped (``pg_advisory_xact_lock``), cursors
    live inside transactions, and nothing LISTENs or SETs a session variable."""
    return None


async def teardown() -> None:
    global _engine
    eng = _engine
    for conn in _fast.values():
        conn.close()
    _fast.clear()
    if isinstance(eng, PostgresEngine) and eng.pool is not None:
        await eng.close_connection_pool()


def transaction() -> Any:
    """A write transaction: IMMEDIATE on SQLite (take the write lock up front, wait for it
    with the busy timeout rather than failing on upgrade), the default on PostgreSQL."""
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        return eng.transaction(transaction_type=TransactionType.immediate)
    return eng.transaction()


_fast: dict[str, sqlite3.Connection] = {}


def in_transaction() -> bool:
    """Whether this task has a transaction open (whose uncommitted rows ``fast_read``,
    on its own connection, would not see)."""
    return engine().current_transaction.get() is not None


async def fast_read(sql: str, *args: Any) -> list[dict[str, Any]]:
    """A small read for a hot path (calendar polling), with ``?`` placeholders.

    On SQLite it runs on a process-local read-only connection on the event loop's own thread:
    in WAL mode readers never wait for writers, and skipping aiosqlite's thread hop and
    connection set-up takes a sub-millisecond query from ~1 ms to ~0.1 ms. On PostgreSQL it
    is an ordinary pooled query.
    """
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        conn = _fast.get(eng.path)
        if conn is None:
            conn = sqlite3.connect(f"file:{eng.path}?mode=ro", uri=True, timeout=2.0,
                                   check_same_thread=False,
                                   detect_types=sqlite3.PARSE_DECLTYPES)
            _fast[eng.path] = conn
        cursor = conn.execute(sql, args)
        names = [d[0] for d in cursor.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        cursor.close()
        return rows
    numbered = sql
    for i in range(sql.count("?")):
        numbered = numbered.replace("?", f"${i + 1}", 1)
    return await execute_native(numbered, *args)


async def fast_query(querystring: QueryString) -> list[dict[str, Any]]:
    """A read for a hot path written as a Piccolo ``QueryString`` (``{}`` placeholders; a
    select's ``querystrings``, or SQL of one's own such as the hearing list's). Outside a
    transaction it runs on the fast read path (``fast_read``: on SQLite no aiosqlite connection
    and thread is opened for it); inside one it runs on the transaction's connection, as
    ``await query`` does, so it sees the transaction's own rows."""
    if in_transaction():
        return [dict(r) for r in await engine().run_querystring(querystring) or ()]
    eng = engine()
    sql, args = querystring.compile_string(
        engine_type="sqlite" if isinstance(eng, SQLiteEngine) else "postgres")
    if isinstance(eng, SQLiteEngine):
        return await fast_read(sql, *args)
    return await execute_native(sql, *args)


async def execute_native(sql: str, *args: Any) -> list[dict[str, Any]]:
    eng = engine()
    assert isinstance(eng, PostgresEngine)
    if eng.pool is not None:
        async with eng.pool.acquire() as conn:
            return [dict(r) for r in await conn.fetch(sql, *args)]
    conn = await eng.get_new_connection()
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


def read_transaction() -> Any:
    """Several reads on one connection and one snapshot. On SQLite this also saves opening a
    connection (and a thread) per query, which dominates small requests."""
    eng = engine()
    if isinstance(eng, SQLiteEngine):
        return eng.transaction(transaction_type=TransactionType.deferred)
    return eng.transaction()


async def execute(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL with ``{}`` placeholders (Piccolo's QueryString), inside any open transaction."""
    result = await engine().run_querystring(QueryString(sql, *args))
    return list(result or [])


def any_of(column_sql: str, ids: Any) -> Any:
    """``column IN ids`` with ONE parameter however many ids there are (asyncpg refuses more
    than 32,767 parameters, and a list that grows with the data must never become one each):
    ``= ANY($1::integer[])`` on PostgreSQL, ``IN (SELECT value FROM json_each(?))`` on SQLite.
    ``column_sql`` is trusted SQL naming the column, e.g. ``'"hearing"."id"'``."""
    from piccolo.query import WhereRaw

    values = [int(i) for i in ids]
    if is_sqlite():
        import json

        return WhereRaw(f"{column_sql} IN (SELECT value FROM json_each({{}}))", json.dumps(values))
    return WhereRaw(f"{column_sql} = ANY(CAST({{}} AS INTEGER[]))", values)


async def ping() -> bool:
    rows = await execute("SELECT 1 AS ok")
    return bool(rows) and rows[0]["ok"] == 1


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_PG_KEY = re.compile(r"Key \((.+?)\)=")


def _unique_key(exc: BaseException) -> tuple[str | None, list[str], str | None] | None:
    """``(table, columns, constraint)`` of the unique key a write broke, or None when ``exc``
    is no unique violation. Only names: the drivers' messages may carry the values."""
    if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
        match = _PG_KEY.match(getattr(exc, "detail", None) or "")
        columns = [c.strip().strip('"') for c in match.group(1).split(",")] if match else []
        return getattr(exc, "table_name", None), columns, getattr(exc, "constraint_name", None)
    if isinstance(exc, sqlite3.IntegrityError):
        match = _SQLITE_UNIQUE.search(str(exc))
        if match:
            parts = [part.strip() for part in match.group(1).split(",")]
            table = parts[-1].rsplit(".", 1)[0].strip('"') if "." in parts[-1] else None
            return table, [part.rsplit(".", 1)[-1].strip('"') for part in parts], None
        if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
            return None, [], None
    return None


def is_unique_violation(exc: BaseException) -> str | None:
    """If ``exc`` is a unique-constraint violation on either engine, the column(s) it names
    (``"document, seq"``), or the constraint's name when the columns are not given; otherwise
    None. Other integrity errors (a CHECK, NOT NULL or foreign key failing) are not unique
    violations and return None, so they are never mistaken for a lost race."""
    key = _unique_key(exc)
    if key is None:
        return None
    _table, columns, constraint = key
    return ", ".join(columns) or constraint or "unique"


def unique_violation_field(exc: BaseException) -> tuple[str, str] | None:
    """``(table, column)`` of the unique key a write broke, for naming the field in a 409. For
    a key over several columns (``office, code``) the last one is given: the column the writer
    chose, the others scope it."""
    key = _unique_key(exc)
    if key is None:
        return None
    table, columns, _constraint = key
    if not table or not columns:
        return None
    return table, columns[-1]
