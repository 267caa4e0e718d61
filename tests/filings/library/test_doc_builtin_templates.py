"""The built-in templates: present, clean, and every demo value visible once rendered."""

from __future__ import annotations

import io

import pytest
from docx import Document

from documents import BUILTIN_TEMPLATES, check_template, describe_template, render_filing
from documents.demo import DEMO_FIELDS, demo_context

KEYS = [
    "adjournment_application",
    "special_measures_application",
    "victim_impact_statement",
    "identity_document_return_letter",
    "immigration_certification_request",
    "accompaniment_report",
]


def test_keys_are_stable_and_files_are_committed() -> None:
    assert list(BUILTIN_TEMPLATES) == KEYS
    for template in BUILTIN_TEMPLATES.values():
        assert template.path.is_file(), template.path
        assert template.title and template.description
    assert set(DEMO_FIELDS) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_builtin_passes_upload_checks(key: str) -> None:
    assert check_template(BUILTIN_TEMPLATES[key].read_bytes()) == []


@pytest.mark.parametrize("key", KEYS)
def test_builtin_names_court_case_parties_and_counsel(key: str) -> None:
    variables = describe_template(BUILTIN_TEMPLATES[key].read_bytes()).all
    assert {"court.name", "case.court_case_number", "lawyer.name", "today"} <= variables
    if key != "accompaniment_report":  # internal; nobody signs it as counsel
        assert {"lawyer.email", "office.name"} <= variables


@pytest.mark.parametrize("key", KEYS)
def test_builtin_renders_every_demo_value(key: str, docx_text, expected_values) -> None:
    output = render_filing(BUILTIN_TEMPLATES[key].read_bytes(), demo_context(key))
    text = docx_text(output)
    for name, values in expected_values(key).items():
        for value in values:
            assert value in text, f"{key}: {name} not shown"
    assert "{{" not in text and "{%" not in text and "}}" not in text


@pytest.mark.parametrize("key", KEYS)
def test_builtin_demo_values_in_headers_and_properties(key: str) -> None:
    output = render_filing(BUILTIN_TEMPLATES[key].read_bytes(), demo_context(key))
    document = Document(io.BytesIO(output))
    section = document.sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    footer = "\n".join(p.text for p in section.footer.paragraphs)
    assert "DEMO-KE-2024-031" in footer  # the case reference
    assert "Chief Magistrate's Court at Demoville" in header or "Demo Aftercare Kenya" in header
    assert document.core_properties.author == "Wanjiru Example Kamau"
    title = document.core_properties.title
    assert "CR E4471/2024" in title or "DEMO-KE-2024-031" in title


def test_adjournment_shows_hearing_in_court_time_and_parties_table(docx_text) -> None:
    key = "adjournment_application"
    output = render_filing(BUILTIN_TEMPLATES[key].read_bytes(), demo_context(key))
    document = Document(io.BytesIO(output))
    parties = document.tables[0]
    rows = [[cell.text for cell in row.cells] for row in parties.rows]
    assert rows == [
        ["Prosecution", "The Prosecution"],
        ["Accused 1", "Josephat Demo Mwangi"],
        ["Accused 2", "Evans Sample Otieno"],
        [
            "Applicant",
            "The complainant, identified in these proceedings as SV-2024-088, through counsel",
        ],
    ]
    text = docx_text(output)
    # 06:30 UTC is 09:30 in Nairobi, and a Kenyan court writes the day first.
    assert "testimony hearing on 11 March 2025 at 09:30 in Courtroom 3" in text
    assert "adjourned to 15 April 2025" in text
    assert "IN THE CHIEF MAGISTRATE'S COURT AT DEMOVILLE" in text
    assert "Josephat Demo Mwangi and Evans Sample Otieno" in text
    assert "Dated 24 February 2025." in text


def test_optional_fields_fall_back_to_their_default_wording(docx_text) -> None:
    key = "identity_document_return_letter"
    context = demo_context(key)
    assert "salutation" not in context["fields"]
    text = docx_text(render_filing(BUILTIN_TEMPLATES[key].read_bytes(), context))
    assert "Dear Sir or Madam," in text
    context["fields"]["salutation"] = "Dear Inspector Example"
    text = docx_text(render_filing(BUILTIN_TEMPLATES[key].read_bytes(), context))
    assert "Dear Inspector Example," in text and "Dear Sir or Madam" not in text


def test_victim_impact_statement_keeps_the_survivors_line_breaks() -> None:
    key = "victim_impact_statement"
    output = render_filing(BUILTIN_TEMPLATES[key].read_bytes(), demo_context(key))
    paragraphs = [p.text for p in Document(io.BytesIO(output)).paragraphs]
    assert DEMO_FIELDS[key]["statement"] in paragraphs


def test_pseudonymous_templates_never_need_the_legal_name() -> None:
    for key in ("adjournment_application", "special_measures_application",
                "victim_impact_statement", "accompaniment_report"):  # fmt: skip
        variables = describe_template(BUILTIN_TEMPLATES[key].read_bytes()).all
        assert "survivor.legal_name" not in variables, key
        assert "survivor.code" in variables, key


def test_committed_templates_match_the_build_script(tmp_path) -> None:
    from documents.build_templates import build_all

    for path in build_all(tmp_path):
        committed = BUILTIN_TEMPLATES[path.stem].path
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed.name} is stale: run python -m documents.build_templates"
        )
