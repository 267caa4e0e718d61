"""Bodies of the documents area: filing templates and drafted filings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar.datastructures import UploadFile
from msgspec import Meta, Struct

from api.schemas.common import TEXT, Base, Id, Page

TemplateKey = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$",
                                  examples=["adjournment_application"])]
# A typed field: a plain lowercase name ("reason") or a fillable system variable
# ("court.address"); its value is text.
FieldName = Annotated[str, Meta(min_length=1, max_length=64,
                                pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")]
FieldValue = Annotated[str, Meta(max_length=20_000, pattern=TEXT)]
MAX_FIELDS = 100


class FilingCreate(Base):
    template: TemplateKey
    fields: Annotated[dict[FieldName, FieldValue], Meta(max_length=MAX_FIELDS)] = msgspec.field(
        default_factory=dict)
    hearing_id: Id | None = None
    # Which of the case's survivors the filing is about; by default the first complainant.
    survivor_id: Id | None = None
    # Fill {{ survivor.legal_name }} (roles allowed to reveal it; audited as a reveal).
    reveal_legal_name: bool = False
    # The language the filing's dates and lists are written in (BCP 47); by default the
    # office's filing language, never the drafting lawyer's.
    language: Annotated[str, Meta(min_length=2, max_length=16, examples=["en", "sw"],
                                  pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")] | None = None


@dataclass
class TemplateUpload:
    """multipart/form-data: the .docx under ``file``, plus its key and title."""

    file: UploadFile
    key: str
    title: str
    description: str = ""


class TemplateSummary(Struct):
    key: str
    version: int
    title: str
    description: str
    built_in: bool
    versions: int
    sha256: str
    size_bytes: int
    created_at: datetime | None
    uploaded_by_id: int | None


class TemplateList(Struct):
    items: list[TemplateSummary]


class TemplateVariable(Struct):
    name: str
    filled_by: Literal["system", "user"]
    required: bool
    description: str
    sample: str | list[str] | None
    user_can_supply: bool
    restricted: bool
    available_to_you: bool
    # How a drafting form asks for it: the label ("Proposed date"; a system variable's own
    # name) and whether the answer is a paragraph.
    label: str = ""
    multiline: bool = False


class TemplateRead(TemplateSummary):
    variables: list[TemplateVariable]


class FilingRead(Struct):
    id: int
    case_id: int
    version: int
    template_key: str
    template_version: int
    template_sha256: str
    template_title: str
    hearing_id: int | None
    survivor_id: int | None
    court_id: int | None
    field_names: list[str]
    legal_name_revealed: bool
    author_id: int | None
    locale: str
    drafted_on: date
    sha256: str
    size_bytes: int
    created_at: datetime
    filename: str
    download_url: str


class FilingDetail(FilingRead):
    fields: dict[str, str]


class FilingList(Page):
    items: list[FilingRead]


class TemplateProblemItem(Struct):
    field: str
    source: str
    message: str
    code: str | None = None
    where: str | None = None


class TemplateProblemDetail(Struct):
    """RFC 9457 problem details; for a refused template, ``errors`` lists every problem with
    its stable ``code`` and ``where`` it is in the document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[TemplateProblemItem] | None = None
