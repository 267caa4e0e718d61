"""LibreOffice round trip: every built-in renders, converts to PDF, and reads back.

Skipped only where LibreOffice is not installed (CI installs libreoffice-writer-nogui and
poppler-utils).
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from documents import BUILTIN_TEMPLATES, ConverterUnavailable, convert_to_pdf, render_filing
from documents.demo import demo_context
from documents.pdf import find_soffice

needs_soffice = pytest.mark.skipif(
    find_soffice() is None, reason="LibreOffice (soffice) is not installed"
)


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> tuple[str, int]:
    """The text in the order it was written (``-raw``): a table cell's wrapped lines stay
    together instead of being interleaved with the next column's."""
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.fail("poppler-utils (pdftotext, pdfinfo) must be installed with LibreOffice")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout
    pages = int(next(line for line in info.decode().splitlines() if line.startswith("Pages:"))
                .split()[1])  # fmt: skip
    return text, pages


def _flat(text: str) -> str:
    """Words joined by single spaces; a line wrapped after a hyphen ("forty-" / "five", which
    depends on the fonts installed) reads as the one word it is."""
    return " ".join(text.split()).replace("- ", "-")


@needs_soffice
def test_every_builtin_survives_libreoffice(tmp_path: Path, expected_values) -> None:
    def convert(key: str) -> tuple[str, bytes]:
        docx = render_filing(BUILTIN_TEMPLATES[key].read_bytes(), demo_context(key))
        return key, convert_to_pdf(docx)

    # In parallel on purpose: each conversion must use its own LibreOffice profile.
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(pool.map(convert, BUILTIN_TEMPLATES))

    for key, pdf in results.items():
        assert pdf.startswith(b"%PDF"), key
        text, pages = pdf_text(pdf, tmp_path, key)
        flat = _flat(text)  # PDF text wraps lines where the page does
        assert pages >= 2, f"{key} should fill at least a full page"
        for name, values in expected_values(key).items():
            for value in values:
                assert _flat(value) in flat, f"{key}: {name} missing from the PDF"
        assert "{{" not in flat and "{%" not in flat


def test_missing_libreoffice_is_reported_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConverterUnavailable) as unavailable:
        convert_to_pdf(b"irrelevant")
    assert "libreoffice-writer-nogui" in str(unavailable.value)
