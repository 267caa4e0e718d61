"""``legal-tracker backup PATH`` and ``legal-tracker restore PATH`` (issue 15).

A backup is one file holding the whole installation (every record, template, filing and PDF:
nothing lives outside the database), taken while the service serves:

* SQLite: SQLite's online backup API copies a consistent snapshot page by page (a WAL reader,
  so writers carry on), into a self-contained file (rollback journal, no -wal beside it).
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot by design).

Encrypted values stay encrypted in the backup: restoring it is useless without the
installation key (``LEGAL_TRACKER_SECRET_KEY``, or ``<data dir>/secret.key`` in development),
which is never written into the backup and must be kept separately. Restore goes into an empty
data directory or an empty database only, and checks the protected values with the configured
key afterwards. Files are written mode 0600, through a temporary name and a rename.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from legal_tracker import crypto, db
from legal_tracker.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Checked:
    values: int  # protected values read back with the configured key
    unreadable: list[str]  # "table.column #id" of those that could not be


# ------------------------------------------------------------------------------ files

FILE_MODE = db.FILE_MODE
private_file = db.private_file
private_dir = db.private_dir


def _temp_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(name, FILE_MODE)
    return Path(name)


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgres"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump archive")


# ------------------------------------------------------------------------------ SQLite


def _sqlite_backup(source: Path, target: Path) -> None:
    tmp = _temp_beside(target)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=db.SQLITE_TIMEOUT_SECONDS)
        dst = sqlite3.connect(tmp)
        try:
            # One step (pages=-1): a single read transaction, so the copy is one snapshot even
            # while the service writes (in WAL mode the writers are not held up).
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal
            problem = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if problem != "ok":
            raise BackupError(f"the copy failed SQLite's check: {problem}")
        os.replace(tmp, target)
        private_file(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def _sqlite_restore(source: Path, target: Path) -> None:
    if _sqlite_has_tables(target):
        raise BackupError(f"{target} already holds a database: restore into an empty data "
                          "directory (or move the old database away first)")
    private_dir(target.parent)
    tmp = _temp_beside(target)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        try:
            problem = src.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"the backup failed SQLite's check: {problem}")
            src.backup(dst, pages=-1)
        finally:
            dst.close()
            src.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target)
        private_file(target)
        db.enable_wal(str(target))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------ PostgreSQL


def _pg_command(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (which would show in the process list) and an
    environment carrying it as PGPASSWORD."""
    parts = urlsplit(url)
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{hostport}"
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql"} else parts.scheme
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment)), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; on Debian: apt-get install postgresql-client")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _pg_backup(url: str, target: Path) -> None:
    dsn, env = _pg_command(url)
    tmp = _temp_beside(target)
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={tmp}", f"--dbname={dsn}"], env)
        os.replace(tmp, target)
        private_file(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pg_restore(url: str, source: Path) -> None:
    dsn, env = _pg_command(url)
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={dsn}", str(source)], env)


async def _pg_has_tables() -> bool:
    rows = await db.execute("SELECT count(*) AS n FROM information_schema.tables "
                            "WHERE table_schema = current_schema()")
    return rows[0]["n"] > 0


# ------------------------------------------------------------------------------ commands


def _backup_sync(settings: Settings, target: Path) -> str:
    target = target.expanduser().absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the backup file's name")
    if not settings.is_sqlite:
        _pg_backup(settings.database_url, target)
        return "postgres"
    source = settings.sqlite_path.absolute()
    if target == source or str(target).startswith(f"{source}-"):
        raise BackupError("the backup would overwrite the live database")
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    _sqlite_backup(source, target)
    return "sqlite"


async def backup(settings: Settings, target: Path) -> str:
    """Write a consistent copy of the installation's database to ``target``; the engine's name."""
    import anyio.to_thread

    return await anyio.to_thread.run_sync(_backup_sync, settings, target)


def _restore_source(settings: Settings, source: Path) -> Path:
    source = source.expanduser().absolute()
    kind = _kind_of(source)
    engine = "sqlite" if settings.is_sqlite else "postgres"
    if kind != engine:
        raise BackupError(f"{source} is a {kind} backup but LEGAL_TRACKER_DATABASE_URL names a "
                          f"{engine} database; restore it into the same kind of database")
    return source


async def restore(settings: Settings, source: Path) -> str:
    """Restore ``source`` into the configured (empty) database; the engine's name."""
    import anyio.to_thread

    source = await anyio.to_thread.run_sync(_restore_source, settings, source)
    if settings.is_sqlite:
        await anyio.to_thread.run_sync(_sqlite_restore, source, settings.sqlite_path.absolute())
        return "sqlite"
    await db.setup(settings, pool=False)
    try:
        if await _pg_has_tables():
            raise BackupError("the database named by LEGAL_TRACKER_DATABASE_URL is not empty: "
                              "create an empty one (createdb) and restore into it")
    finally:
        await db.teardown()
    await anyio.to_thread.run_sync(_pg_restore, settings.database_url, source)
    return "postgres"


async def check_protected_values(limit_per_column: int | None = None) -> Checked:
    """Decrypt the protected values (every one, or the first ``limit_per_column`` of each
    column) with the configured key: after a restore, proof that the key kept apart from the
    backup is the right one. Needs every area's tables imported (``import api.app``)."""
    from legal_tracker.key_rotation import ENCRYPTED_COLUMNS, database_columns

    present = await database_columns()
    cipher = crypto.cipher()
    count, unreadable = 0, []
    for spec in ENCRYPTED_COLUMNS:
        if spec.column not in present.get(spec.table, set()):
            continue
        limit = f" LIMIT {int(limit_per_column)}" if limit_per_column else ""
        rows = await db.execute(
            f"SELECT id, {spec.column} AS value FROM {spec.table} "  # noqa: S608 - registry names
            f"WHERE {spec.column} IS NOT NULL ORDER BY id{limit}")
        for row in rows:
            try:
                cipher.decrypt(row["value"], context=spec.context)
                count += 1
            except crypto.DecryptionError:
                unreadable.append(f"{spec.table}.{spec.column} #{row['id']}")
    return Checked(count, unreadable)
