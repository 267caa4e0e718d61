"""Identity documents of a survivor: the list and a form to add one; a document with its
details form, its chain of custody as a list and a form to record a hand-over; revealing the
number (audited, as ``?reveal=number`` in the API)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.casework import CustodyCreate, DocumentCreate, DocumentUpdate
from api.schemas.common import values_of
from legal_tracker.access import require_write
from legal_tracker.cases import survivors as survivor_svc
from legal_tracker.casework import identity_documents as svc
from legal_tracker.casework.vocab import DOCUMENT_KINDS, DOCUMENT_STATUSES
from legal_tracker.common import MAX_PAGE, PageRequest
from web import lookups
from web.countries import country_name, country_options
from web.forms import Form, attempt, convert
from web.i18n import gettext_ as _
from web.render import page, see_other
from web.session import CurrentMe, Me

RENAME = {"case_id": "case"}


def _document_values(form: Form, *, creating: bool) -> dict[str, Any]:
    """What the add and change forms post, in the API's names. An empty number on the change
    form keeps the recorded one (it is never sent back to the browser)."""
    values: dict[str, Any] = {
        "kind": form.choice("kind", DOCUMENT_KINDS, required=True),
        "issuing_country": form.choice("issuing_country", [c for c, _n in country_options()],
                                       required=True),
        "status": form.choice("status", DOCUMENT_STATUSES, required=True),
        "expires_on": form.date("expires_on"),
        "notes": form.text("notes", max_length=20_000) or "",
    }
    number = form.text("number", max_length=64)
    if number or creating:
        values["number"] = number
    return values


# ---------------------------------------------------------------- a survivor's documents


async def _list_context(me: Me, survivor_id: int, form: Form | None = None) -> dict[str, Any]:
    documents = (await svc.list_documents(me.actor, survivor_id, PageRequest(MAX_PAGE, 0))).items
    survivor = await survivor_svc.get_survivor(me.actor, survivor_id)
    return {"survivor": survivor, "documents": documents,
            "form": form or Form({"status": "in_custody"}),
            "country_options": country_options(), "country": country_name,
            "can_write": me.actor.can_write,
            "title": _("Identity documents of %(code)s") % {"code": survivor["code"]}}


@get("/app/survivors/{survivor_id:int}/documents", name="survivor_documents")
async def documents_page(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    return page(request, "documents.html", **await _list_context(me, survivor_id))


@post("/app/survivors/{survivor_id:int}/documents")
async def add_document(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    await survivor_svc.get_survivor(me.actor, survivor_id, audited=False)
    require_write(me.actor)
    form = await Form.from_request(request)
    values = _document_values(form, creating=True)
    data = convert(form, DocumentCreate, values) if not form.errors else None
    created = None
    if data is not None:
        created = await attempt(form, lambda: svc.create_document(
            me.actor, survivor_id, values_of(data, RENAME)))
    if created is None:
        return page(request, "documents.html", status=form.status,
                    **await _list_context(me, survivor_id, form))
    return see_other(f"/app/documents/{created['id']}?done=created")


# ---------------------------------------------------------------- one document


def _gap_in_words(form: Form, last: dict[str, Any] | None) -> None:
    """The service refuses a hand-over that does not start where the chain ends, naming
    ``released_by``; say it with the name of who holds the document now."""
    if last is not None and form.error("released_by") and "gaps" in (form.error("released_by") or ""):
        form.errors["released_by"] = _(
            "The chain of custody would have a gap: the last hand-over ended with %(holder)s, "
            "so this one must start with %(holder)s. If the document changed hands in between, "
            "record that hand-over first.") % {"holder": last["received_by"]}
    if form.error("at") and "previous entry" in (form.error("at") or ""):
        form.errors["at"] = _("This is earlier than the last hand-over. Hand-overs are recorded "
                              "in the order they happened.")


async def _document_context(me: Me, document_id: int, *, failed: str | None = None,
                            form: Form | None = None, revealed: bool = False) -> dict[str, Any]:
    document = await svc.get_document(me.actor, document_id, {"number"} if revealed else None)
    survivor = await survivor_svc.get_survivor(me.actor, document["survivor"], audited=False)
    custody = await svc.list_custody(me.actor, document_id)
    last = custody[-1] if custody else None
    names = {s["id"]: s["name"] for s in await lookups.staff(me.actor, survivor["office"])}
    forms = {
        "details": Form({"kind": document["kind"], "issuing_country": document["issuing_country"],
                         "status": document["status"],
                         "expires_on": document["expires_on"].isoformat() if document["expires_on"] else "",
                         "notes": document["notes"]}, prefix="details-"),
        "custody": Form({"released_by": last["received_by"] if last else ""}, prefix="custody-"),
    }
    if failed and form is not None:
        form.prefix = f"{failed}-"
        forms[failed] = form
        if failed == "custody":
            _gap_in_words(form, last)
    zone = me.office_timezone or "UTC"
    return {"document": document, "survivor": survivor, "custody": list(reversed(custody)),
            "last": last, "names": names, "forms": forms, "failed": failed, "revealed": revealed,
            "country_options": country_options(), "country": country_name, "zone": zone,
            "can_write": me.actor.can_write, "can_reveal": me.actor.can_reveal,
            "title": _("Identity document")}


@get("/app/documents/{document_id:int}", name="identity_document")
async def document_page(request: Request, me: CurrentMe, document_id: FromPath[int]) -> Any:
    return page(request, "document.html", **await _document_context(me, document_id))


@post("/app/documents/{document_id:int}/reveal")
async def reveal_number(request: Request, me: CurrentMe, document_id: FromPath[int]) -> Any:
    """Shows the number once, on this answer: the service checks the role and records the
    reveal in the audit log. A POST, so nothing prefetches or bookmarks it."""
    return page(request, "document.html", **await _document_context(me, document_id, revealed=True))


@post("/app/documents/{document_id:int}/details")
async def change_document(request: Request, me: CurrentMe, document_id: FromPath[int]) -> Any:
    require_write(me.actor)
    form = await Form.from_request(request)
    values = _document_values(form, creating=False)
    data = convert(form, DocumentUpdate, values) if not form.errors else None
    if data is None or await attempt(form, lambda: svc.update_document(
            me.actor, document_id, values_of(data, RENAME))) is None:
        return page(request, "document.html", status=form.status, **await _document_context(
            me, document_id, failed="details", form=form))
    return see_other(f"/app/documents/{document_id}?done=saved")


@post("/app/documents/{document_id:int}/custody")
async def record_custody(request: Request, me: CurrentMe, document_id: FromPath[int]) -> Any:
    require_write(me.actor)
    form = await Form.from_request(request)
    values = {
        "at": form.local_datetime("at", me.office_timezone or "UTC"),
        "released_by": form.text("released_by", required=True, max_length=200),
        "received_by": form.text("received_by", required=True, max_length=200),
        "purpose": form.text("purpose", max_length=500) or "",
        "location": form.text("location", max_length=200) or "",
        "note": form.text("note", max_length=20_000) or "",
        "resulting_status": form.choice("resulting_status", DOCUMENT_STATUSES),
    }
    data = convert(form, CustodyCreate, values) if not form.errors else None
    if data is None or await attempt(form, lambda: svc.append_custody(
            me.actor, document_id, values_of(data))) is None:
        return page(request, "document.html", status=form.status, **await _document_context(
            me, document_id, failed="custody", form=form))
    return see_other(f"/app/documents/{document_id}?done=custody")


HANDLERS = [documents_page, add_document, document_page, reveal_number, change_document,
            record_custody]
