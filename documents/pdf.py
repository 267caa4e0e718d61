"""PDF copies of filings through LibreOffice (``soffice --headless --convert-to pdf``)."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from documents import storage
from documents.errors import ConversionFailed, ConverterUnavailable
from legal_tracker import crypto

DEFAULT_PDF_TIMEOUT_S = 120.0


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx_bytes: bytes, *, timeout_s: float = DEFAULT_PDF_TIMEOUT_S) -> bytes:
    """The PDF of a .docx, made by LibreOffice in a private temporary directory.

    Each call gets its own LibreOffice user profile (``-env:UserInstallation``): two
    conversions sharing a profile make the second one exit silently without output, so
    parallel requests would fail at random. Raises :class:`ConverterUnavailable` when
    LibreOffice is not installed and :class:`ConversionFailed` when it produces nothing
    or exceeds ``timeout_s``.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ConverterUnavailable(
            "PDF conversion needs LibreOffice, which is not installed on this server. "
            "Install the Debian package libreoffice-writer-nogui "
            "(apt-get install libreoffice-writer-nogui)."
        )
    with tempfile.TemporaryDirectory(prefix="filing-pdf-") as tmp:
        workdir = Path(tmp)
        source = workdir / "filing.docx"
        source.write_bytes(docx_bytes)
        profile = workdir / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ]
        # HOME inside the temp dir: LibreOffice writes caches there even with a profile.
        env = {**os.environ, "HOME": str(workdir)}
        # A new session so a timeout can stop soffice.bin too, not only its launcher.
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=workdir,
            start_new_session=True,
        )
        try:
            process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionFailed(
                f"LibreOffice did not finish converting within {timeout_s:g} seconds."
            ) from None
        result = workdir / "filing.pdf"
        if not result.exists() or result.stat().st_size == 0:
            raise ConversionFailed(
                f"LibreOffice could not convert the document (exit code {process.returncode})."
            )
        return result.read_bytes()


# ------------------------------------------------------------------- the PDF kept per version
#
# A filing version never changes, so its PDF is made once and kept next to the .docx,
# encrypted with the filing's own file key (AES-GCM, bound to the .docx digest): the disk
# alone shows nothing, and a key rotation (which re-wraps the file key) keeps it readable.

_PDF_MAGIC = b"LTPDF1"


def _file_key(file_key_enc: str) -> bytes:
    key_text = crypto.cipher().decrypt(file_key_enc, context=storage.FILE_KEY_CONTEXT)
    assert key_text is not None
    return base64.urlsafe_b64decode(key_text)


def cached_pdf_path(root: Path, stored_name: str) -> Path:
    docx_path = storage.filing_path(root, stored_name)
    return docx_path.with_name(stored_name[:64] + ".pdf.enc")


def read_cached_pdf(root: Path, stored_name: str, file_key_enc: str, sha256: str) -> bytes | None:
    """The kept PDF of a filing version, or None (never made, or unreadable: make it again)."""
    try:
        sealed = cached_pdf_path(root, stored_name).read_bytes()
    except (FileNotFoundError, storage.StorageError):
        return None
    if not sealed.startswith(_PDF_MAGIC):
        return None
    body = sealed[len(_PDF_MAGIC):]
    try:
        return AESGCM(_file_key(file_key_enc)).decrypt(body[:12], body[12:],
                                                       f"pdf:{sha256}".encode())
    except Exception:  # noqa: BLE001 - a damaged or foreign file is simply made again
        return None


def write_cached_pdf(root: Path, stored_name: str, file_key_enc: str, sha256: str,
                     pdf: bytes) -> None:
    nonce = secrets.token_bytes(12)
    sealed = _PDF_MAGIC + nonce + AESGCM(_file_key(file_key_enc)).encrypt(
        nonce, pdf, f"pdf:{sha256}".encode())
    storage._write_atomic(cached_pdf_path(root, stored_name), sealed)  # noqa: SLF001 - same package
