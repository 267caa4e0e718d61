"""A key that cannot read the stored data stops the start with a clear message, instead of
answering 500 on contacts, reveals and filing downloads (issue 16 item 20); in development
the key file follows a rotation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from legal_tracker import crypto, db
from legal_tracker.crypto import FieldCipher, _decode_key, generate_key
from legal_tracker.key_rotation import check_keys_can_read
from legal_tracker.settings import SettingsError
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


async def test_a_key_that_cannot_read_the_data_is_refused(world, database):
    office = await world.post("/api/offices", {"name": "Key office", "country": "KE",
                                               "timezone": "Africa/Nairobi"})
    await world.survivor(office["id"], legal_name="Amina Wanjiru")
    await check_keys_can_read()  # the configured key reads everything
    old = crypto.cipher()
    other = generate_key()
    try:
        crypto.set_cipher(FieldCipher(_decode_key(other)))
        with pytest.raises(SettingsError) as refused:
            await check_keys_can_read()
        message = str(refused.value)
        assert "survivor.legal_name_enc" in message and "LEGAL_TRACKER_SECRET_KEY" in message
        assert "Amina" not in message
        # Mid-rotation: the new key with the old one listed as old reads everything.
        crypto.set_cipher(FieldCipher(_decode_key(other), (old.current,)))
        await check_keys_can_read()
    finally:
        crypto.set_cipher(old)
    # The application itself refuses to start with the wrong key.
    app = create_app(database.with_overrides(secret_key=other), manage_database=True)
    engine = db.engine()  # the start binds an engine of its own; the fixture's is put back
    try:
        with pytest.raises(BaseException) as stopped:  # noqa: PT011 - wrapped by a task group
            async with AsyncTestClient(app):
                pass
    finally:
        db.bind(engine)
        crypto.set_cipher(old)
    errors = list(getattr(stopped.value, "exceptions", [stopped.value]))
    assert any(isinstance(e, SettingsError) and "cannot read data" in str(e) for e in errors)


def test_rotate_key_in_development_makes_the_key_file_follow(tmp_path):
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update({"LEGAL_TRACKER_DATA_DIR": str(data), "LEGAL_TRACKER_ENV": "development",
                "LEGAL_TRACKER_DATABASE_URL": f"sqlite:///{data / 'db.sqlite'}"})
    data.mkdir()
    (data / "secret.key").write_text(TEST_KEY)
    new = generate_key()
    done = subprocess.run(
        [sys.executable, "-m", "legal_tracker.cli", "rotate-key"], cwd=ROOT, capture_output=True,
        text=True, timeout=120,
        env={**env, "LEGAL_TRACKER_SECRET_KEY": new, "LEGAL_TRACKER_OLD_SECRET_KEYS": TEST_KEY})
    assert done.returncode == 0, done.stderr[-2000:]
    assert (data / "secret.key").read_text() == new
    assert (data / "secret.key").stat().st_mode & 0o777 == 0o600
