"""Rendering untrusted templates: exact values, no internals, bounded time and size."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from docx import Document
from lxml import etree

from documents import (
    BUILTIN_TEMPLATES,
    RenderLimitExceeded,
    TemplateRejected,
    discover_variables,
    render_filing,
)
from documents.demo import demo_context

TRICKY = {
    "symbols": "Smith & Sons <Ltd> \"quoted\" 'single' </w:t></w:r><w:r><w:t>",
    "swahili": "Wanjiru Nyambura wa Kamau – mahakama ya hakimu mkuu",
    "tagalog": "Maria Dela Cruz, Ñiño Pañares",
    "hindi": "प्रिया शर्मा",
    "thai": "สมชาย ใจดี",
    "jinja": "{{ 7*7 }} {% if true %}not code{% endif %}",
}


def test_values_come_out_exactly_as_typed(make_docx) -> None:
    names = list(TRICKY)
    template = make_docx(
        [f"{n}: {{{{ {n} }}}}" for n in names],
        table=[[n, f"{{{{ {n} }}}}"] for n in names],
        header="{{ symbols }} {{ thai }}",
        footer="{{ hindi }}",
        properties={"title": "{{ symbols }}", "subject": "{{ swahili }}"},
    )
    output = render_filing(template, {"fields": TRICKY})
    document = Document(io.BytesIO(output))
    paragraphs = [p.text for p in document.paragraphs]
    for name, value in TRICKY.items():
        assert f"{name}: {value}" in paragraphs
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cells == TRICKY
    section = document.sections[0]
    assert section.header.paragraphs[0].text == f"{TRICKY['symbols']} {TRICKY['thai']}"
    assert section.footer.paragraphs[0].text == TRICKY["hindi"]
    # Core properties are not XML text: python-docx escapes them, so no double escaping.
    assert document.core_properties.title == TRICKY["symbols"]
    assert document.core_properties.subject == TRICKY["swahili"]


def test_typed_line_breaks_are_kept_and_control_characters_dropped(make_docx) -> None:
    output = render_filing(
        make_docx("{{ statement }}"),
        {"fields": {"statement": "First line\r\nSecond line\x07\x0c\x00 end"}},
    )
    assert Document(io.BytesIO(output)).paragraphs[0].text == "First line\nSecond line end"


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ cycler.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ reason.__class__ }}",
        "{{ reason['__class__'] }}",
        "{{ case.accused.pop() }}",
        "{{ reason.format(1) }}",
        "{{ '%s' % reason }}",
    ],
)
@pytest.mark.parametrize("place", ["body", "title", "subject"])
def test_reaching_for_internals_is_refused_at_render(make_docx, hostile: str, place: str) -> None:
    if place == "body":
        template = make_docx(["{{ reason }}", hostile])
    else:
        template = make_docx("{{ reason }}", properties={place: hostile})
    context = {"case": {"accused": ["A"]}, "fields": {"reason": "because"}}
    with pytest.raises(TemplateRejected) as rejected:
        render_filing(template, context)
    assert [p.code for p in rejected.value.problems] == ["unsafe_attribute"]


def test_error_messages_never_carry_filled_in_values(make_docx) -> None:
    # A key computed from the legal name would make Jinja quote the name in its error.
    template = make_docx("{{ {}[survivor.legal_name] }}")
    context = {"survivor": {"code": "SV-1", "legal_name": "Amani Fictional Wanjiku"}}
    with pytest.raises(TemplateRejected) as rejected:
        render_filing(template, context)
    text = str(rejected.value) + repr(rejected.value.problems)
    assert "Amani" not in text
    assert rejected.value.problems[0].code == "undefined_variable"


def test_huge_loops_are_refused(make_docx) -> None:
    template = make_docx("{% for i in range(10**9) %}x{% endfor %}")
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded) as exceeded:
        render_filing(template, {})
    assert exceeded.value.limit == "loop"
    assert time.monotonic() - started < 2


def test_time_limit_stops_a_slow_template(make_docx) -> None:
    template = make_docx(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded) as exceeded:
        render_filing(template, {}, time_limit_s=0.5)
    elapsed = time.monotonic() - started
    assert exceeded.value.limit == "time"
    assert 0.5 <= elapsed < 3
    assert "0.5 seconds" in str(exceeded.value)


def test_time_limit_stops_runaway_recursion(make_docx) -> None:
    template = make_docx("{% macro grow(n) %}{{ grow(n) }}{{ grow(n) }}{% endmacro %}{{ grow(1) }}")
    with pytest.raises(RenderLimitExceeded) as exceeded:
        render_filing(template, {}, time_limit_s=0.5)
    assert exceeded.value.limit in {"time", "recursion"}


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ 'x' * 10**10 }}",
        "{{ [1] * 10**10 }}",
        "{{ 2 ** 100000 }}",
        "{{ ('x' * 900000).join(range(10000)|map('string')) }}",
        "{{ range(10000)|join('y' * 900000) }}",
        "{{ ('x' * 900000)|replace('', 'yyyy') }}",
        "{{ ('x' * 900000).replace('', 'yyyy') }}",
        "{% set s = 'x' * 600000 %}{{ s ~ s }}",
        # Lists are cheap to build but expensive to turn into text.
        "{% set s = 'x' * 900000 %}{{ [s, s] * 1000 }}",
        "{% set s = 'x' * 900000 %}{{ [s, s, s]|upper }}",
        "{% set s = 'x' * 900000 %}{{ [s, s] ~ '' }}",
        "{% set s = 'x' * 900000 %}{{ [s] + [s] }}",
        "{{ [0] * 1000000 }}",
    ],
)
def test_huge_values_are_refused_before_they_are_built(make_docx, hostile: str) -> None:
    with pytest.raises(RenderLimitExceeded) as exceeded:
        render_filing(make_docx(hostile), {}, max_output_bytes=1_000_000)
    assert exceeded.value.limit == "value"


@pytest.mark.parametrize(
    "template_text",
    [
        "{% for i in range(10000) %}{{ 'x' * 500 }}{% endfor %}",
        # Captured output counts too, though it is never printed.
        "{% set s %}{% for i in range(10000) %}{{ 'y' * 500 }}{% endfor %}{% endset %}",
        "{% for i in range(10000) %}Literal document text that repeats.{% endfor %}",
        "{% set s = 'x' * 150000 %}{{ [s, s] }}",
    ],
)
def test_output_size_limit(make_docx, template_text: str) -> None:
    template = make_docx(template_text)
    with pytest.raises(RenderLimitExceeded) as exceeded:
        render_filing(template, {}, max_output_bytes=200_000)
    assert exceeded.value.limit == "size"
    assert "200000 bytes" in str(exceeded.value)


def test_limits_leave_normal_filings_alone() -> None:
    key = "special_measures_application"
    output = render_filing(
        BUILTIN_TEMPLATES[key].read_bytes(),
        demo_context(key),
        time_limit_s=5,
        max_output_bytes=2_000_000,
    )
    assert len(output) < 2_000_000
    with pytest.raises(RenderLimitExceeded) as exceeded:
        render_filing(
            BUILTIN_TEMPLATES[key].read_bytes(), demo_context(key), max_output_bytes=20_000
        )
    assert exceeded.value.limit == "size"


def _with_footnote(docx_bytes: bytes, footnote_text: str) -> bytes:
    """Add a footnotes part (python-docx cannot create one) holding ``footnote_text``."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:id="1"><w:p><w:r>'
        f"<w:t>{footnote_text}</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
                    b"</Types>",
                )
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, data)
        target.writestr("word/footnotes.xml", footnotes)
    return out.getvalue()


def test_footnotes_are_discovered_and_rendered_once(make_docx) -> None:
    document = Document(io.BytesIO(make_docx("Section one {{ reason }}")))
    document.add_section()  # docxtpl alone would render footnotes once per section
    document.add_paragraph("Section two")
    buffer = io.BytesIO()
    document.save(buffer)
    template = _with_footnote(buffer.getvalue(), "Note: {{ footnote_text }}")
    assert discover_variables(template) == {"reason", "footnote_text"}

    value = "{{ 7*7 }} & <b>"
    output = render_filing(template, {"fields": {"reason": "r", "footnote_text": value}})
    xml = zipfile.ZipFile(io.BytesIO(output)).read("word/footnotes.xml").decode("utf-8")
    texts = "".join(
        node.text or ""
        for node in etree.fromstring(xml.encode()).iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
        )
    )
    assert texts == f"Note: {value}"
