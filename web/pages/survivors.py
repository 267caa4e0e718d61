"""A survivor: code, language, their cases, the legal name behind an audited reveal; the
family contacts with SMS consent (who recorded it and when), the phone behind an audited
reveal, the reminders each was sent; adding and editing a contact; finding a survivor by code.

Everything goes through the API's services (``legal_tracker.cases.survivors``,
``legal_tracker.reminders.staff``) with ``me.actor``: a survivor outside the person's scope is
the ordinary "Not found" page, a reveal by a role that may not is "Not allowed", and every
read and reveal is written to the audit log by the service.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.common import values_of
from api.schemas.survivors import ContactCreate, ContactUpdate
from legal_tracker.access import require_write
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import hearings as hearing_svc
from legal_tracker.cases import survivors as svc
from legal_tracker.common import MAX_PAGE, PageRequest
from legal_tracker.reminders import staff as reminders
from web import lookups
from web.forms import Form, attempt, convert
from web.i18n import current_language
from web.i18n import gettext_ as _
from web.render import page, see_other
from web.session import CurrentMe, Me

RECENT_REMINDERS = 10  # per contact, newest first
CONTACT_FIELDS = ("name", "relationship", "phone", "language")


def language_name(code: str | None) -> str:
    """``sw`` → "Swahili" (in the reader's language), the code itself when Babel has no name."""
    if not code:
        return ""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(current_language.get())
    except (ValueError, TypeError, LookupError):
        return code
    return f"{name} ({code})" if name else code


async def _context(me: Me, survivor: dict[str, Any], *, name_revealed: bool = False,
                   phones: dict[int, str] | None = None) -> dict[str, Any]:
    """The page around ``survivor`` (as read, audited, by the caller)."""
    survivor_id = survivor["id"]
    cases = (await case_svc.list_cases(me.actor, PageRequest(MAX_PAGE, 0),
                                       survivor_id=survivor_id)).items
    hearings: dict[int, dict[str, Any]] = {}
    for case in cases:
        for h in (await hearing_svc.list_hearings(me.actor, PageRequest(MAX_PAGE, 0),
                                                  case_id=case["id"])).items:
            hearings[h["id"]] = h
    contacts = []
    for contact in (await svc.list_contacts(me.actor, survivor_id, PageRequest(MAX_PAGE, 0))).items:
        sent = (await reminders.list_reminders(me.actor, PageRequest(MAX_PAGE, 0),
                                               contact_id=contact["id"])).items
        contacts.append({**contact, "phone_shown": (phones or {}).get(contact["id"]),
                         "reminders": list(reversed(sent))[:RECENT_REMINDERS],
                         "reminder_total": len(sent)})
    staff = lookups.by_id(await lookups.staff(me.actor, survivor["office"]))
    return {
        "survivor": survivor,
        "revealed_name": (survivor["legal_name"] or "") if name_revealed else None,
        "cases": cases, "contacts": contacts, "hearings": hearings, "staff": staff,
        "tz": me.office_timezone or "UTC", "language_name": language_name,
        "can_write": me.actor.can_write, "can_reveal": me.actor.can_reveal,
        "title": survivor["code"],
    }


@get("/app/survivors", name="survivors")
async def find_page(request: Request, me: CurrentMe) -> Any:
    """Find a survivor by code (``?code=``): one match opens their page; none says so."""
    form = Form({"code": (request.query_params.get("code") or "").strip()[:32]})
    found: list[dict[str, Any]] = []
    code = form.get("code")
    if code:
        for candidate in dict.fromkeys([code, code.upper()]):
            found = (await svc.list_survivors(me.actor, PageRequest(MAX_PAGE, 0),
                                              code=candidate)).items
            if found:
                break
        if len(found) == 1:
            return see_other(f"/app/survivors/{found[0]['id']}")
        if not found:
            form.add("code", _("No survivor you may see has this code"))
            form.status = 200  # a search that found nothing is not an error of the request
    return page(request, "survivors.html", title="Find a survivor", form=form, found=found)


@get("/app/survivors/{survivor_id:int}", name="survivor")
async def survivor_page(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    survivor = await svc.get_survivor(me.actor, survivor_id)
    return page(request, "survivor.html", **await _context(me, survivor))


@post("/app/survivors/{survivor_id:int}/reveal")
async def reveal_name(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    """Shows the legal name on this answer only; the service refuses roles that may not
    (403) and writes the reveal to the audit log. A POST: a link could be prefetched."""
    survivor = await svc.get_survivor(me.actor, survivor_id, {"legal_name"})
    context = await _context(me, survivor, name_revealed=True)
    return page(request, "survivor.html", **context)


@post("/app/contacts/{contact_id:int}/reveal")
async def reveal_phone(request: Request, me: CurrentMe, contact_id: FromPath[int]) -> Any:
    contact = await svc.get_contact(me.actor, contact_id, {"phone"})
    survivor = await svc.get_survivor(me.actor, contact["survivor"])
    context = await _context(me, survivor, phones={contact_id: contact["phone"] or ""})
    return page(request, "survivor.html", **context)


@post("/app/contacts/{contact_id:int}/consent")
async def record_consent(request: Request, me: CurrentMe, contact_id: FromPath[int]) -> Any:
    """Consent given or withdrawn, recorded by the API's own update (who and when are kept
    on the contact, the audit log has the event, reminders are planned or cancelled)."""
    contact = await svc.get_contact(me.actor, contact_id)
    require_write(me.actor)
    form = await Form.from_request(request)
    choice = form.choice("consent", ("given", "withdrawn"), required=True)
    if choice is None or await attempt(form, lambda: svc.update_contact(
            me.actor, contact_id, {"sms_consent": choice == "given"})) is None:
        context = await _context(me, await svc.get_survivor(me.actor, contact["survivor"]))
        context["top_message"] = form.message or form.error("consent")
        return page(request, "survivor.html", status=form.status, **context)
    return see_other(f"/app/survivors/{contact['survivor']}?done=consent_{choice}#contact-{contact_id}")


def _contact_values(form: Form, *, new: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.text("name", required=True, max_length=200),
        "relationship": form.text("relationship", required=True, max_length=64),
        "phone": form.text("phone", required=new, max_length=32),
        "language": form.text("language", required=True, max_length=16),
    }
    if new:
        values["sms_consent"] = form.checked("sms_consent")
    elif values["phone"] is None:
        del values["phone"]  # left empty: the number stays as it is
    return values


def _contact_page(request: Request, *, survivor: dict[str, Any], form: Form,
                  contact: dict[str, Any] | None = None) -> Any:
    title = "Edit a family contact" if contact else "Add a family contact"
    return page(request, "contact_form.html", status=form.status, title=title,
                survivor=survivor, contact=contact, form=form)


@get("/app/survivors/{survivor_id:int}/contacts/new", name="new_contact")
async def new_contact_page(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    survivor = await svc.get_survivor(me.actor, survivor_id)
    require_write(me.actor)
    return _contact_page(request, survivor=survivor, form=Form({"language": survivor["language"]}))


@post("/app/survivors/{survivor_id:int}/contacts/new")
async def new_contact_submit(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    survivor = await svc.get_survivor(me.actor, survivor_id)
    require_write(me.actor)
    form = await Form.from_request(request)
    values = _contact_values(form, new=True)
    data = convert(form, ContactCreate, values) if not form.errors else None
    created = None
    if data is not None:
        created = await attempt(form, lambda: svc.create_contact(me.actor, survivor_id,
                                                                  values_of(data)))
    if created is None:
        return _contact_page(request, survivor=survivor, form=form)
    return see_other(f"/app/survivors/{survivor_id}?done=contact_added#contact-{created['id']}")


@get("/app/contacts/{contact_id:int}/edit", name="edit_contact")
async def edit_contact_page(request: Request, me: CurrentMe, contact_id: FromPath[int]) -> Any:
    contact = await svc.get_contact(me.actor, contact_id)
    require_write(me.actor)
    survivor = await svc.get_survivor(me.actor, contact["survivor"], audited=False)
    form = Form({k: contact[k] for k in CONTACT_FIELDS if k != "phone"})
    return _contact_page(request, survivor=survivor, form=form, contact=contact)


@post("/app/contacts/{contact_id:int}/edit")
async def edit_contact_submit(request: Request, me: CurrentMe, contact_id: FromPath[int]) -> Any:
    contact = await svc.get_contact(me.actor, contact_id)
    require_write(me.actor)
    survivor = await svc.get_survivor(me.actor, contact["survivor"], audited=False)
    form = await Form.from_request(request)
    values = _contact_values(form, new=False)
    data = convert(form, ContactUpdate, values) if not form.errors else None
    saved = None
    if data is not None:
        saved = await attempt(form, lambda: svc.update_contact(me.actor, contact_id,
                                                                values_of(data)))
    if saved is None:
        return _contact_page(request, survivor=survivor, form=form, contact=contact)
    return see_other(f"/app/survivors/{survivor['id']}?done=contact_saved#contact-{contact_id}")


HANDLERS = [find_page, survivor_page, reveal_name, reveal_phone, record_consent,
            new_contact_page, new_contact_submit, edit_contact_page, edit_contact_submit]
