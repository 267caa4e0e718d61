"""Opening .docx templates safely, listing their Jinja-bearing parts, and rendering them.

This is the low-level layer: it renders a ready namespace and maps every failure to the
package's own exceptions. :mod:`documents.render` adds variable checks on top.
"""

from __future__ import annotations

import io
import re
import traceback
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from babel import Locale
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from documents.errors import (
    DRY_RUN_FAILED,
    INVALID_DOCX,
    SYNTAX_ERROR,
    UNDEFINED_VARIABLE,
    UNKNOWN_FILTER,
    UNKNOWN_TEST,
    UNSAFE_ATTRIBUTE,
    UNSUPPORTED_TAG,
    RenderLimitExceeded,
    TemplateProblem,
    TemplateRejected,
)
from documents.sandbox import FilingEnvironment, RenderBudget

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
# A .docx is a zip; a tiny upload can unpack to gigabytes (zip bomb), so the unpacked
# total is checked before python-docx reads anything.
MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
# Each XML part is read whole for the checks below (and later parsed): a few MB at most.
MAX_XML_PART_BYTES = 8 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
_UNPACKS_TOO_BIG = "The file unpacks to far more than a document."
# Any DOCTYPE (an XXE attempt, or entities) breaks the escaping of every value filled in.
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# docxtpl's run / paragraph / row / cell value tags: they drop a plain value (issue 16).
_VALUE_TAG = re.compile(r"\{\{(r|p|tr|tc)\s")

# Core properties docxtpl renders (the others are not plain strings in python-docx).
RENDERED_PROPERTIES: tuple[str, ...] = (
    "author",
    "comments",
    "identifier",
    "language",
    "subject",
    "title",
)

_NOT_DOCX = (
    "This file is not a Word document (.docx). Save it from Word or LibreOffice as "
    "'Word Document (.docx)' and upload it again."
)
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def validate_docx(docx_bytes: bytes) -> list[TemplateProblem]:
    """Problems that make the bytes unusable as a .docx, before any template work."""
    problems = _validate_archive(docx_bytes)
    if problems:
        return problems
    try:
        Document(io.BytesIO(docx_bytes))
    except Exception:  # noqa: BLE001 - python-docx raises many types for a damaged file
        return [TemplateProblem(INVALID_DOCX, _NOT_DOCX)]
    return []


def _validate_archive(docx_bytes: bytes) -> list[TemplateProblem]:
    if not isinstance(docx_bytes, bytes | bytearray) or not docx_bytes:
        return [TemplateProblem(INVALID_DOCX, _NOT_DOCX)]
    if len(docx_bytes) > MAX_TEMPLATE_BYTES:
        return [
            TemplateProblem(
                INVALID_DOCX,
                f"The file is larger than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB; "
                "templates should be a few pages of text.",
            )
        ]
    try:
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return [TemplateProblem(INVALID_DOCX, _NOT_DOCX)]
            if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
                return [TemplateProblem(INVALID_DOCX, _UNPACKS_TOO_BIG)]
            return _inspect_parts(archive, infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError, zlib.error):
        # A CRC mismatch (headers that lie about a part's size) lands here too.
        return [TemplateProblem(INVALID_DOCX, _NOT_DOCX)]


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int],
               keep: bool) -> bytes | None:
    """A part's bytes, decompressed a chunk at a time and counted as they come: the headers'
    sizes are not trusted (zipfile stops at the claimed size and then checks the CRC, so a
    part that inflates beyond its header fails instead of being believed). ``None`` when the
    part or the archive is over its limit."""
    limit = MAX_XML_PART_BYTES if keep else MAX_UNCOMPRESSED_BYTES
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK_BYTES):
            size += len(chunk)
            budget[0] -= len(chunk)
            if size > limit or budget[0] < 0:
                return None
            if keep:
                chunks.append(chunk)
    return b"".join(chunks)


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"


def _inspect_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> list[TemplateProblem]:
    """Every part read once, under the limits, before any XML parser sees the archive:
    no DOCTYPE or entity, no macros, no relationship to an outside resource (other than a
    hyperlink the reader must click), no {{r}} / {{p}} value tags."""
    problems: list[TemplateProblem] = []
    budget = [MAX_UNCOMPRESSED_BYTES]
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        xml = _is_xml(name)
        data = _read_part(archive, info, budget, keep=xml)
        if data is None:
            return [TemplateProblem(INVALID_DOCX, _UNPACKS_TOO_BIG)]
        lowered = name.lower()
        if (lowered.endswith(".bin") and "vba" in lowered) or "vbadata" in lowered \
                or lowered.endswith(".bin") and "macro" in lowered:
            _add(problems, seen, "macro", TemplateProblem(
                INVALID_DOCX, "The file contains macros. Save it as 'Word Document (.docx)', "
                              "not as a macro-enabled document, and upload it again.", name))
        if not xml:
            continue
        if _DOCTYPE.search(data):
            _add(problems, seen, "doctype", TemplateProblem(
                INVALID_DOCX, "The file declares a DOCTYPE or entities, which Word documents "
                              "never need; save it again from Word or LibreOffice.", name))
            continue
        if name == "[Content_Types].xml" and b"macroenabled" in data.lower():
            _add(problems, seen, "macro", TemplateProblem(
                INVALID_DOCX, "The file is a macro-enabled document. Save it as "
                              "'Word Document (.docx)' and upload it again.", name))
        if lowered.endswith(".rels"):
            for target_type in _external_relationships(data):
                _add(problems, seen, f"external:{name}:{target_type}", TemplateProblem(
                    INVALID_DOCX,
                    "The file refers to an outside resource (" + target_type + "), which Word "
                    "would fetch from another computer each time a filing opens. Remove it "
                    "(in Word: Developer > Document Template, or File > Info > Edit Links) "
                    "and upload the file again.", name))
        if lowered.startswith("word/") and _VALUE_TAG.search(_text_of(data)):
            _add(problems, seen, f"value-tag:{name}", TemplateProblem(
                UNSUPPORTED_TAG, "Write values as {{ name }}: the {{r name }} and {{p name }} "
                                 "forms are not supported and would lose the value.",
                _part_label_of(name)))
    return problems


def _add(problems: list[TemplateProblem], seen: set[str], key: str,
         problem: TemplateProblem) -> None:
    if key not in seen:
        seen.add(key)
        problems.append(problem)


def _external_relationships(data: bytes) -> list[str]:
    # Parsed only after the DOCTYPE check, so no entity can be declared or expanded.
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - no DOCTYPE reaches this point
    except ElementTree.ParseError:
        return []
    found = []
    for rel in root:
        if rel.get("TargetMode", "").lower() != "external":
            continue
        kind = rel.get("Type", "").rsplit("/", 1)[-1] or "unknown"
        if kind != "hyperlink":
            found.append(kind)
    return found


def _text_of(data: bytes) -> str:
    # Word splits "{{r x }}" over several runs; without the markup the tag reads as typed.
    return re.sub(r"<[^>]*>", "", data.decode("utf-8", "replace"))


def _part_label_of(name: str) -> str:
    for kind in ("header", "footer", "footnotes"):
        if f"/{kind}" in name:
            return kind
    return "body"


def _part_label(part: Any) -> str:
    name = str(getattr(part, "partname", ""))
    for kind in ("header", "footer", "footnotes"):
        if f"/{kind}" in name:
            return kind
    return "body"


def _number_lines(xml: str) -> str:
    # docxtpl starts each paragraph on its own line before handing the XML to Jinja;
    # doing the same here keeps error line numbers pointing at the same paragraph.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def snippet(source: str, lineno: int | None) -> str | None:
    """The visible text of the paragraph at a Jinja line number, for error locations."""
    if not lineno:
        return None
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return None
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1])
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= 90 else text[:87] + "..."


def where(label: str, source: str, lineno: int | None) -> str:
    near = snippet(source, lineno)
    return f"{label}, near “{near}”" if near else label


class FilingTemplate(DocxTemplate):
    """docxtpl's template, with core properties rendered without XML escaping (python-docx
    escapes them itself) and with the part being rendered remembered for error messages.
    """

    current_label: str = "body"
    current_source: str = ""

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        self.current_label = _part_label(part)
        self.current_source = _number_lines(src_xml)
        return super().render_xml_part(src_xml, part, context, jinja_env)

    def render_properties(
        self, context: dict[str, Any], jinja_env: Environment | None = None
    ) -> None:
        assert jinja_env is not None  # always given by render_namespace
        core = self.docx.core_properties
        escaping = jinja_env.autoescape
        jinja_env.autoescape = False
        try:
            for prop in RENDERED_PROPERTIES:
                initial = getattr(core, prop) or ""
                if "{" not in initial:
                    continue
                self.current_label = f"document property '{prop}'"
                self.current_source = initial
                setattr(core, prop, jinja_env.from_string(initial).render(context))
        finally:
            jinja_env.autoescape = escaping

    def render_footnotes(
        self, context: dict[str, Any], jinja_env: Environment | None = None
    ) -> None:
        # docxtpl renders the footnotes once per section; a second pass would run any
        # "{{ ... }}" a user typed into a value. Each footnotes part is rendered once.
        for part in self.docx.part.package.parts:
            if part.content_type != _FOOTNOTES_TYPE:
                continue
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            xml = self.render_xml_part(self.patch_xml(blob), part, context, jinja_env)
            part._blob = xml.encode("utf-8")


def open_template(docx_bytes: bytes) -> FilingTemplate:
    # The archive checks are cheap; the document itself is parsed once, here, rather
    # than once to validate and again to render.
    problems = _validate_archive(docx_bytes)
    if problems:
        raise TemplateRejected(problems)
    template = FilingTemplate(io.BytesIO(docx_bytes))
    try:
        template.init_docx()
    except Exception:  # noqa: BLE001 - python-docx raises many types for a damaged file
        raise TemplateRejected([TemplateProblem(INVALID_DOCX, _NOT_DOCX)]) from None
    return template


@dataclass(frozen=True, slots=True)
class TemplatePart:
    label: str  # "body", "header", "footer", "footnotes", "document property 'title'"
    source: str  # the Jinja source exactly as docxtpl will see it


def template_parts(template: FilingTemplate) -> Iterator[TemplatePart]:
    yield TemplatePart("body", _number_lines(template.patch_xml(template.get_xml())))
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _rel, part in template.get_headers_footers(uri):
            xml = template.patch_xml(template.get_part_xml(part))
            yield TemplatePart(_part_label(part), _number_lines(xml))
    for part in template.docx.part.package.parts:
        if part.content_type == _FOOTNOTES_TYPE:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            yield TemplatePart("footnotes", _number_lines(template.patch_xml(blob)))
    core = template.docx.core_properties
    for prop in RENDERED_PROPERTIES:
        value = getattr(core, prop) or ""
        if value:
            yield TemplatePart(f"document property '{prop}'", value)


def _template_lineno(exc: BaseException) -> int | None:
    # Jinja rewrites tracebacks so template frames carry the template's line numbers.
    lineno = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<template>":
            lineno = line
    return lineno


def _redact(message: str, source: str) -> str:
    # Jinja quotes names in its messages ('x' is undefined). A name computed at render
    # time ({{ d[survivor.legal_name] }}) would be a value, so only names written in the
    # template itself are kept.
    return re.sub(r"'([^']*)'", lambda m: m.group(0) if m.group(1) in source else "'…'", message)


def problem_from_jinja(exc: TemplateError, label: str, source: str) -> TemplateProblem:
    """A problem for a Jinja error, naming template things and never filled-in values."""
    lineno = getattr(exc, "lineno", None) or _template_lineno(exc)
    location = where(label, source, lineno)
    message = _redact(exc.message or type(exc).__name__, source)
    if isinstance(exc, SecurityError):
        return TemplateProblem(
            UNSAFE_ATTRIBUTE,
            f"The template tries to reach something templates may not use: {message}",
            location,
        )
    if isinstance(exc, UndefinedError):
        return TemplateProblem(
            UNDEFINED_VARIABLE, f"The template uses a value that was not supplied: {message}",
            location,
        )  # fmt: skip
    if message.startswith("No filter named"):
        return TemplateProblem(UNKNOWN_FILTER, message, location)
    if message.startswith("No test named"):
        return TemplateProblem(UNKNOWN_TEST, message, location)
    if isinstance(exc, TemplateSyntaxError):
        return TemplateProblem(
            SYNTAX_ERROR,
            f"The template text has a mistake: {message}. Check that every {{{{ has its }}}}, "
            "every {% has its %}, and every {% if %} or {% for %} is closed by {% endif %} "
            "or {% endfor %}.",
            location,
        )
    return TemplateProblem(DRY_RUN_FAILED, f"The template could not be filled in: {message}",
                           location)  # fmt: skip


def render_namespace(
    docx_bytes: bytes,
    namespace: Mapping[str, Any],
    *,
    locale: Locale | str,
    time_limit_s: float,
    max_output_bytes: int,
) -> bytes:
    """Render a template with a prepared namespace inside the sandbox and its limits.

    Raises :class:`TemplateRejected` (template fault) or :class:`RenderLimitExceeded`.
    """
    budget = RenderBudget(time_limit_s, max_output_bytes)
    env = FilingEnvironment(locale=locale, budget=budget)
    template = open_template(docx_bytes)
    try:
        template.render(dict(namespace), env)
        out = io.BytesIO()
        template.save(out)
    except RenderLimitExceeded:
        raise
    except MemoryError:
        raise RenderLimitExceeded("size", "The template needed too much memory.") from None
    except RecursionError:
        raise RenderLimitExceeded(
            "recursion", "The template calls itself too many times."
        ) from None
    except TemplateError as exc:
        problem = problem_from_jinja(exc, template.current_label, template.current_source)
        raise TemplateRejected([problem]) from None
    except Exception as exc:  # noqa: BLE001 - any failure inside untrusted template code
        # str(exc) of a Python error can quote the value it choked on (a legal name,
        # say), so only the error's kind and the template location are reported.
        lineno = _template_lineno(exc)
        raise TemplateRejected(
            [
                TemplateProblem(
                    DRY_RUN_FAILED,
                    f"The template could not be filled in ({type(exc).__name__}).",
                    where(template.current_label, template.current_source, lineno),
                )
            ]
        ) from None
    data = out.getvalue()
    if len(data) > max_output_bytes:
        raise RenderLimitExceeded(
            "size",
            f"The filled-in document would be larger than the limit of {max_output_bytes} bytes.",
        )
    return data
