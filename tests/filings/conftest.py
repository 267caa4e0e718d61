"""Shared by the filings tests and the template library's (``library/``, which inherits this
conftest): a case with everything a filing can draw on, built through the real API; small
.docx templates built the way an organisation would in Word; a reader for what a user sees in
a .docx; and what the demo data must show in each built-in template."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.table import Table

from documents import BUILTIN_TEMPLATES, build_context, describe_template
from documents.demo import DEMO_FIELDS, demo_context
from documents.variables import lookup

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LEGAL_NAME = "Amani Fictional Wanjiku"

# Typed ISO dates the built-ins pass through |long_date, as a Kenyan reader sees them.
DATE_FIELDS = {"proposed_date": "15 April 2025", "reply_by": "10 March 2025",
               "respond_by": "21 March 2025", "next_hearing_date": "25 March 2025"}


def _table_texts(table: Table) -> Iterator[str]:
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                yield paragraph.text
            for inner in cell.tables:
                yield from _table_texts(inner)


def docx_text(data: bytes) -> str:
    """Everything a reader sees: body, tables, every header and footer, core properties."""
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += _table_texts(table)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header,
                     section.first_page_footer, section.even_page_header, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            texts += [p.text for p in part.paragraphs]
            for table in part.tables:
                texts += _table_texts(table)
    core = document.core_properties
    texts += [core.title or "", core.subject or "", core.author or "", core.comments or ""]
    return "\n".join(texts)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


@dataclass
class Drafting:
    world: Any
    office: dict[str, Any]
    court: dict[str, Any]
    case: dict[str, Any]
    hearing: dict[str, Any]
    survivor: dict[str, Any]
    lawyer_id: int
    lawyer: dict[str, str]
    viewer: dict[str, str]
    expected: dict[str, Any] = field(default_factory=dict)

    @property
    def client(self) -> Any:
        return self.world.client

    async def draft(self, template: str, fields: dict[str, Any] | None = None,
                    headers: dict[str, str] | None = None, case_id: int | None = None,
                    **extra: Any) -> Any:
        body = {"template": template, "fields": fields or {}, **extra}
        return await self.client.post(f"/api/cases/{case_id or self.case['id']}/filings",
                                      json=body, headers=headers or self.lawyer)

    async def download(self, filing: dict[str, Any], headers: dict[str, str] | None = None,
                       **params: str) -> Any:
        return await self.client.get(filing["download_url"], params=params,
                                     headers=headers or self.lawyer)


@pytest.fixture
async def drafting(world) -> Drafting:
    office = await world.post("/api/offices", {"name": "Demo Aftercare Kenya", "country": "KE",
                                               "timezone": "Africa/Nairobi",
                                               "phone": "+254207654321"})
    court = await world.post("/api/courts", {
        "name": "Chief Magistrate's Court at Demoville", "timezone": "Africa/Nairobi",
        "address": "Law Courts Building, 12 Justice Road, Demoville", "office_id": office["id"]})
    lawyer = await world.post("/api/staff", {
        "name": "Wanjiru Example Kamau", "email": "w.kamau@demo-aftercare.example",
        "role": "lawyer", "office_id": office["id"], "phone": "+254711000111",
        "password": "correct horse battery"})
    lawyer_headers = await world.login("w.kamau@demo-aftercare.example")
    mercy, _ = await world.user("caseworker", office["id"], name="Mercy Demo Achieng")
    daniel, _ = await world.user("caseworker", office["id"], name="Daniel Sample Kiprop")
    viewer_id, viewer = await world.user("viewer", office["id"], name="Vera Viewer")
    survivor = await world.survivor(office["id"], code="SV-2031-088", legal_name=LEGAL_NAME)
    case = await world.case(
        office["id"], court["id"], reference="DEMO-KE-2031-031", court_case_number="CR E4471/2031",
        status="trial", staff_ids=[lawyer["id"], mercy, daniel, viewer_id],
        survivor_ids=[survivor["id"]],
        accused=[{"name": "Josephat Demo Mwangi"}, {"name": "Evans Sample Otieno"}])
    hearing = await world.hearing(case["id"], "2031-03-11T09:30:00+03:00", kind="testimony",
                                  courtroom="Courtroom 3", staff_ids=[mercy, daniel])
    today = dt.datetime.now(ZoneInfo("Africa/Nairobi")).date()
    expected = {
        "case.reference": "DEMO-KE-2031-031",
        "case.court_case_number": "CR E4471/2031",
        "case.status": "trial",
        "case.accused": ["Josephat Demo Mwangi", "Evans Sample Otieno"],
        "case.accused_names": "Josephat Demo Mwangi and Evans Sample Otieno",
        "court.name": "Chief Magistrate's Court at Demoville",
        "court.address": "Law Courts Building, 12 Justice Road, Demoville",
        "hearing.date": "11 March 2031",
        "hearing.time": "09:30",
        "hearing.date_time": ["11 March 2031", "09:30"],
        "hearing.kind": "testimony",
        "hearing.courtroom": "Courtroom 3",
        "hearing.accompanying_staff": "Daniel Sample Kiprop and Mercy Demo Achieng",
        "survivor.code": "SV-2031-088",
        "survivor.legal_name": LEGAL_NAME,
        "office.name": "Demo Aftercare Kenya",
        "office.phone": "+254207654321",
        "office.country": "Kenya",
        "lawyer.name": "Wanjiru Example Kamau",
        "lawyer.email": "w.kamau@demo-aftercare.example",
        "lawyer.phone": "+254711000111",
        "today": long_date(today),
    }
    return Drafting(world, office, court, case, hearing, survivor, lawyer["id"], lawyer_headers,
                    viewer, expected)


def expected_user_values(key: str) -> dict[str, list[str]]:
    out = {}
    for name, value in DEMO_FIELDS[key].items():
        out[name] = [DATE_FIELDS[name]] if name in DATE_FIELDS else [
            line for line in value.split("\n") if line.strip()]
    return out


def make_docx(body: str | Sequence[str] = (), *, table: Sequence[Sequence[str]] | None = None,
              header: str | None = None, footer: str | None = None,
              properties: Mapping[str, str] | None = None) -> bytes:
    """A small .docx written the way an organisation would in Word."""
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


def expected_values(key: str) -> dict[str, list[str]]:
    """Variable name -> the strings a reader must find in built-in template ``key`` rendered
    with the demo context (:func:`documents.demo.demo_context`)."""
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


# The same helpers as fixtures, for the template library's tests.
@pytest.fixture(name="make_docx")
def _make_docx_fixture() -> Callable[..., bytes]:
    return make_docx


@pytest.fixture(name="docx_text")
def _docx_text_fixture() -> Callable[[bytes], str]:
    return docx_text


@pytest.fixture(name="expected_values")
def _expected_values_fixture() -> Callable[[str], dict[str, list[str]]]:
    return expected_values


async def upload(client: Any, headers: dict[str, str], data: bytes, *, key: str = "change_of_address",
                 title: str = "Notice of change of address for service", filename: str = "notice.docx",
                 content_type: str = DOCX, description: str | None = None) -> Any:
    form = {"key": key, "title": title}
    if description is not None:
        form["description"] = description
    return await client.post("/api/templates", headers=headers, data=form,
                             files={"file": (filename, data, content_type)})
