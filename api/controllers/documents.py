"""Filing templates and drafted filings.

Templates are uploaded as multipart/form-data, so their routes sit in a router whose body
limit follows ``LEGAL_TRACKER_MAX_UPLOAD_BYTES`` (see :func:`document_routes`) rather than
the API's JSON limit.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, JSONBody, Parameter, QueryParameter

from api.controllers.common import (
    ACTOR,
    ERRORS,
    READ_ERRORS,
    CurrentActor,
    Limit,
    Offset,
    PathId,
    ProblemDetail,
    page,
)
from api.convert import read
from api.schemas.documents import (
    FilingCreate,
    FilingDetail,
    FilingList,
    FilingRead,
    TemplateList,
    TemplateProblemDetail,
    TemplateRead,
    TemplateSummary,
    TemplateUpload,
)
from documents import service as svc
from legal_tracker.settings import Settings

# Room for the form's other parts and the multipart boundaries around the file.
MULTIPART_OVERHEAD = 64 * 1024

KeyPath = Annotated[str, Parameter(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$",
                                   description="template key")]
Version = Annotated[int | None, Parameter(ge=1, le=1_000_000, description="a version (default: latest)")]


def _spec(model: type, description: str, media_type: str = "application/problem+json") -> ResponseSpec:
    return ResponseSpec(data_container=model, description=description, media_type=media_type,
                        generate_examples=False)


TEMPLATE_REJECTED = _spec(TemplateProblemDetail, "The template or the values cannot be used; "
                                                 "each problem is listed under errors")
DRAFT_ERRORS: dict[int, ResponseSpec] = {**ERRORS, 422: TEMPLATE_REJECTED}
UPLOAD_ERRORS: dict[int, ResponseSpec] = {
    **ERRORS, 422: TEMPLATE_REJECTED,
    413: _spec(ProblemDetail, "The file is larger than LEGAL_TRACKER_MAX_UPLOAD_BYTES"),
    415: _spec(ProblemDetail, "Not multipart/form-data"),
}
DOWNLOAD_ERRORS: dict[int, ResponseSpec] = {
    **READ_ERRORS,
    403: _spec(ProblemDetail, "The filing holds the survivor's legal name, which your role may not see"),
    501: _spec(ProblemDetail, "PDF asked for but LibreOffice is not installed "
                              "(Debian package libreoffice-writer-nogui)"),
    502: _spec(ProblemDetail, "LibreOffice failed to convert the filing"),
}


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _template_summary(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["uploaded_by_id"] = row.pop("uploaded_by", None)
    return row


def _filing(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["author_id"] = row.pop("author", None)
    return row


def _attachment(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    # The name is ASCII letters, digits, '-', '_' and '.' only (svc.download_name).
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


class TemplateController(Controller):
    path = "/api/templates"
    tags = ["documents"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_templates(self, actor: CurrentActor) -> TemplateList:
        """The built-in templates and the organisation's own, each at its latest version."""
        rows = await svc.list_templates(actor)
        return TemplateList(items=[read(TemplateSummary, _template_summary(r)) for r in rows])

    @post("/", responses=UPLOAD_ERRORS, status_code=201)
    async def upload_template(
        self, request: Request, actor: CurrentActor,
        data: Annotated[TemplateUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> TemplateRead:
        """Admins: upload a .docx template (a key already in use gets a new version). The
        template is checked before it is kept; every problem found is listed in one 422."""
        settings = _settings(request)
        upload = data.file
        if not hasattr(upload, "read"):
            raise HTTPException(status_code=400, detail="file: a .docx file part is required")
        content = await upload.read(settings.max_upload_bytes + 1)
        if len(content) > settings.max_upload_bytes:
            raise HTTPException(status_code=413, detail=(
                f"file: the template is larger than {settings.max_upload_bytes} bytes"))
        row = await svc.upload_template(
            actor, key=str(data.key), title=str(data.title),
            description=str(data.description or ""), filename=upload.filename,
            content_type=upload.content_type, data=content)
        return read(TemplateRead, _template_summary(row))

    @get("/{key:str}", responses=READ_ERRORS)
    async def get_template(self, actor: CurrentActor, key: KeyPath, version: Version = None) -> TemplateRead:
        """A template and each variable it uses: filled by the system from the records, or
        typed by the person drafting."""
        return read(TemplateRead, _template_summary(await svc.get_template(actor, key, version)))

    @get("/{key:str}/download", responses=READ_ERRORS, media_type=svc.DOCX_MEDIA_TYPE)
    async def download_template(self, request: Request, actor: CurrentActor, key: KeyPath,
                                version: Version = None) -> Response[bytes]:
        """The template's .docx, to copy and adapt in Word."""
        info, body = await svc.template_file(actor, key, version)
        return _attachment(body, svc.DOCX_MEDIA_TYPE, f"{info['key']}-v{info['version']}.docx")


class FilingController(Controller):
    path = "/api"
    tags = ["documents"]
    dependencies = ACTOR

    @post("/cases/{case_id:int}/filings", responses=DRAFT_ERRORS, status_code=201)
    async def create_filing(self, request: Request, actor: CurrentActor, case_id: PathId,
                            data: JSONBody[FilingCreate]) -> FilingRead:
        """Draft a filing from a template. Values come from the case, its court, the hearing
        (``hearing_id``), the case's survivor (pseudonymous code; the legal name only with
        ``reveal_legal_name`` and a role that may see it, audited), the office and you; the
        rest from ``fields``. Every missing value is named in one 422."""
        row = await svc.create_filing(
            actor, case_id, template=data.template,
            fields=dict(data.fields), hearing_id=data.hearing_id, survivor_id=data.survivor_id,
            reveal_legal_name=data.reveal_legal_name, language=data.language)
        return read(FilingRead, _filing(row))

    @get("/cases/{case_id:int}/filings", responses=READ_ERRORS)
    async def list_case_filings(
        self, actor: CurrentActor, case_id: PathId, limit: Limit = 50, offset: Offset = 0,
        template: Annotated[str | None, Parameter(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")] = None,
    ) -> FilingList:
        """The case's filings, newest first."""
        result = await svc.list_filings_for_case(actor, case_id, page(limit, offset), template)
        return FilingList(items=[read(FilingRead, _filing(r)) for r in result.items],
                          limit=result.limit, offset=result.offset, next_offset=result.next_offset)

    @get("/filings/{filing_id:int}", responses=READ_ERRORS)
    async def get_filing(self, actor: CurrentActor, filing_id: PathId) -> FilingDetail:
        """A filing's record with the values that were typed for it."""
        return read(FilingDetail, _filing(await svc.get_filing(actor, filing_id, with_fields=True)))

    @get("/filings/{filing_id:int}/download", responses=DOWNLOAD_ERRORS, media_type=svc.DOCX_MEDIA_TYPE)
    async def download_filing(
        self, request: Request, actor: CurrentActor, filing_id: PathId,
        output: Annotated[Literal["docx", "pdf"], QueryParameter(
            name="format", description="docx (default), or pdf made with LibreOffice")] = "docx",
    ) -> Response[bytes]:
        """The stored .docx, or ``?format=pdf`` for a PDF copy."""
        _, body, name = await svc.filing_document(actor, filing_id, output)
        media = svc.PDF_MEDIA_TYPE if output == "pdf" else svc.DOCX_MEDIA_TYPE
        return _attachment(body, media, name)


def document_routes(settings: Settings) -> list[Any]:
    """The documents routes, for ``create_app``: template uploads may be as large as
    ``max_upload_bytes`` (plus the form around the file)."""
    return [
        Router(path="/", route_handlers=[TemplateController],
               request_max_body_size=settings.max_upload_bytes + MULTIPART_OVERHEAD),
        FilingController,
    ]
