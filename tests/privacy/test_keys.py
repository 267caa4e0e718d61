"""The encryption key: generated for development (0600, announced), required in production."""

from __future__ import annotations

import stat

import pytest

from legal_tracker.crypto import load_cipher
from legal_tracker.settings import Settings, SettingsError


def test_development_generates_a_private_key_once(tmp_path, caplog):
    settings = Settings(data_dir=tmp_path, database_url="sqlite:///x")
    first = load_cipher(settings)
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "generated a development key" in caplog.text
    assert load_cipher(settings).current == first.current


def test_production_refuses_to_start_without_a_key(tmp_path):
    settings = Settings(environment="production", data_dir=tmp_path, database_url="sqlite:///x")
    with pytest.raises(SettingsError, match="LEGAL_TRACKER_SECRET_KEY is required"):
        load_cipher(settings)
    assert not (tmp_path / "secret.key").exists()


def test_a_value_cannot_be_moved_to_another_column(tmp_path):
    cipher = load_cipher(Settings(data_dir=tmp_path, database_url="sqlite:///x"))
    sealed = cipher.encrypt("+254712345678", context="contact.phone")
    assert cipher.decrypt(sealed, context="contact.phone") == "+254712345678"
    with pytest.raises(Exception, match="could not be decrypted"):
        cipher.decrypt(sealed, context="survivor.legal_name")
