"""Helpers for the documents tests: build small .docx templates and read back what a user
would see in a rendered document."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence

import pytest
from docx import Document
from docx.table import Table

from documents import BUILTIN_TEMPLATES, build_context, describe_template
from documents.demo import demo_context
from documents.variables import lookup


def _build_docx(
    body: str | Sequence[str] = (),
    *,
    table: Sequence[Sequence[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
    properties: Mapping[str, str] | None = None,
) -> bytes:
    document = Document()
    for line in [body] if isinstance(body, str) else body:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    for name, value in (properties or {}).items():
        setattr(document.core_properties, name, value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table_texts(table: Table) -> Iterator[str]:
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                yield paragraph.text
            for inner in cell.tables:
                yield from _table_texts(inner)


def _docx_text(docx_bytes: bytes) -> str:
    """Everything a reader sees: body, tables, every header and footer, core properties."""
    document = Document(io.BytesIO(docx_bytes))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += _table_texts(table)
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if part.is_linked_to_previous:
                continue
            texts += [p.text for p in part.paragraphs]
            for table in part.tables:
                texts += _table_texts(table)
    core = document.core_properties
    texts += [core.title or "", core.subject or "", core.author or "", core.comments or ""]
    return "\n".join(texts)


# Typed ISO dates the templates pass through |long_date, as a Kenyan reader sees them.
DATE_FIELDS = {
    "proposed_date": "15 April 2025",
    "reply_by": "10 March 2025",
    "respond_by": "21 March 2025",
    "next_hearing_date": "25 March 2025",
}


def _expected_values(key: str) -> dict[str, list[str]]:
    """Variable name -> the strings a reader must find in the rendered filing."""
    namespace = build_context(demo_context(key))
    variables = describe_template(BUILTIN_TEMPLATES[key].read_bytes())
    expected: dict[str, list[str]] = {}
    for name in sorted(variables.all):
        if name in DATE_FIELDS:
            expected[name] = [DATE_FIELDS[name]]
            continue
        value = lookup(namespace, name)
        if value is None and name in variables.optional:
            continue  # the template's default wording is used instead
        assert value is not None, f"demo data lacks {name}"
        expected[name] = list(value) if isinstance(value, list) else [value]
    return expected


@pytest.fixture
def expected_values() -> Callable[[str], dict[str, list[str]]]:
    return _expected_values


@pytest.fixture
def make_docx() -> Callable[..., bytes]:
    return _build_docx


@pytest.fixture
def docx_text() -> Callable[[bytes], str]:
    return _docx_text
