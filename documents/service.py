"""Templates and filings: the database half of drafting filings from templates.

Plain async functions taking an :class:`~legal_tracker.access.Actor`; nothing here knows
HTTP. Rendering is CPU-bound and runs in a worker thread. Need-to-know: everything under a
case goes through :func:`legal_tracker.cases.cases.fetch_case`.

Templates
    The six built-ins (version 1, never replaced) plus the organisation's uploads. An upload
    may not take a built-in key; uploading an existing key adds version N+1, never
    overwrites. Each filing records the key, version and SHA-256 of the template it used.

Filings
    Versioned per case and template key: drafting again adds a version. The row keeps the
    ids of the records used (case, hearing, survivor, court, author), the typed fields
    (encrypted) and whether the survivor's legal name was revealed; never the legal name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import anyio.to_thread

from documents import storage
from documents.analysis import check_template, describe_template
from documents.builtin import BUILTIN_TEMPLATES
from documents.errors import INVALID_DOCX, TemplateProblem, TemplateRejected
from documents.pdf import convert_to_pdf
from documents.render import render_filing
from documents.sandbox import DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIME_LIMIT_S
from documents.tables import FIELDS_CONTEXT, Filing, FilingTemplate
from documents.variables import (
    CATALOGUE,
    CourtData,
    FilingContext,
    LawyerData,
    OfficeData,
    SurvivorData,
    context_locale,
    field_guide,
)
from legal_tracker import audit, crypto, db
from legal_tracker.access import Actor, require_admin, require_write
from legal_tracker.cases.cases import fetch_case
from legal_tracker.cases.tables import Accused, CaseSurvivor, Hearing, HearingStaff
from legal_tracker.casework.timeline import register_timeline_source
from legal_tracker.common import PageRequest, check_id, page_of, utcnow
from legal_tracker.errors import FieldProblem, Forbidden, Invalid, NotFound
from legal_tracker.organisation.tables import Court, Office, Staff

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"
TEMPLATE_KEY_PATTERN = r"^[a-z][a-z0-9_]{2,63}$"
_TEMPLATE_KEY = re.compile(TEMPLATE_KEY_PATTERN)
# What browsers and HTTP clients send for a .docx; .doc, .docm, PDF and the like are refused.
ACCEPTED_UPLOAD_TYPES = frozenset({
    DOCX_MEDIA_TYPE, "application/octet-stream", "application/zip", "application/x-zip-compressed",
})
MAX_VERSION_RETRIES = 5
# LibreOffice is heavy: a few conversions at a time, the rest wait their turn.
_PDF_LIMITER: anyio.CapacityLimiter | None = None


def _pdf_limiter() -> anyio.CapacityLimiter:
    global _PDF_LIMITER
    if _PDF_LIMITER is None:
        _PDF_LIMITER = anyio.CapacityLimiter(2)
    return _PDF_LIMITER


# Rendering a template (a filing, or an upload's dry run) is CPU work in a worker thread;
# a few at a time, so runaway templates cannot take every thread and slow every request.
RENDER_CONCURRENCY = 2
_RENDER_LIMITER: anyio.CapacityLimiter | None = None


def _render_limiter() -> anyio.CapacityLimiter:
    global _RENDER_LIMITER
    if _RENDER_LIMITER is None:
        _RENDER_LIMITER = anyio.CapacityLimiter(RENDER_CONCURRENCY)
    return _RENDER_LIMITER


# ---------------------------------------------------------------------------- templates


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    key: str
    version: int
    title: str
    description: str
    built_in: bool
    sha256: str
    size_bytes: int
    versions: int
    required: frozenset[str]
    optional: frozenset[str]
    created_at: dt.datetime | None = None
    uploaded_by: int | None = None

    def summary(self) -> dict[str, Any]:
        return {"key": self.key, "version": self.version, "title": self.title,
                "description": self.description, "built_in": self.built_in,
                "versions": self.versions, "sha256": self.sha256, "size_bytes": self.size_bytes,
                "created_at": self.created_at, "uploaded_by": self.uploaded_by}


_BUILTIN_CACHE: dict[str, tuple[TemplateInfo, bytes]] = {}


def _builtin(key: str) -> tuple[TemplateInfo, bytes]:
    cached = _BUILTIN_CACHE.get(key)
    if cached is None:
        spec = BUILTIN_TEMPLATES[key]
        data = spec.read_bytes()
        variables = describe_template(data)
        info = TemplateInfo(key, 1, spec.title, spec.description, True, storage.sha256_hex(data),
                            len(data), 1, variables.required, variables.optional)
        cached = _BUILTIN_CACHE[key] = (info, data)
    return cached


def _uploaded_info(row: dict[str, Any], versions: int) -> TemplateInfo:
    return TemplateInfo(
        row["template_key"], row["version"], row["title"], row["description"], False,
        row["sha256"], row["size_bytes"], versions, frozenset(_json_list(row["required"])),
        frozenset(_json_list(row["optional"])), row["created_at"], row["uploaded_by"])


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


async def list_templates(actor: Actor) -> list[dict[str, Any]]:
    """Built-ins first, then the organisation's templates, each at its latest version."""
    out = [_builtin(key)[0].summary() for key in sorted(BUILTIN_TEMPLATES)]
    rows = await FilingTemplate.select().order_by(FilingTemplate.template_key).order_by(
        FilingTemplate.version, ascending=False)
    counts: dict[str, int] = {}
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        counts[row["template_key"]] = counts.get(row["template_key"], 0) + 1
        latest.setdefault(row["template_key"], row)
    out += [_uploaded_info(row, counts[key]).summary() for key, row in latest.items()]
    return out


async def _template(key: str, version: int | None = None) -> TemplateInfo:
    if key in BUILTIN_TEMPLATES:
        if version not in (None, 1):
            raise NotFound("template version")
        return _builtin(key)[0]
    if not _TEMPLATE_KEY.match(key):
        raise NotFound("template")
    rows = await FilingTemplate.select().where(FilingTemplate.template_key == key).order_by(
        FilingTemplate.version, ascending=False)
    if not rows:
        raise NotFound("template")
    if version is None:
        return _uploaded_info(rows[0], len(rows))
    for row in rows:
        if row["version"] == version:
            return _uploaded_info(row, len(rows))
    raise NotFound("template version")


async def _template_bytes(info: TemplateInfo) -> bytes:
    if info.built_in:
        return _builtin(info.key)[1]
    return await storage.load_template(info.sha256)


def template_variables(actor: Actor, info: TemplateInfo) -> list[dict[str, Any]]:
    """Each variable the template uses: who fills it, whether it is required, what it is; a
    typed field also has a ``label``, a ``sample`` and whether it is a paragraph
    (``multiline``), from :func:`documents.variables.field_guide`."""
    out = []
    for name in sorted(info.required | info.optional):
        system = CATALOGUE.get(name)
        if system is not None:
            out.append({
                "name": name, "filled_by": "system", "required": name in info.required,
                "label": name, "multiline": False, "description": system.description, "sample": system.sample,
                "user_can_supply": system.user_can_supply, "restricted": system.restricted,
                # The legal name is only ever filled for roles that may reveal it, on request.
                "available_to_you": actor.can_reveal if system.restricted else True,
            })
        else:
            guide = field_guide(name)
            out.append({
                "name": name, "filled_by": "user", "required": name in info.required,
                "label": guide.label, "multiline": guide.multiline,
                "description": guide.description
                               + ("" if name in info.required else " (optional: the template has "
                                                                    "wording for when it is left out)"),
                "sample": guide.sample, "user_can_supply": True, "restricted": False,
                "available_to_you": True,
            })
    return out


async def get_template(actor: Actor, key: str, version: int | None = None) -> dict[str, Any]:
    info = await _template(key, version)
    return {**info.summary(), "variables": template_variables(actor, info)}


async def template_file(actor: Actor, key: str,
                        version: int | None = None) -> tuple[dict[str, Any], bytes]:
    """A template's .docx, for an organisation to copy and adapt."""
    info = await _template(key, version)
    return info.summary(), await _template_bytes(info)


def _upload_problems(filename: str | None, content_type: str | None) -> list[TemplateProblem]:
    problems = []
    name = (filename or "").strip()
    if not name.lower().endswith(".docx"):
        problems.append(TemplateProblem(
            INVALID_DOCX, "The file name must end in .docx (a Word document, not .doc, .docm or "
                          ".pdf).", "upload: file name"))
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in ACCEPTED_UPLOAD_TYPES:
        problems.append(TemplateProblem(
            INVALID_DOCX, f"The file was sent as {media[:80]}; a template must be a Word document "
                          f"({DOCX_MEDIA_TYPE}).", "upload: content type"))
    return problems


async def upload_template(actor: Actor, *, key: str, title: str, description: str,
                          filename: str | None, content_type: str | None,
                          data: bytes) -> dict[str, Any]:
    """Check and store a new template, or a new version of an organisation's template."""
    require_admin(actor)
    problems: list[Any] = []
    if not _TEMPLATE_KEY.match(key):
        problems.append(("key", "must be 3 to 64 lowercase letters, digits or underscores, "
                                "starting with a letter"))
    elif key in BUILTIN_TEMPLATES:
        problems.append(("key", "is the key of a built-in template, which cannot be replaced; "
                                "choose another key for your version"))
    if not title.strip() or len(title) > 200 or "\x00" in title:
        problems.append(("title", "must be 1 to 200 characters"))
    if len(description) > 2000 or "\x00" in description:
        problems.append(("description", "must be at most 2000 characters"))
    if problems:
        raise Invalid(problems=[FieldProblem(f, m) for f, m in problems])
    rejected = _upload_problems(filename, content_type)
    rejected += await anyio.to_thread.run_sync(check_template, data, limiter=_render_limiter())
    if rejected:
        raise TemplateRejected(rejected)
    variables = await anyio.to_thread.run_sync(describe_template, data, limiter=_render_limiter())
    for attempt in range(MAX_VERSION_RETRIES):
        try:
            async with db.transaction():
                top = await FilingTemplate.select(FilingTemplate.version).where(
                    FilingTemplate.template_key == key).order_by(
                    FilingTemplate.version, ascending=False).first()
                version = (top["version"] if top else 0) + 1
                digest = await storage.store_template(data)  # in the row's transaction
                rows = await FilingTemplate.insert(FilingTemplate(
                    template_key=key, version=version, title=title.strip(),
                    description=description.strip(), sha256=digest, size_bytes=len(data),
                    required=json.dumps(sorted(variables.required)),
                    optional=json.dumps(sorted(variables.optional)),
                    uploaded_by=actor.staff_id if actor.staff_id > 0 else None,
                    created_at=utcnow(),
                )).returning(FilingTemplate.id)
                await audit.record(actor.staff_id, "create", "filing_template", rows[0]["id"],
                                   office_id=actor.office_id,
                                   detail={"key": key, "version": version})
            break
        except Exception as exc:
            if attempt + 1 < MAX_VERSION_RETRIES and db.is_unique_violation(exc) is not None:
                continue  # another upload of this key took the number; take the next one
            raise
    return await get_template(actor, key, version)


# ---------------------------------------------------------------------------- filings

FILING_COLUMNS = (
    Filing.id, Filing.case, Filing.version, Filing.template_key, Filing.template_version,
    Filing.template_sha256, Filing.template_title, Filing.hearing, Filing.survivor, Filing.court,
    Filing.field_names, Filing.legal_name_revealed, Filing.author, Filing.locale,
    Filing.drafted_on, Filing.sha256, Filing.size_bytes, Filing.created_at,
    Filing.case.reference.as_alias("case_reference"),
)


def download_name(template_key: str, case_reference: str, version: int, extension: str) -> str:
    """``{template-key}-{case-reference-slug}-v{n}.docx``: ASCII only, no survivor's name."""
    ascii_ref = unicodedata.normalize("NFKD", case_reference or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_ref.lower()).strip("-")[:48].strip("-") or "case"
    key = re.sub(r"[^a-z0-9_]+", "", template_key) or "filing"
    return f"{key}-{slug}-v{version}.{extension}"


def _filing_out(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["field_names"] = _json_list(row.get("field_names"))
    row["filename"] = download_name(row["template_key"], row.pop("case_reference", "") or "",
                                    row["version"], "docx")
    row["download_url"] = f"/api/filings/{row['id']}/download"
    for private in ("stored_name", "file_key_enc", "fields_enc"):
        row.pop(private, None)
    return row


async def _context_for(actor: Actor, case: dict[str, Any], info: TemplateInfo,
                       hearing_id: int | None, survivor_id: int | None,
                       reveal_legal_name: bool) -> tuple[FilingContext, dict[str, Any]]:
    """The records a filing is drafted from, and the ids of those used."""
    needed = info.required | info.optional
    used: dict[str, Any] = {"hearing": None, "survivor": None, "court": case["court"],
                            "legal_name_revealed": False}
    # The caller holds a read transaction: one connection, one snapshot.
    office = await Office.select(Office.name, Office.phone, Office.country, Office.timezone,
                                 Office.language).where(Office.id == case["office"]).first()
    hearing = None
    staff_names: list[str] = []
    if hearing_id is not None:
        check_id("hearing", hearing_id)
        hearing = await Hearing.select(
            Hearing.id, Hearing.case, Hearing.court, Hearing.starts_at, Hearing.kind,
            Hearing.courtroom).where(Hearing.id == hearing_id).first()
        if hearing is None or hearing["case"] != case["id"]:
            raise Invalid("hearing_id", "is not a hearing of this case")
        used["hearing"] = hearing["id"]
        used["court"] = hearing["court"]
        staff_names = [r["name"] for r in await HearingStaff.select(
            HearingStaff.staff.name.as_alias("name")).where(
            HearingStaff.hearing == hearing_id).order_by(HearingStaff.staff.name)]
    court = None
    if used["court"] is not None:
        court = await Court.select(Court.name, Court.address, Court.timezone).where(
            Court.id == used["court"]).first()
    accused = [r["name"] for r in await Accused.select(Accused.name).where(
        Accused.case == case["id"]).order_by(Accused.id)]
    links = await CaseSurvivor.select(
        CaseSurvivor.survivor, CaseSurvivor.role,
        CaseSurvivor.survivor.code.as_alias("code"),
        CaseSurvivor.survivor.legal_name_enc.as_alias("legal_name_enc"),
    ).where(CaseSurvivor.case == case["id"]).order_by(CaseSurvivor.survivor)
    lawyer = await Staff.select(Staff.name, Staff.email, Staff.phone_enc, Staff.language).where(
        Staff.id == actor.staff_id).first() or {}
    survivor = None
    if survivor_id is not None:
        survivor = next((s for s in links if s["survivor"] == survivor_id), None)
        if survivor is None:
            raise Invalid("survivor_id", "is not a survivor of this case")
    elif links:  # the first complainant, else the first witness
        survivor = sorted(links, key=lambda s: (s["role"] != "complainant", s["survivor"]))[0]
    survivor_data: SurvivorData = {}
    if survivor is not None:
        used["survivor"] = survivor["survivor"]
        survivor_data["code"] = survivor["code"]
        if (reveal_legal_name and "survivor.legal_name" in needed
                and survivor["legal_name_enc"] is not None):
            survivor_data["legal_name"] = crypto.cipher().decrypt(
                survivor["legal_name_enc"], context="survivor.legal_name")
            used["legal_name_revealed"] = True
    zone_name = (office or {}).get("timezone") or "UTC"
    lawyer_data: LawyerData = {"language": "en"}
    if lawyer:  # the actor's own staff row (absent only for an actor without one)
        lawyer_data = {"name": lawyer["name"], "email": lawyer["email"],
                       "language": lawyer["language"] or "en"}
    if "lawyer.phone" in needed and lawyer.get("phone_enc"):
        lawyer_data["phone"] = crypto.cipher().decrypt(lawyer["phone_enc"], context="staff.phone")
    court_data: CourtData = {}
    if court is not None:
        court_data = {"name": court["name"], "address": court["address"],
                      "timezone": court["timezone"]}
    office_data: OfficeData = {}
    if office is not None:
        office_data = {"name": office["name"], "phone": office["phone"],
                       "country": office["country"], "timezone": office["timezone"]}
    office_data["language"] = (office or {}).get("language") or "en"
    context: FilingContext = {
        "case": {"reference": case["reference"], "court_case_number": case["court_case_number"],
                 "status": case["status"], "accused": accused},
        "court": court_data,
        "hearing": ({"starts_at": hearing["starts_at"], "kind": hearing["kind"],
                     "courtroom": hearing["courtroom"], "accompanying_staff": staff_names}
                    if hearing else {}),
        "survivor": survivor_data,
        # The filing's language is the office's (a court reads the office's language, not
        # whoever drafted it); a filing may ask for another (``language``).
        "office": office_data,
        "lawyer": lawyer_data,
        "today": dt.datetime.now(ZoneInfo(zone_name)).date(),
    }
    return context, used


def _draft(data: bytes, context: FilingContext, time_limit_s: float,
           max_output_bytes: int) -> storage.SealedFiling:
    """Render and encrypt (in a worker thread: all CPU)."""
    docx = render_filing(data, context, time_limit_s=time_limit_s, max_output_bytes=max_output_bytes)
    return storage.seal_filing(docx)


async def create_filing(actor: Actor, case_id: int, *, template: str,
                        fields: dict[str, Any], hearing_id: int | None = None,
                        survivor_id: int | None = None, reveal_legal_name: bool = False,
                        language: str | None = None,
                        time_limit_s: float = DEFAULT_TIME_LIMIT_S,
                        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES) -> dict[str, Any]:
    """Draft a filing for a case from a template; raises the documents errors
    (``MissingVariables``, ``InvalidFields``, ``TemplateRejected``, ``RenderLimitExceeded``)."""
    async with db.read_transaction():
        case = await fetch_case(actor, case_id)
        require_write(actor)
        if reveal_legal_name and not actor.can_reveal:
            raise Forbidden("your role may not reveal a survivor's legal name")
        try:
            info = await _template(template)
        except NotFound:
            raise Invalid("template", "no such template") from None
        context, used = await _context_for(actor, case, info, hearing_id, survivor_id,
                                           reveal_legal_name)
    data = await _template_bytes(info)
    context["fields"] = fields
    if language:
        context["locale"] = language
    sealed = await anyio.to_thread.run_sync(
        partial(_draft, data, context, time_limit_s, max_output_bytes),
        limiter=_render_limiter())
    field_names = sorted(fields)
    fields_enc = crypto.cipher().encrypt(
        json.dumps(fields, ensure_ascii=False, sort_keys=True), context=FIELDS_CONTEXT)
    for attempt in range(MAX_VERSION_RETRIES):
        try:
            async with db.transaction():
                top = await Filing.select(Filing.version).where(
                    (Filing.case == case_id) & (Filing.template_key == info.key)
                ).order_by(Filing.version, ascending=False).first()
                version = (top["version"] if top else 0) + 1
                values = dict(
                    case=case_id, version=version, template_key=info.key,
                    template_version=info.version, template_sha256=info.sha256,
                    template_title=info.title, hearing=used["hearing"],
                    survivor=used["survivor"], court=used["court"],
                    field_names=json.dumps(field_names), fields_enc=fields_enc,
                    legal_name_revealed=used["legal_name_revealed"],
                    author=actor.staff_id if actor.staff_id > 0 else None,
                    locale=str(context_locale(context))[:16], drafted_on=context["today"],
                    sha256=sealed.sha256, size_bytes=sealed.size_bytes,
                    stored_name=sealed.stored_name, file_key_enc=sealed.file_key_enc,
                    created_at=utcnow(),
                )
                rows = await Filing.insert(Filing(**values)).returning(Filing.id)
                filing_id = rows[0]["id"]
                await storage.store_filing(filing_id, sealed)  # in the row's transaction
                await audit.record(actor.staff_id, "create", "filing", filing_id,
                                   office_id=case["office"], detail={
                                       "case": case_id, "template": info.key,
                                       "template_version": info.version, "version": version,
                                       "fields": field_names, "hearing": used["hearing"],
                                       "survivor": used["survivor"]})
                if used["legal_name_revealed"]:
                    await audit.record(actor.staff_id, "reveal", "survivor", used["survivor"],
                                       office_id=case["office"], detail={
                                           "fields": ["legal_name"], "purpose": "filing",
                                           "filing": filing_id})
            break
        except Exception as exc:
            if attempt + 1 < MAX_VERSION_RETRIES and db.is_unique_violation(exc) is not None:
                continue
            raise
    return _filing_out({**values, "id": filing_id, "field_names": field_names,
                        "case_reference": case["reference"]})


async def _filing_row(actor: Actor, filing_id: int, *columns: Any) -> dict[str, Any]:
    check_id("filing", filing_id)
    row = await Filing.select(*FILING_COLUMNS, *columns).where(Filing.id == filing_id).first()
    if row is None:
        raise NotFound("filing")
    try:
        await fetch_case(actor, row["case"])
    except NotFound:
        raise NotFound("filing") from None
    return row


async def get_filing(actor: Actor, filing_id: int, *, with_fields: bool = False,
                     audited: bool = True) -> dict[str, Any]:
    """A filing's record; ``with_fields`` adds the values typed (audited as a read)."""
    row = await _filing_row(actor, filing_id, Filing.fields_enc)
    out = _filing_out(row)
    if with_fields:
        plain = crypto.cipher().decrypt(row["fields_enc"], context=FIELDS_CONTEXT)
        out["fields"] = json.loads(plain) if plain else {}
    if audited:
        await audit.record(actor.staff_id, "read", "filing", filing_id, detail={"case": row["case"]})
    return out


async def list_filings_for_case(actor: Actor, case_id: int, page: PageRequest,
                                template: str | None = None) -> Any:
    """Newest first. Also what the case timeline shows."""
    await fetch_case(actor, case_id)
    page = page.clamp()
    query = Filing.select(*FILING_COLUMNS).where(Filing.case == case_id)
    if template is not None:
        query = query.where(Filing.template_key == template)
    rows = await query.order_by(Filing.created_at, ascending=False).order_by(
        Filing.id, ascending=False).limit(page.limit + 1).offset(page.offset)
    return page_of([_filing_out(r) for r in rows], page)


async def filing_timeline_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The case timeline's filings (a source for ``legal_tracker.casework.timeline``, which
    has already checked that the caller may see the case)."""
    rows = await Filing.select(
        Filing.id, Filing.created_at, Filing.template_key, Filing.template_version,
        Filing.template_title, Filing.version, Filing.author, Filing.hearing,
    ).where(Filing.case == case["id"]).order_by(Filing.id)
    return [{"at": r["created_at"], "kind": "filing", "entity": "filing", "entity_id": r["id"],
             "title": f"Filing drafted: {r['template_title']} (version {r['version']})",
             "detail": {"template_key": r["template_key"], "template_version": r["template_version"],
                        "version": r["version"], "author_id": r["author"],
                        "hearing_id": r["hearing"]}} for r in rows]


def register() -> None:
    """The filings in a case's timeline; called by :func:`api.bootstrap.bootstrap_application`."""
    register_timeline_source(filing_timeline_items)


async def filing_document(actor: Actor, filing_id: int,
                          output: str = "docx") -> tuple[dict[str, Any], bytes, str]:
    """The stored .docx (or a PDF made from it), its record and the download file name."""
    row = await _filing_row(actor, filing_id, Filing.stored_name, Filing.file_key_enc)
    if row["legal_name_revealed"] and not actor.can_reveal:
        raise Forbidden("this filing holds the survivor's legal name, which your role may not see")
    name = download_name(row["template_key"], row["case_reference"] or "", row["version"], output)
    sealed = await storage.load_filing_sealed(filing_id)
    body = await anyio.to_thread.run_sync(partial(
        storage.open_filing, sealed, row["stored_name"], row["file_key_enc"], row["sha256"]))
    if output == "pdf":
        # A version never changes: its PDF is made once and kept in the database, encrypted
        # with the filing's key (documents.storage.store_pdf). A damaged copy is made again,
        # under the next version number.
        kept, kept_version = await storage.load_latest_pdf(filing_id)
        if kept is not None:
            body = kept
        else:
            body = await anyio.to_thread.run_sync(convert_to_pdf, body, limiter=_pdf_limiter())
            await storage.store_pdf(filing_id, kept_version + 1, body)
    await audit.record(actor.staff_id, "download", "filing", filing_id, detail={
        "case": row["case"], "format": output, "legal_name": row["legal_name_revealed"]})
    return _filing_out(row), body, name
