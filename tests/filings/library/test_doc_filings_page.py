"""The template-author documentation (docs/filings.md) matches what the system does."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document

from documents import CATALOGUE, check_template, describe_template, render_filing
from documents.sandbox import USER_FILTERS
from documents.variables import SAMPLE_CONTEXT

PAGE = Path(__file__).resolve().parents[3] / "docs" / "filings.md"


def test_page_lists_every_system_variable_and_filter() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for name in CATALOGUE:
        assert f"{{{{ {name} }}}}" in text, name
    for name in USER_FILTERS - {"d", "e"}:  # short aliases of default and escape
        assert f"`{name}`" in text, name


def test_worked_example_behaves_as_documented() -> None:
    document = Document()
    for line in (
        "IN THE {{ court.name|upper }}",
        "Case No. {{ case.court_case_number }}",
        "NOTICE OF CHANGE OF ADDRESS FOR SERVICE",
        "Take notice that from {{ effective_date|long_date }} documents for the complainant "
        "({{ survivor.code }}) should be served on {{ lawyer.name }}, {{ office.name }}, "
        "at {{ new_address }}.",
        '{{ reason|default("") }}',
        "Dated {{ today }}.",
        "{{ lawyer.name }}, Counsel for the complainant, {{ lawyer.email }}",
    ):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    template = out.getvalue()

    assert check_template(template) == []
    variables = describe_template(template)
    assert variables.required == {
        "court.name", "case.court_case_number", "survivor.code", "lawyer.name",
        "lawyer.email", "office.name", "today", "effective_date", "new_address",
    }  # fmt: skip
    assert variables.optional == {"reason"}

    context = {
        **SAMPLE_CONTEXT,
        "today": dt.date(2025, 2, 20),
        "fields": {"effective_date": "2025-03-01", "new_address": "5 Example Lane"},
    }
    paragraphs = [p.text for p in Document(io.BytesIO(render_filing(template, context))).paragraphs]
    assert paragraphs[0] == "IN THE HIGH COURT AT RIVERSIDE"
    assert paragraphs[1] == "Case No. CR E123/2024"
    assert paragraphs[3].startswith("Take notice that from 1 March 2025 documents")
    assert paragraphs[5] == "Dated 20 February 2025."


def test_placeholders_split_across_formatting_runs_still_work() -> None:
    # Word splits text into runs when formatting changes part-way through editing.
    document = Document()
    paragraph = document.add_paragraph("Court: ")
    paragraph.add_run("{{ court.")
    paragraph.add_run("name }}").bold = True
    out = io.BytesIO()
    document.save(out)
    rendered = render_filing(out.getvalue(), SAMPLE_CONTEXT)
    assert Document(io.BytesIO(rendered)).paragraphs[0].text == "Court: High Court at Riverside"
