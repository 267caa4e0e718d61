"""Where template, filing and PDF bytes live: in the database, beside their rows.

Nothing is kept on the app server's disk, so any server behind a load balancer can serve any
file, and one database backup holds everything (issue 15).

* ``template_blob``: an uploaded template's .docx, keyed by its SHA-256 (the same upload twice
  is one row) and checked against that digest when read. Templates hold no case data.
* ``filing_blob``: a drafted filing's .docx (``format = 'docx'``, version 1) and any PDF made
  from it (``format = 'pdf'``, ``version`` chosen by the caller, e.g. the converter's
  version), encrypted with the filing's own random 256-bit key (AES-GCM, the plain bytes'
  SHA-256 bound as associated data). That key is sealed with the installation key
  (:mod:`legal_tracker.crypto`) in ``filing.file_key_enc``, so the database alone reveals
  nothing and ``legal-tracker rotate-key`` only re-seals the small keys.

The writers take the caller's open transaction (``db.transaction()``): a file is written in
the same transaction as the row that points at it, so there is never a row without its file
nor a file without its row.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from legal_tracker import crypto, db
from legal_tracker.common import utcnow

_MAGIC = b"LTFILING1"
FILE_KEY_CONTEXT = "filing.file_key"
DOCX = "docx"
PDF = "pdf"


class StorageError(RuntimeError):
    """A stored file is missing or does not match its record (never user-caused)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bytes(value: Any) -> bytes:
    # asyncpg answers bytes for bytea; sqlite3 answers bytes (or memoryview) for BLOB.
    return bytes(value) if value is not None else b""


# ------------------------------------------------------------------------------ templates


async def store_template(data: bytes) -> str:
    """Keep a template's bytes (once per digest); call inside the transaction inserting its row."""
    digest = sha256_hex(data)
    await db.execute(
        "INSERT INTO template_blob (sha256, content, size_bytes, created_at) VALUES ({}, {}, {}, {}) "
        "ON CONFLICT (sha256) DO NOTHING", digest, data, len(data), utcnow())
    return digest


async def load_template(sha256: str) -> bytes:
    rows = await db.execute("SELECT content FROM template_blob WHERE sha256 = {}", sha256)
    if not rows:
        raise StorageError("a stored template is missing")
    data = _bytes(rows[0]["content"])
    if sha256_hex(data) != sha256:
        raise StorageError("a stored template does not match its digest")
    return data


# ------------------------------------------------------------------------------ filings


@dataclass(frozen=True, slots=True)
class SealedFiling:
    sha256: str  # of the plain .docx
    size_bytes: int
    stored_name: str  # the SHA-256 of the sealed bytes + ".docx.enc": an integrity check
    file_key_enc: str
    sealed: bytes


def _seal(key: bytes, data: bytes, digest: str) -> bytes:
    nonce = secrets.token_bytes(12)
    return _MAGIC + nonce + AESGCM(key).encrypt(nonce, data, digest.encode())


def _unseal(key: bytes, sealed: bytes, digest: str) -> bytes:
    if not sealed.startswith(_MAGIC):
        raise StorageError("a stored filing does not match its record")
    body = sealed[len(_MAGIC):]
    try:
        return AESGCM(key).decrypt(body[:12], body[12:], digest.encode())
    except Exception:  # noqa: BLE001 - any failure means the bytes cannot be trusted
        raise StorageError("a stored filing could not be decrypted") from None


def _file_key(file_key_enc: str) -> bytes:
    key_text = crypto.cipher().decrypt(file_key_enc, context=FILE_KEY_CONTEXT)
    assert key_text is not None
    return base64.urlsafe_b64decode(key_text)


def seal_filing(docx: bytes) -> SealedFiling:
    """Encrypt a filing with a fresh key (CPU only; call from a worker thread)."""
    digest = sha256_hex(docx)
    key = AESGCM.generate_key(bit_length=256)
    sealed = _seal(key, docx, digest)
    key_enc = crypto.cipher().encrypt(base64.urlsafe_b64encode(key).decode(), context=FILE_KEY_CONTEXT)
    assert key_enc is not None
    return SealedFiling(digest, len(docx), f"{sha256_hex(sealed)}.docx.enc", key_enc, sealed)


def open_filing(sealed: bytes, stored_name: str, file_key_enc: str, sha256: str) -> bytes:
    """The plain .docx of sealed filing bytes, checked against both digests."""
    if sha256_hex(sealed) != stored_name[:64]:
        raise StorageError("a stored filing does not match its record")
    return _unseal(_file_key(file_key_enc), sealed, sha256)


async def store_filing(filing_id: int, sealed: SealedFiling) -> None:
    """Keep a filing's sealed .docx; call inside the transaction inserting the filing row."""
    await _insert_blob(filing_id, DOCX, 1, sealed.sha256, sealed.size_bytes, sealed.sealed)


async def load_filing_sealed(filing_id: int) -> bytes:
    rows = await db.execute(
        "SELECT content FROM filing_blob WHERE filing = {} AND format = {} AND version = 1",
        filing_id, DOCX)
    if not rows:
        raise StorageError("a stored filing is missing")
    return _bytes(rows[0]["content"])


async def _insert_blob(filing_id: int, fmt: str, version: int, digest: str, size: int,
                       content: bytes) -> None:
    await db.execute(
        "INSERT INTO filing_blob (filing, format, version, sha256, size_bytes, content, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (filing, format, version) DO NOTHING",
        filing_id, fmt, version, digest, size, content, utcnow())


async def _filing_key(filing_id: int) -> bytes:
    rows = await db.execute("SELECT file_key_enc FROM filing WHERE id = {}", filing_id)
    if not rows:
        raise StorageError("no such filing")
    return _file_key(rows[0]["file_key_enc"])


async def store_pdf(filing_id: int, version: int, pdf: bytes) -> None:
    """Keep a PDF made from a filing, encrypted with the filing's own key.

    ``version`` is the caller's: a later conversion (another converter, a fixed template)
    stores a higher one. Storing the same (filing, version) twice keeps the first: two
    servers converting at once both succeed. Runs inside any open transaction.
    """
    key = await _filing_key(filing_id)
    digest = sha256_hex(pdf)
    await _insert_blob(filing_id, PDF, version, digest, len(pdf), _seal(key, pdf, digest))


async def load_pdf(filing_id: int, version: int | None = None) -> bytes | None:
    """The stored PDF of a filing at ``version`` (the highest when None), or None."""
    sql = ("SELECT b.content, b.sha256, f.file_key_enc FROM filing_blob b JOIN filing f "
           "ON f.id = b.filing WHERE b.filing = {} AND b.format = {}")
    args: list[Any] = [filing_id, PDF]
    if version is not None:
        sql += " AND b.version = {}"
        args.append(version)
    rows = await db.execute(sql + " ORDER BY b.version DESC LIMIT 1", *args)
    if not rows:
        return None
    row = rows[0]
    return _unseal(_file_key(row["file_key_enc"]), _bytes(row["content"]), row["sha256"])


async def load_latest_pdf(filing_id: int) -> tuple[bytes | None, int]:
    """The newest kept PDF of a filing and its version: ``(None, 0)`` when none was made,
    ``(None, n)`` when version ``n`` is damaged (the caller makes it again as ``n + 1``)."""
    rows = await db.execute(
        "SELECT b.content, b.sha256, b.version, f.file_key_enc FROM filing_blob b JOIN filing f "
        "ON f.id = b.filing WHERE b.filing = {} AND b.format = {} ORDER BY b.version DESC LIMIT 1",
        filing_id, PDF)
    if not rows:
        return None, 0
    row = rows[0]
    try:
        return _unseal(_file_key(row["file_key_enc"]), _bytes(row["content"]), row["sha256"]), \
            int(row["version"])
    except StorageError:
        return None, int(row["version"])
