"""The data directory is 0700 and the SQLite database, its WAL and the development key are
0600, whatever the umask (issue 16, files on disk): contact names and notes are stored there."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from legal_tracker import db
from legal_tracker.migrate import migrate
from legal_tracker.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


async def test_a_new_data_directory_is_private(tmp_path, open_umask) -> None:
    data = tmp_path / "data"
    settings = Settings(environment="development", data_dir=data,
                        database_url=f"sqlite:///{data / 'legal_tracker.sqlite'}")
    await db.setup(settings)
    try:
        await migrate()
        # An open connection with a write keeps the -wal and -shm files in place.
        with sqlite3.connect(data / "legal_tracker.sqlite") as conn:
            conn.execute("CREATE TABLE probe (x INTEGER)")
            conn.execute("INSERT INTO probe VALUES (1)")
            files = sorted(p.name for p in data.iterdir())
            assert {"legal_tracker.sqlite", "legal_tracker.sqlite-wal",
                    "legal_tracker.sqlite-shm", "secret.key"} <= set(files)
            assert mode(data) == 0o700
            for name in files:
                assert mode(data / name) == 0o600, name
    finally:
        await db.teardown()


async def test_files_left_readable_by_an_older_version_are_tightened(tmp_path, open_umask) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    database = data / "legal_tracker.sqlite"
    database.touch(mode=0o644)
    os.chmod(data, 0o755)  # noqa: S103 - the permissive state being repaired
    os.chmod(database, 0o644)
    settings = Settings(environment="development", data_dir=data,
                        database_url=f"sqlite:///{database}")
    await db.setup(settings)
    try:
        assert mode(data) == 0o700
        assert mode(database) == 0o600
    finally:
        await db.teardown()
