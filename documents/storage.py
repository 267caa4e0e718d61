"""Where template and filing .docx files live: plain files under ``settings.filings_path``.

* Uploaded templates: ``templates/<sha256>.docx``, named by their content (the same upload
  twice is one file) and checked against that name when read.
* Filings: encrypted at rest, each with its own random 256-bit key (AES-GCM, the document's
  SHA-256 bound as associated data). The key is sealed with the installation key
  (:mod:`legal_tracker.crypto`) and kept in the filing's row, so the disk alone reveals
  nothing and ``legal-tracker rotate-key`` only has to re-seal the small keys. The stored
  file is named by the SHA-256 of its encrypted bytes: ``<ab>/<sha256>.docx.enc``.

No part of a path ever comes from a user: names are hex digests checked by pattern.
Files are written to a temporary name and renamed into place, so a reader never sees half
a file, and rows are inserted only after their file is in place.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from legal_tracker import crypto

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_STORED = re.compile(r"^([0-9a-f]{64})\.docx\.enc$")
_MAGIC = b"LTFILING1"
FILE_KEY_CONTEXT = "filing.file_key"


class StorageError(RuntimeError):
    """A stored file is missing or does not match its record (never user-caused)."""


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------ templates


def template_path(root: Path, sha256: str) -> Path:
    if not _HEX64.match(sha256):
        raise StorageError("not a template digest")
    return root / "templates" / f"{sha256}.docx"


def store_template(root: Path, data: bytes) -> str:
    digest = sha256_hex(data)
    path = template_path(root, digest)
    if not path.exists():
        _write_atomic(path, data)
    return digest


def load_template(root: Path, sha256: str) -> bytes:
    path = template_path(root, sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StorageError("a stored template file is missing") from None
    if sha256_hex(data) != sha256:
        raise StorageError("a stored template file does not match its digest")
    return data


# ------------------------------------------------------------------------------ filings


@dataclass(frozen=True, slots=True)
class SealedFiling:
    sha256: str  # of the plain .docx
    size_bytes: int
    stored_name: str
    file_key_enc: str
    sealed: bytes


def seal_filing(docx: bytes) -> SealedFiling:
    """Encrypt a filing with a fresh key (CPU only; call from a worker thread)."""
    digest = sha256_hex(docx)
    key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(12)
    sealed = _MAGIC + nonce + AESGCM(key).encrypt(nonce, docx, digest.encode())
    key_enc = crypto.cipher().encrypt(base64.urlsafe_b64encode(key).decode(), context=FILE_KEY_CONTEXT)
    assert key_enc is not None
    return SealedFiling(digest, len(docx), f"{sha256_hex(sealed)}.docx.enc", key_enc, sealed)


def filing_path(root: Path, stored_name: str) -> Path:
    match = _STORED.match(stored_name)
    if not match:
        raise StorageError("not a stored filing name")
    return root / stored_name[:2] / stored_name


def write_filing(root: Path, sealed: SealedFiling) -> Path:
    path = filing_path(root, sealed.stored_name)
    _write_atomic(path, sealed.sealed)
    return path


def read_filing(root: Path, stored_name: str, file_key_enc: str, sha256: str) -> bytes:
    """The plain .docx of a stored filing, checked against its digests."""
    path = filing_path(root, stored_name)
    try:
        sealed = path.read_bytes()
    except FileNotFoundError:
        raise StorageError("a stored filing file is missing") from None
    if sha256_hex(sealed) != stored_name[:64] or not sealed.startswith(_MAGIC):
        raise StorageError("a stored filing file does not match its record")
    key_text = crypto.cipher().decrypt(file_key_enc, context=FILE_KEY_CONTEXT)
    assert key_text is not None
    key = base64.urlsafe_b64decode(key_text)
    body = sealed[len(_MAGIC):]
    try:
        docx = AESGCM(key).decrypt(body[:12], body[12:], sha256.encode())
    except Exception:  # noqa: BLE001 - any failure means the file cannot be trusted
        raise StorageError("a stored filing file could not be decrypted") from None
    return docx


def remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
