"""Filings: a case's filings with their versions, drafting one from a template (the form built
from the template's typed fields), downloads (.docx and PDF), and the templates list with the
administrators' upload.

Every page calls the filings services of ``documents/service.py`` — the functions the API's
``api/controllers/documents.py`` calls — with ``me.actor``, so need-to-know (the case's scope),
who may draft (``require_write``) and who may upload (``require_admin``) are decided there.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

from documents import service as svc
from documents.errors import (
    ConversionFailed,
    ConverterUnavailable,
    InvalidFields,
    MissingVariables,
    RenderLimitExceeded,
    TemplateRejected,
)
from documents.variables import CATALOGUE
from legal_tracker.access import require_admin, require_write
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import hearings as hearing_svc
from legal_tracker.cases import survivors as survivor_svc
from legal_tracker.common import PageRequest
from legal_tracker.errors import NotFound
from web import formatting, labels
from web.forms import Form, attempt
from web.i18n import gettext_ as _
from web.i18n import ngettext_
from web.labels import N_
from web.render import page, see_other
from web.session import CurrentMe, Me

# Room for the form's other parts and the multipart boundaries around the file (as the API's
# upload route, api/controllers/documents.py).
MULTIPART_OVERHEAD = 64 * 1024
FIELD = "fields."  # form names of the typed values: fields.reason, fields.court.address
MAX_VALUE = 20_000  # characters in one typed value (as the API's FilingCreate)

# What each upload problem code means, in plain words (codes: documents/errors.py).
PROBLEM_KINDS = {
    "invalid_docx": N_("Not a Word document that can be used"),
    "syntax_error": N_("A mistake in a placeholder"),
    "unknown_variable": N_("An unknown placeholder"),
    "unknown_filter": N_("An unknown filter"),
    "unknown_test": N_("An unknown test"),
    "unsupported_tag": N_("Something a template may not contain"),
    "unsafe_attribute": N_("A name that reaches into the program"),
    "undefined_variable": N_("The trial run found a value with no name"),
    "dry_run_failed": N_("The trial run failed"),
    "limit_exceeded": N_("The trial run went past a limit"),
}

DONE = {"drafted": N_("The filing was drafted. Download it below."),
        "uploaded": N_("The template was uploaded and checked. It can be used for filings now.")}


def _done(request: Request) -> str | None:
    text = DONE.get(request.query_params.get("done") or "")
    return _(text) if text else None


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _missing_message(name: str, label: str, hearing_chosen: bool) -> str:
    """Beside a field the template needs and nobody supplied (the API's words, for people)."""
    variable = CATALOGUE.get(name)
    if variable is None:
        return _("Enter a value for “%(label)s”: the template needs it") % {"label": label}
    if variable.restricted:
        return _("The template needs the survivor's legal name: tick the box to fill it in "
                 "(recorded in the audit log)")
    if not variable.user_can_supply:
        return _("Filled from the records only: link the record to the case first")
    if name == "case.accused":
        return _("No accused are recorded on the case: type their names here, one per line, "
                 "or add them to the case")
    if name.startswith("hearing.") and not hearing_chosen:
        return _("Choose the hearing above, or type this value")
    return _("The records hold no value for this: type it here, or add it to the record")


# ---------------------------------------------------------------------------- the case's filings


def _grouped(filings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The case's filings by template, each with its versions newest first."""
    groups: dict[str, dict[str, Any]] = {}
    for row in sorted(filings, key=lambda r: (r["template_key"], -r["version"])):
        group = groups.setdefault(row["template_key"], {
            "key": row["template_key"], "title": row["template_title"], "versions": []})
        group["versions"].append(row)
    return sorted(groups.values(), key=lambda g: g["versions"][0]["created_at"], reverse=True)


@get("/app/cases/{case_id:int}/filings", name="case_filings")
async def case_filings_page(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    filings = (await svc.list_filings_for_case(me.actor, case_id, PageRequest(200, 0))).items
    templates = await svc.list_templates(me.actor) if me.actor.can_write else []
    hearing_id = _int(request.query_params.get("hearing_id"))
    return page(request, "filings.html", title=_("Filings"), case=case,
                groups=_grouped(filings), templates=templates, hearing_id=hearing_id,
                staff=await _staff_names(me, case))


async def _staff_names(me: Me, case: dict[str, Any]) -> dict[int, str]:
    from web import lookups

    return {s["id"]: s["name"] for s in await lookups.staff(me.actor, case["office"])}


# ---------------------------------------------------------------------------- drafting


async def _draft_context(me: Me, case: dict[str, Any], template: dict[str, Any],
                         form: Form, extra: list[str] | None = None) -> dict[str, Any]:
    """The draft form: the template's typed fields (label, hint, example, required), the
    case's hearings and survivors to choose from, and any value the records lack (after a
    422 named it) as a field of its own."""
    hearings = (await hearing_svc.list_hearings(me.actor, PageRequest(200, 0),
                                                case_id=case["id"])).items
    hearings.sort(key=lambda h: h["starts_at"], reverse=True)
    hearing_options = [(str(h["id"]), f"{labels.label('kind', h['kind'])} · "
                        f"{formatting.when(h['starts_at'], h['court_timezone'], me.office_timezone)}")
                       for h in hearings]
    survivor_options = []
    if len(case["survivors"]) > 1:
        for link in case["survivors"]:
            survivor = await survivor_svc.get_survivor(me.actor, link["id"])
            survivor_options.append((str(link["id"]), f"{survivor['code']} · "
                                     f"{labels.label('survivor_role', link['role'])}"))
    variables = template["variables"]
    # Required fields first, each group in the template's alphabetical order.
    typed = sorted((v for v in variables if v["filled_by"] == "user"), key=lambda v: not v["required"])
    by_name = {v["name"]: v for v in variables}
    # System values the records lack, named by a refused draft: asked for under their own name.
    lacking = [by_name[name] for name in dict.fromkeys(extra or []) if name in by_name
               and by_name[name]["filled_by"] == "system" and by_name[name]["user_can_supply"]]
    needs_name = any(v["name"] == "survivor.legal_name" for v in variables)
    uses_hearing = any(v["name"].startswith("hearing.") for v in variables)
    return {"case": case, "chosen": template, "form": form, "typed": typed,
            "lacking": lacking, "hearing_options": hearing_options,
            "survivor_options": survivor_options, "uses_hearing": uses_hearing,
            "needs_name": needs_name, "can_reveal": me.actor.can_reveal, "field": FIELD,
            "title": template["title"]}


async def _template_for_draft(me: Me, key: str | None) -> dict[str, Any]:
    if not key:
        raise NotFound("template")
    return await svc.get_template(me.actor, key)


@get("/app/cases/{case_id:int}/filings/new", name="new_filing")
async def new_filing_page(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    require_write(me.actor)
    template = await _template_for_draft(me, request.query_params.get("template"))
    form = Form({"template": template["key"],
                 "hearing_id": str(_int(request.query_params.get("hearing_id")) or "")})
    again = _int(request.query_params.get("from"))
    if again is not None:  # a new version: start from the values typed for an earlier one
        earlier = await svc.get_filing(me.actor, again, with_fields=True)
        if earlier["case"] != case_id:
            raise NotFound("filing")
        form.values.update({FIELD + k: str(v) for k, v in earlier["fields"].items()})
        form.values["hearing_id"] = str(earlier["hearing"] or "")
    return page(request, "filing_new.html", **await _draft_context(me, case, template, form))


@post("/app/cases/{case_id:int}/filings/new")
async def new_filing_submit(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    require_write(me.actor)
    form = await Form.from_request(request)
    template = await _template_for_draft(me, str(form.get("template")))
    labels_of = {v["name"]: v["label"] for v in template["variables"]}
    allowed = {v["name"] for v in template["variables"]
               if v["filled_by"] == "user" or v["user_can_supply"]}
    fields: dict[str, Any] = {}
    extra: list[str] = []
    for name, value in form.values.items():
        if not name.startswith(FIELD) or name[len(FIELD):] not in allowed:
            continue
        key = name[len(FIELD):]
        if "." in key:
            extra.append(key)  # a system value typed because the records lack it
        if len(str(value)) > MAX_VALUE:
            form.add(name, _("Too long: at most %(count)s characters") % {"count": MAX_VALUE})
        elif str(value).strip():
            fields[key] = str(value)
    hearing_id = form.integer("hearing_id")
    survivor_id = form.integer("survivor_id")
    reveal = form.checked("reveal_legal_name")
    created = None
    try:
        created = await attempt(form, lambda: svc.create_filing(
            me.actor, case_id, template=template["key"], fields=fields, hearing_id=hearing_id,
            survivor_id=survivor_id, reveal_legal_name=reveal))
    except MissingVariables as exc:
        for name in exc.names:
            # The accused in one phrase come from the list of names: one field asks for both.
            if name == "case.accused_names" and "case.accused" in allowed:
                name = "case.accused"
            field = "reveal_legal_name" if name == "survivor.legal_name" else FIELD + name
            form.add(field, _missing_message(name, labels_of.get(name, name), hearing_id is not None))
            if "." in name:
                extra.append(name)
    except InvalidFields as exc:
        for name in exc.names:
            form.add(FIELD + name, exc.reason)
    except (TemplateRejected, RenderLimitExceeded) as exc:
        form.message = _("This template cannot be filled in: %(problem)s. Tell an "
                         "administrator.") % {"problem": str(exc)}
        form.status = 422
    if created is None:
        context = await _draft_context(me, case, template, form, sorted(set(extra)))
        return page(request, "filing_new.html", status=form.status or 422, **context)
    return see_other(f"/app/filings/{created['id']}?done=drafted")


# ---------------------------------------------------------------------------- one filing


@get("/app/filings/{filing_id:int}", name="filing")
async def filing_page(request: Request, me: CurrentMe, filing_id: FromPath[int]) -> Any:
    filing = await svc.get_filing(me.actor, filing_id, with_fields=True)
    case = await case_svc.get_case(me.actor, filing["case"])
    versions = (await svc.list_filings_for_case(me.actor, case["id"], PageRequest(200, 0),
                                                filing["template_key"])).items
    template = None
    try:
        template = await svc.get_template(me.actor, filing["template_key"],
                                          filing["template_version"])
    except NotFound:  # pragma: no cover - templates are never deleted
        pass
    guides = {v["name"]: v["label"] for v in (template or {}).get("variables", [])}
    typed = [(guides.get(k) or k, v) for k, v in sorted(filing["fields"].items())]
    hearing = None
    if filing["hearing"] is not None:
        hearing = await hearing_svc.get_hearing(me.actor, filing["hearing"])
    staff = await _staff_names(me, case)
    return page(request, "filing.html", title=filing["template_title"], filing=filing,
                case=case, versions=versions, typed=typed, hearing=hearing,
                author=staff.get(filing["author"]) if filing["author"] else None,
                done=_done(request), can_download=me.actor.can_reveal
                or not filing["legal_name_revealed"])


@get("/app/filings/{filing_id:int}/download", name="filing_download")
async def filing_download(request: Request, me: CurrentMe, filing_id: FromPath[int]) -> Any:
    output = "pdf" if request.query_params.get("format") == "pdf" else "docx"
    try:
        _row, body, name = await svc.filing_document(me.actor, filing_id, output)
    except ConverterUnavailable:
        return page(request, "error.html", status=501, title=_("No PDF on this server"),
                    text=_("This server cannot make PDF copies (LibreOffice is not installed). "
                           "Download the Word document instead."))
    except ConversionFailed:
        return page(request, "error.html", status=502, title=_("The PDF could not be made"),
                    text=_("LibreOffice could not make a PDF of this filing. Download the Word "
                           "document instead."))
    media = svc.PDF_MEDIA_TYPE if output == "pdf" else svc.DOCX_MEDIA_TYPE
    return _attachment(body, media, name)


def _attachment(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    # The name is ASCII letters, digits, '-', '_' and '.' only (svc.download_name).
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


# ---------------------------------------------------------------------------- templates


@get("/app/templates", name="templates")
async def templates_page(request: Request, me: CurrentMe) -> Any:
    templates = await svc.list_templates(me.actor)
    return page(request, "templates.html", title=_("Filing templates"), templates=templates,
                done=_done(request), can_upload=me.actor.is_admin)


@get("/app/templates/{key:str}/download", name="template_download")
async def template_download(request: Request, me: CurrentMe, key: FromPath[str]) -> Any:
    info, body = await svc.template_file(me.actor, key)
    return _attachment(body, svc.DOCX_MEDIA_TYPE, f"{info['key']}-v{info['version']}.docx")


def _upload_page(request: Request, form: Form, problems: list[dict[str, str]] | None = None,
                 status: int = 200) -> Any:
    largest = formatting.file_size(request.app.state.settings.max_upload_bytes)
    return page(request, "template_new.html", status=status, title=_("Upload a template"),
                form=form, problems=problems or [], largest=largest)


@get("/app/templates/new", name="new_template")
async def new_template_page(request: Request, me: CurrentMe) -> Any:
    require_admin(me.actor)
    return _upload_page(request, Form())


@post("/app/templates/new")
async def new_template_submit(request: Request, me: CurrentMe) -> Any:
    """multipart/form-data: the CSRF middleware reads ``_csrf_token`` from the multipart form
    like any other form. The route's body limit is the upload limit (web/routes.py)."""
    require_admin(me.actor)
    settings = request.app.state.settings
    data = await request.form()
    form = await Form.from_request(request)
    key = form.text("key", required=True, max_length=64) or ""
    title = form.text("title", required=True, max_length=200) or ""
    description = form.text("description", max_length=2000) or ""
    upload = data.get("file")
    content = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.add("file", _("Choose the .docx file to upload"))
    else:
        content = await upload.read(settings.max_upload_bytes + 1)
        if len(content) > settings.max_upload_bytes:
            form.add("file", _("The file is larger than %(size)s, the most a template may be")
                     % {"size": formatting.file_size(settings.max_upload_bytes)})
    problems: list[dict[str, str]] = []
    try:
        done = await attempt(form, lambda: svc.upload_template(
            me.actor, key=key, title=title, description=description,
            filename=upload.filename if isinstance(upload, UploadFile) else None,
            content_type=upload.content_type if isinstance(upload, UploadFile) else None,
            data=content))
    except TemplateRejected as exc:
        done = None
        problems = [{"kind": _(PROBLEM_KINDS.get(p.code, p.code)), "message": p.message,
                     "where": p.where or ""} for p in exc.problems]
        form.add("file", ngettext_(
            "This template cannot be used: %(count)s problem found, listed below with where "
            "it is in the document.",
            "This template cannot be used: %(count)s problems found, each listed below with "
            "where it is in the document.", len(problems)) % {"count": len(problems)})
    if done is None:
        return _upload_page(request, form, problems, status=form.status or 422)
    return see_other("/app/templates?done=uploaded")


UPLOAD_HANDLERS = [new_template_submit]
HANDLERS = [case_filings_page, new_filing_page, new_filing_submit, filing_page, filing_download,
            templates_page, template_download, new_template_page]
