"""PDF copies of filings through LibreOffice (``soffice --headless --convert-to pdf``)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from documents.errors import ConversionFailed, ConverterUnavailable

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


# The PDF kept per filing version lives in the database with the .docx: documents.storage
# (store_pdf, load_pdf), encrypted with the filing's own key.
