"""Discovering a template's variables, the catalogue, the context and what is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from documents import (
    BUILTIN_TEMPLATES,
    CATALOGUE,
    InvalidFields,
    MissingVariables,
    build_context,
    describe_template,
    discover_variables,
    is_user_field_name,
    missing_variables,
    render_filing,
)
from documents.demo import demo_context


def test_variables_are_found_in_body_tables_headers_footers_and_properties(make_docx) -> None:
    template = make_docx(
        ["Court: {{ court.name }}", "{% for name in case.accused %}{{ name }}{% endfor %}"],
        table=[["Reason", "{{ reason }}"], ["Date", "{{ hearing.date }}"]],
        header="{{ case.court_case_number }}",
        footer="{{ office.name }}",
        properties={"title": "Filing {{ case.reference }}", "subject": "{{ subject_line }}"},
    )
    assert discover_variables(template) == {
        "court.name",
        "case.accused",
        "reason",
        "hearing.date",
        "case.court_case_number",
        "office.name",
        "case.reference",
        "subject_line",
    }


def test_loop_and_set_variables_and_method_calls_are_not_variables(make_docx) -> None:
    template = make_docx(
        "{% set greeting = 'Hello' %}{{ greeting }} "
        "{% for person in case.accused %}{{ loop.index }}{{ person.upper() }}{% endfor %}"
        "{{ reason.strip() }} {{ range(3)|list|length }}"
    )
    assert discover_variables(template) == {"case.accused", "reason"}


def test_default_and_is_defined_make_a_variable_optional(make_docx) -> None:
    template = make_docx(
        [
            "{{ reason }}",
            '{{ prosecution|default("The State") }}',
            "{% if notes is defined %}{{ notes }}{% endif %}",
        ]
    )
    variables = describe_template(template)
    assert variables.required == {"reason"}
    assert variables.optional == {"prosecution", "notes"}


def test_catalogue_describes_every_system_variable_with_a_sample() -> None:
    assert {
        "case.reference", "case.court_case_number", "case.status", "case.accused",
        "court.name", "court.address", "hearing.date", "hearing.time", "hearing.kind",
        "hearing.courtroom", "survivor.code", "survivor.legal_name", "office.name",
        "office.phone", "office.country", "lawyer.name", "lawyer.email", "today",
    } <= set(CATALOGUE)  # fmt: skip
    for name, variable in CATALOGUE.items():
        assert variable.name == name
        assert variable.description
        assert variable.sample
    assert CATALOGUE["survivor.legal_name"].restricted
    assert not CATALOGUE["survivor.legal_name"].user_can_supply
    assert CATALOGUE["hearing.date"].sample == "4 March 2025"


def test_user_field_names_are_plain_lowercase_and_not_reserved() -> None:
    assert is_user_field_name("reason")
    assert is_user_field_name("next_hearing_date2")
    for bad in ("Reason", "case", "today", "range", "2nd", "_x", "a-b", "a.b", "x" * 65):
        assert not is_user_field_name(bad), bad


def test_build_context_words_dates_and_times_for_the_court_and_locale() -> None:
    context = demo_context("adjournment_application")
    namespace = build_context(context)
    assert namespace["hearing"]["date"] == "11 March 2025"
    assert namespace["hearing"]["time"] == "09:30"
    assert namespace["today"] == "24 February 2025"
    assert namespace["case"]["accused_names"] == "Josephat Demo Mwangi and Evans Sample Otieno"
    assert namespace["office"]["country"] == "Kenya"
    assert namespace["reason"] == context["fields"]["reason"]

    swahili = build_context({**context, "locale": "sw"})
    assert swahili["hearing"]["date"] == "11 Machi 2025"
    assert swahili["case"]["accused_names"] == "Josephat Demo Mwangi na Evans Sample Otieno"

    no_country = build_context({"hearing": context["hearing"], "today": dt.date(2025, 1, 2)})
    assert no_country["today"] == "January 2, 2025"  # plain English when nothing else is known
    assert no_country["hearing"]["time"] == "6:30\u202fAM"  # no zone known: shown as given


def test_naive_hearing_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_context({"hearing": {"starts_at": dt.datetime(2025, 3, 1, 9, 0)}})


def test_typed_fields_fill_gaps_but_never_replace_records() -> None:
    context = demo_context("adjournment_application")
    context["court"] = {"name": "Recorded Court"}
    context["fields"] = {"court.address": "Typed Address", "court.name": "Typed Court"}
    namespace = build_context(context)
    assert namespace["court"]["address"] == "Typed Address"
    assert namespace["court"]["name"] == "Recorded Court"


def test_refused_field_names_and_values_are_named() -> None:
    with pytest.raises(InvalidFields) as refused:
        build_context(
            {"fields": {"Reason": "x", "case": "y", "survivor.legal_name": "Secret Name"}}
        )
    assert refused.value.names == ["Reason", "case", "survivor.legal_name"]
    assert "Secret Name" not in str(refused.value)
    with pytest.raises(InvalidFields) as refused:
        build_context({"fields": {"reason": {"nested": "dict"}}})
    assert refused.value.names == ["reason"]


def test_missing_variables_names_each_absent_or_blank_value() -> None:
    template = BUILTIN_TEMPLATES["adjournment_application"].read_bytes()
    variables = describe_template(template)
    context = demo_context("adjournment_application")
    assert missing_variables(variables.required, context) == []

    context["fields"] = {"reason": "   ", "prosecution": "The State"}  # blank reason
    context["hearing"] = {}
    context["lawyer"] = {"name": "Wanjiru Example Kamau"}
    missing = missing_variables(variables.required, context, optional=variables.optional)
    assert missing == [
        "hearing.courtroom",
        "hearing.date",
        "hearing.date_time",
        "hearing.kind",
        "hearing.time",
        "lawyer.email",
        "proposed_date",
        "reason",
    ]


def test_render_refuses_missing_values_naming_each_and_no_values() -> None:
    template = BUILTIN_TEMPLATES["identity_document_return_letter"].read_bytes()
    context = demo_context("identity_document_return_letter")
    # A caseworker may not reveal the legal name: the integration leaves it out.
    context["survivor"] = {"code": "SV-2024-088"}
    del context["fields"]["purpose"]
    with pytest.raises(MissingVariables) as missing:
        render_filing(template, context)
    assert missing.value.names == ["purpose", "survivor.legal_name"]
    assert str(missing.value) == "Missing values for: purpose, survivor.legal_name"
    assert "SV-2024-088" not in str(missing.value)
