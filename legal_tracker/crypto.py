"""Field encryption at rest and blind indexes.

Legal names, identity-document numbers and phone numbers are stored as
``v1:<key id>:<base64(nonce || AES-256-GCM ciphertext)>``. The key id lets old values be
read while a new key is in force, and lets ``legal-tracker rotate-key`` find what still needs
re-encrypting. Phone numbers must also be *found* (an inbound "STOP" names only the sender),
so they get a keyed HMAC beside the ciphertext: equal numbers give equal digests, and the
digest reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from legal_tracker.settings import Settings, SettingsError

PREFIX = "v1"


class DecryptionError(RuntimeError):
    """A stored value cannot be read with any configured key."""


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise SettingsError("secret key must be 32 bytes in URL-safe base64") from exc
    if len(raw) != 32:
        raise SettingsError("secret key must be 32 bytes in URL-safe base64")
    return raw


def key_id(raw: bytes) -> str:
    return hashlib.sha256(b"legal-tracker key id" + raw).hexdigest()[:12]


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@dataclass(frozen=True)
class FieldCipher:
    current: bytes
    old: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def _keys(self) -> dict[str, bytes]:
        keys = {key_id(k): k for k in self.old}
        keys[key_id(self.current)] = self.current
        return keys

    def encrypt(self, plaintext: str | None, *, context: str) -> str | None:
        """``context`` (e.g. ``survivor.legal_name``) is bound as associated data so a value
        cannot be moved from one column to another unnoticed."""
        if plaintext is None:
            return None
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.current).encrypt(nonce, plaintext.encode(), context.encode())
        payload = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{PREFIX}:{self.current_id}:{payload}"

    def decrypt(self, stored: str | None, *, context: str) -> str | None:
        if stored is None:
            return None
        try:
            prefix, kid, payload = stored.split(":", 2)
        except ValueError as exc:
            raise DecryptionError("stored value is not in the expected format") from exc
        key = self._keys().get(kid)
        if prefix != PREFIX or key is None:
            raise DecryptionError("no configured key can read this value")
        blob = base64.urlsafe_b64decode(payload)
        try:
            return AESGCM(key).decrypt(blob[:12], blob[12:], context.encode()).decode()
        except Exception as exc:  # noqa: BLE001 - any failure means the same to the caller
            raise DecryptionError("value could not be decrypted") from exc

    def needs_rotation(self, stored: str | None) -> bool:
        return stored is not None and not stored.startswith(f"{PREFIX}:{self.current_id}:")

    def blind_index(self, value: str, *, context: str, key: bytes | None = None) -> str:
        mac_key = hashlib.sha256(b"legal-tracker blind index" + (key or self.current)).digest()
        return hmac.new(mac_key, f"{context}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def blind_indexes(self, value: str, *, context: str) -> list[str]:
        """The index under the current key and under each old key: while ``rotate-key`` has
        not yet reached a row, its index is still the old key's, so a lookup should match
        any of these."""
        return [self.blind_index(value, context=context, key=k) for k in (self.current, *self.old)]


def load_cipher(settings: Settings, *, announce: bool = True) -> FieldCipher:
    """The key comes from the environment; in development one is generated once into the
    data directory (mode 0600) so that ``make run`` works on a fresh machine."""
    old = tuple(_decode_key(k) for k in settings.old_secret_keys)
    if settings.secret_key:
        return FieldCipher(_decode_key(settings.secret_key), old)
    if settings.is_production:
        raise SettingsError(
            "LEGAL_TRACKER_SECRET_KEY is required in production; generate one with "
            "`legal-tracker generate-key`"
        )
    path = Path(settings.data_dir) / "secret.key"
    if path.exists():
        return FieldCipher(_decode_key(path.read_text()), old)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_key())
    if announce:
        import logging

        logging.getLogger("legal_tracker").warning(
            "No LEGAL_TRACKER_SECRET_KEY set: generated a development key at %s (mode 0600). "
            "Back it up: without it the encrypted fields cannot be read.",
            path,
        )
    return FieldCipher(_decode_key(path.read_text()), old)


_cipher: FieldCipher | None = None


def set_cipher(cipher: FieldCipher) -> None:
    global _cipher
    _cipher = cipher


def cipher() -> FieldCipher:
    if _cipher is None:
        raise RuntimeError("encryption key not loaded; call legal_tracker.db.setup first")
    return _cipher
