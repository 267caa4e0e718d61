"""The encryption key: generated for development (0600, announced), required in production,
old keys still read, values bound to their column."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from legal_tracker.crypto import DecryptionError, FieldCipher, _decode_key, generate_key, load_cipher
from legal_tracker.settings import Settings, SettingsError


def test_development_generates_a_private_key_once(tmp_path, caplog):
    settings = Settings(data_dir=tmp_path / "data", database_url="sqlite:///x")
    first = load_cipher(settings)
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "generated a development key" in caplog.text and str(key_file) in caplog.text
    assert key_file.read_text() not in caplog.text
    caplog.clear()
    assert load_cipher(settings).current == first.current
    assert "generated" not in caplog.text


def test_production_refuses_to_start_without_a_key(tmp_path):
    settings = Settings(environment="production", data_dir=tmp_path, database_url="sqlite:///x")
    with pytest.raises(SettingsError, match="LEGAL_TRACKER_SECRET_KEY is required"):
        load_cipher(settings)
    assert not (tmp_path / "secret.key").exists()
    key = generate_key()
    assert load_cipher(settings.with_overrides(secret_key=key)).current == _decode_key(key)


def test_the_service_itself_refuses_to_start_in_production_without_a_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update(LEGAL_TRACKER_ENV="production", LEGAL_TRACKER_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "legal_tracker.cli", "serve"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "LEGAL_TRACKER_SECRET_KEY is required" in result.stderr
    assert not (tmp_path / "secret.key").exists() and not (tmp_path / "legal_tracker.sqlite").exists()


def test_malformed_keys_are_refused_without_echoing_them():
    for bad in ("short", "x" * 60, "not base64 at all!!"):
        with pytest.raises(SettingsError) as caught:
            _decode_key(bad)
        assert bad not in str(caught.value)


def test_old_keys_read_and_new_values_use_the_current_key():
    old, new = _decode_key(generate_key()), _decode_key(generate_key())
    sealed = FieldCipher(old).encrypt("Amina Juma", context="survivor.legal_name")
    rotated = FieldCipher(new, (old,))
    assert rotated.decrypt(sealed, context="survivor.legal_name") == "Amina Juma"
    assert rotated.needs_rotation(sealed)
    fresh = rotated.encrypt("Amina Juma", context="survivor.legal_name")
    assert fresh.split(":")[1] == rotated.current_id and not rotated.needs_rotation(fresh)
    assert fresh != rotated.encrypt("Amina Juma", context="survivor.legal_name")  # random nonce
    with pytest.raises(DecryptionError):
        FieldCipher(new).decrypt(sealed, context="survivor.legal_name")


def test_a_value_cannot_be_moved_to_another_column_or_altered(tmp_path):
    cipher = load_cipher(Settings(data_dir=tmp_path, database_url="sqlite:///x"))
    sealed = cipher.encrypt("+254712345678", context="contact.phone")
    assert "254712345678" not in sealed
    assert cipher.decrypt(sealed, context="contact.phone") == "+254712345678"
    with pytest.raises(DecryptionError, match="could not be decrypted"):
        cipher.decrypt(sealed, context="survivor.legal_name")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, context="contact.phone")
