"""check_template: every reason an uploaded template is refused, each named and located."""

from __future__ import annotations

import io
import zipfile

from documents import check_template


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_a_good_template_has_no_problems(make_docx) -> None:
    template = make_docx(
        ["{{ court.name }} {{ case.court_case_number }}", "{{ reason }} {{ when|long_date }}"]
    )
    assert check_template(template) == []


def test_not_a_docx() -> None:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    for data in (b"", b"%PDF-1.7 not a word file", zipped.getvalue()):
        problems = check_template(data)
        assert codes(problems) == ["invalid_docx"]
        assert "not a Word document" in problems[0].message


def test_syntax_errors_say_where_in_every_part(make_docx) -> None:
    template = make_docx(
        ["Fine {{ court.name }}", "Broken {% if reason %} never closed"],
        header="Header {{ case.reference",
    )
    problems = check_template(template)
    assert codes(problems) == ["syntax_error", "syntax_error"]
    body, header = problems
    assert body.where.startswith("body") and "never closed" in body.where
    assert "endif" in body.message
    assert header.where.startswith("header") and "Header {{ case.reference" in header.where


def test_unknown_variables_are_named_with_what_is_available(make_docx) -> None:
    problems = check_template(
        make_docx(["{{ case.defendant }}", "{{ Reason }}", "{{ today.year }}", "{{ reason }}"])
    )
    assert codes(problems) == ["unknown_variable"] * 3
    by_name = {p.message.split("'")[1]: p for p in problems}
    assert set(by_name) == {"case.defendant", "Reason", "today.year"}
    assert "case.court_case_number" in by_name["case.defendant"].message
    assert "lowercase" in by_name["Reason"].message
    assert "{{ case.defendant }}" in by_name["case.defendant"].where


def test_unknown_filters_and_tests(make_docx) -> None:
    problems = check_template(
        make_docx(["{{ reason|center(80) }}", "{{ reason|safe }}", "{{ 1 if reason is odd2 }}"])
    )
    assert codes(problems) == ["unknown_filter", "unknown_filter", "unknown_test"]
    assert "'center'" in problems[0].message and "long_date" in problems[0].message
    assert "'safe'" in problems[1].message
    assert "'odd2'" in problems[2].message


def test_include_and_import_are_refused(make_docx) -> None:
    problems = check_template(make_docx(["{% include 'other.docx' %}", "{{ reason }}"]))
    assert codes(problems) == ["unsupported_tag"]


def test_reaching_for_internals_is_refused_in_body_and_properties(make_docx) -> None:
    body = check_template(make_docx("{{ cycler.__init__.__globals__ }}"))
    assert codes(body) == ["unsafe_attribute"]
    assert "'__globals__'" in body[0].message and body[0].where.startswith("body")

    title = check_template(
        make_docx("{{ reason }}", properties={"title": "{{ cycler.__init__.__globals__ }}"})
    )
    assert codes(title) == ["unsafe_attribute"]
    assert title[0].where.startswith("document property 'title'")

    subject = check_template(
        make_docx("{{ reason }}", properties={"subject": "{{ case.accused.pop() }}"})
    )
    assert codes(subject) == ["unsafe_attribute"]  # caught by the sandbox in the dry run


def test_dry_run_catches_what_only_running_shows(make_docx) -> None:
    problems = check_template(make_docx("{{ reason + 1 }}"))
    assert codes(problems) == ["dry_run_failed"]
    assert "TypeError" in problems[0].message and "{{ reason + 1 }}" in problems[0].where


def test_dry_run_catches_hostile_loops_and_sizes(make_docx) -> None:
    loop = check_template(make_docx("{% for i in range(10**9) %}x{% endfor %}"))
    assert codes(loop) == ["limit_exceeded"]
    assert "10000 items" in loop[0].message

    huge = check_template(make_docx("{{ 'x' * 10**10 }}"))
    assert codes(huge) == ["limit_exceeded"]

    slow = check_template(
        make_docx("{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}"),
        time_limit_s=0.3,
    )
    assert codes(slow) == ["limit_exceeded"]
    assert "0.3 seconds" in slow[0].message


def test_every_reason_is_returned_together(make_docx) -> None:
    template = make_docx(
        ["{{ case.nope }}", "{{ reason|center }}", "{{ ''.__class__ }}", "{% import 'x' as y %}"],
        footer="{{ broken",
    )
    assert sorted(codes(check_template(template))) == [
        "syntax_error",
        "unknown_filter",
        "unknown_variable",
        "unsafe_attribute",
        "unsupported_tag",
    ]
