"""Administration: staff accounts (list, invite, role and office, deactivate, reactivate,
unlock, a new invitation), offices and courts, and the audit log with names instead of ids.

Every page is for admins only (``require_admin``: anyone else gets the "not allowed" page, as
``GET /api/audit`` answers 403). Scope is the services': an office's admin sees and manages
their office's staff and courts (organisation-wide accounts are listed but not theirs to
change), and the audit events of their office."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from api.schemas.common import values_of
from api.schemas.organisation import (
    CourtCreate,
    CourtUpdate,
    OfficeCreate,
    OfficeUpdate,
    StaffCreate,
)
from legal_tracker.access import Actor, office_visible, require_admin
from legal_tracker.accounts import credentials, links, mfa
from legal_tracker.accounts.mail import mail_configured
from legal_tracker.audit import list_audit_events, name_events
from legal_tracker.common import MAX_PAGE, PageRequest, utcnow
from legal_tracker.errors import Forbidden
from legal_tracker.organisation import service as org
from legal_tracker.validation import _zones, is_country
from web import lookups
from web.forms import Form, attempt, convert
from web.i18n import current_language
from web.i18n import gettext_ as _
from web.labels import AUDIT_ACTIONS, AUDIT_ENTITIES, ROLES, label
from web.render import page, see_other
from web.session import CurrentMe, Me

STAFF_PAGE = 50
AUDIT_PAGE = 50
RENAME = {"office_id": "office"}
# The regions of the IANA database people live in (no aliases such as "US/Eastern" or "Etc/").
_AREAS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
          "Indian/", "Pacific/")


@lru_cache(maxsize=1)
def timezone_options() -> list[tuple[str, str]]:
    zones = sorted(z for z in _zones() if z.startswith(_AREAS) or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


@lru_cache(maxsize=16)
def _countries(language: str) -> list[tuple[str, str]]:
    try:
        names = Locale.parse(language).territories
    except (ValueError, LookupError):
        names = Locale.parse("en").territories
    codes = [c for c in names if isinstance(c, str) and len(c) == 2 and c.isalpha()
             and is_country(c)]
    return sorted(((c, str(names[c])) for c in codes), key=lambda pair: pair[1])


def country_options() -> list[tuple[str, str]]:
    return _countries(current_language.get() or "en")


def _admin(me: Me) -> Actor:
    require_admin(me.actor)
    return me.actor


async def _offices(actor: Actor) -> list[dict[str, Any]]:
    return list((await org.list_offices(actor, PageRequest(MAX_PAGE, 0))).items)


def _office_choices(actor: Actor, offices: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The offices an admin may put staff or courts in."""
    return [(str(o["id"]), o["name"]) for o in offices if office_visible(actor, o["id"])]


def _locked(person: dict[str, Any]) -> bool:
    until = person.get("locked_until")
    if until is None:
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return bool(until > utcnow())


# ---------------------------------------------------------------- staff


@get("/app/admin", name="admin")
async def staff_list(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = Form({k: request.query_params.get(k, "") for k in ("office_id", "offset")})
    offset = form.integer("offset") or 0
    office_id = form.integer("office_id") if actor.is_org_admin else None
    rows = await org.list_staff(actor, PageRequest(STAFF_PAGE, offset), office_id=office_id)
    offices = await _offices(actor)
    filters = {"office_id": office_id} if office_id else {}
    more = urlencode({**filters, "offset": rows.next_offset}) if rows.next_offset else None
    back = urlencode({**filters, "offset": max(0, offset - STAFF_PAGE)}) if offset else None
    return page(request, "admin_staff.html", title=_("Staff"), form=form,
                staff=[{**p, "locked": _locked(p)} for p in rows.items],
                office_names={o["id"]: o["name"] for o in offices},
                office_options=[(str(o["id"]), o["name"]) for o in offices]
                if actor.is_org_admin else [], more=more, back=back, section="staff")


async def _new_staff_context(actor: Actor, form: Form) -> dict[str, Any]:
    offices = await _offices(actor)
    return {"title": _("Invite a member of staff"), "form": form, "section": "staff",
            "office_options": _office_choices(actor, offices), "org_wide": actor.is_org_admin}


@get("/app/admin/staff/new", name="admin-staff-new")
async def new_staff_page(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = Form({"role": "caseworker", "office_id": str(actor.office_id or "")})
    return page(request, "admin_staff_new.html", **await _new_staff_context(actor, form))


async def _invited(request: Request, me: Me, person: dict[str, Any], link: links.IssuedLink,
                   *, status: int = 200) -> Any:
    """The answer to an invitation: the one-time link is shown here, once (never put in an
    address), and emailed to the person when outgoing mail is configured."""
    settings = request.app.state.settings
    mailed = await links.mail_invitation(me.actor, settings, person["id"], link)
    return page(request, "admin_invited.html", status=status, title=_("Invitation"),
                person=person, link=link, mailed=mailed, section="staff",
                mail_configured=mail_configured(settings))


@post("/app/admin/staff/new")
async def new_staff_submit(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = await Form.from_request(request)
    values: dict[str, Any] = {
        "name": form.text("name", required=True, max_length=200),
        "email": form.text("email", required=True, max_length=254),
        "role": form.choice("role", ROLES, required=True),
        "office_id": form.integer("office_id"),
    }
    phone = form.text("phone", max_length=32)
    if phone:
        values["phone"] = phone
    if values["office_id"] is None and not actor.is_org_admin:
        values["office_id"] = actor.office_id
    data = convert(form, StaffCreate, values) if not form.errors else None
    created = None
    if data is not None:
        fields = values_of(data, RENAME)
        created = await attempt(form, lambda: org.create_staff(
            actor, fields, request.app.state.settings))
    if created is None:
        return page(request, "admin_staff_new.html", status=form.status,
                    **await _new_staff_context(actor, form))
    link = links.IssuedLink(links.INVITATION, created["invitation_url"], "",
                            created["invitation_expires_at"])
    return await _invited(request, me, created, link, status=201)


async def _person_context(actor: Actor, staff_id: int, form: Form | None = None,
                          failed: str | None = None) -> dict[str, Any]:
    try:
        person = await org.managed_staff(actor, staff_id)
        can_manage = True
    except Forbidden:  # an organisation-wide account, seen by an office's admin
        person = {**await org.get_staff(actor, staff_id), "has_password": True}
        can_manage = False
    offices = await _offices(actor)
    change = Form({"role": person["role"], "office_id": str(person["office"] or "")},
                  prefix="change-")
    if failed == "change" and form is not None:
        form.prefix = "change-"
        change = form
    return {"title": person["name"], "person": {**person, "locked": _locked(person)},
            "can_manage": can_manage, "is_me": staff_id == actor.staff_id,
            "office_names": {o["id"]: o["name"] for o in offices},
            "office_options": _office_choices(actor, offices), "org_wide": actor.is_org_admin,
            "change": change, "top": form.message if form is not None and failed != "change"
            else None, "section": "staff"}


@get("/app/admin/staff/{staff_id:int}", name="admin-staff")
async def person_page(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    return page(request, "admin_person.html", **await _person_context(_admin(me), staff_id))


async def _refused(request: Request, actor: Actor, staff_id: int, form: Form, failed: str) -> Any:
    context = await _person_context(actor, staff_id, form, failed)
    return page(request, "admin_person.html", status=form.status, **context)


def _expected_office(form: Form) -> int | None:
    raw = str(form.get("expected_office")).strip()
    return int(raw) if raw.isdigit() else None


@post("/app/admin/staff/{staff_id:int}/change")
async def change_staff(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    """Role and office, conditional on the values the page showed (409 if someone else
    changed them meanwhile)."""
    actor = _admin(me)
    form = await Form.from_request(request)
    role = form.choice("role", ROLES, required=True)
    office = form.integer("office_id")
    if office is None and not actor.is_org_admin:
        form.add("office_id", _("Choose the office"))
    expected = {"role": str(form.get("expected_role")), "office": _expected_office(form)}
    changes: dict[str, Any] = {}
    if role != expected["role"]:
        changes["role"] = role
    if office != expected["office"]:
        changes["office"] = office
    if not form.errors and changes and await attempt(form, lambda: org.update_staff(
            actor, staff_id, changes, expected)) is None:
        return await _refused(request, actor, staff_id, form, "change")
    if form.errors:
        return await _refused(request, actor, staff_id, form, "change")
    return see_other(f"/app/admin/staff/{staff_id}?done=staff_saved")


@get("/app/admin/staff/{staff_id:int}/deactivate", name="admin-staff-deactivate")
async def deactivate_page(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    actor = _admin(me)
    person = await org.managed_staff(actor, staff_id)
    return page(request, "admin_deactivate.html", title=_("Deactivate %(name)s") % {"name": person["name"]},
                person=person, form=Form(), section="staff")


@post("/app/admin/staff/{staff_id:int}/deactivate")
async def deactivate(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    actor = _admin(me)
    person = await org.managed_staff(actor, staff_id)
    form = Form()
    if await attempt(form, lambda: org.update_staff(actor, staff_id, {"active": False},
                                                    {"active": True})) is None:
        return page(request, "admin_deactivate.html", status=form.status, person=person,
                    form=form, title=_("Deactivate %(name)s") % {"name": person["name"]}, section="staff")
    return see_other(f"/app/admin/staff/{staff_id}?done=deactivated")


@post("/app/admin/staff/{staff_id:int}/reactivate")
async def reactivate(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    actor = _admin(me)
    form = Form()
    if await attempt(form, lambda: org.update_staff(actor, staff_id, {"active": True},
                                                    {"active": False})) is None:
        return await _refused(request, actor, staff_id, form, "reactivate")
    return see_other(f"/app/admin/staff/{staff_id}?done=reactivated")


@post("/app/admin/staff/{staff_id:int}/unlock")
async def unlock(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    actor = _admin(me)
    form = Form()
    if await attempt(form, lambda: credentials.unlock(actor, staff_id)) is None:
        return await _refused(request, actor, staff_id, form, "unlock")
    return see_other(f"/app/admin/staff/{staff_id}?done=unlocked")


@post("/app/admin/staff/{staff_id:int}/invitation")
async def reinvite(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    actor = _admin(me)
    form = Form()
    link = await attempt(form, lambda: links.issue_invitation(
        actor, request.app.state.settings, staff_id))
    if link is None:
        return await _refused(request, actor, staff_id, form, "invitation")
    return await _invited(request, me, await org.get_staff(actor, staff_id), link)


@post("/app/admin/staff/{staff_id:int}/password-reset")
async def password_reset(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    """A one-time link where the person chooses a new password, shown once to pass on."""
    actor = _admin(me)
    form = Form()
    link = await attempt(form, lambda: links.issue_reset(actor, request.app.state.settings,
                                                         staff_id))
    if link is None:
        return await _refused(request, actor, staff_id, form, "password-reset")
    return page(request, "admin_invited.html", title=_("Password reset link"),
                person=await org.get_staff(actor, staff_id), link=link, mailed=False,
                mail_configured=False, section="staff")


@post("/app/admin/staff/{staff_id:int}/two-factor-reset")
async def two_factor_reset(request: Request, me: CurrentMe, staff_id: FromPath[int]) -> Any:
    """A lost phone: their second factor is removed and their sessions end."""
    actor = _admin(me)
    form = Form()

    async def reset() -> bool:  # attempt() reads None as a refusal
        await mfa.admin_reset(actor, staff_id)
        return True

    if await attempt(form, reset) is None:
        return await _refused(request, actor, staff_id, form, "two-factor-reset")
    return see_other(f"/app/admin/staff/{staff_id}?done=mfa_reset")


# ---------------------------------------------------------------- offices and courts


@get("/app/admin/offices", name="admin-offices")
async def offices_page(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    offices = await _offices(actor)
    courts = await lookups.courts(actor)
    return page(request, "admin_offices.html", title=_("Offices and courts"), offices=[
        {**o, "mine": office_visible(actor, o["id"])} for o in offices], courts=[
        {**c, "mine": c["office"] is None or office_visible(actor, c["office"])} for c in courts],
        office_names={o["id"]: o["name"] for o in offices}, org_wide=actor.is_org_admin,
        section="offices")


def _office_values(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": form.text("name", required=True, max_length=200),
        "country": form.choice("country", [c for c, _n in country_options()], required=True),
        "timezone": form.choice("timezone", [z for z, _n in timezone_options()], required=True),
        "phone": form.text("phone", max_length=32),
        "sms_sender_name": form.text("sms_sender_name", max_length=64),
    }
    return values


def _office_page(request: Request, form: Form, office: dict[str, Any] | None) -> Any:
    title = office["name"] if office else _("New office")
    return page(request, "admin_office.html", status=form.status, title=title, form=form,
                office=office, countries=country_options(), zones=timezone_options(),
                section="offices")


@get("/app/admin/offices/new", name="admin-office-new")
async def new_office_page(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    if not actor.is_org_admin:
        raise Forbidden("only an organisation-wide admin may open an office")
    return _office_page(request, Form(), None)


@post("/app/admin/offices/new")
async def new_office_submit(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = await Form.from_request(request)
    data = convert(form, OfficeCreate, _office_values(form)) if not form.errors else None
    if data is None:
        return _office_page(request, form, None)
    values = values_of(data)
    created = await attempt(form, lambda: org.create_office(actor, values))
    if created is None:
        return _office_page(request, form, None)
    return see_other("/app/admin/offices?done=office_saved")


@get("/app/admin/offices/{office_id:int}", name="admin-office")
async def office_page(request: Request, me: CurrentMe, office_id: FromPath[int]) -> Any:
    actor = _admin(me)
    office = await org.get_office(actor, office_id)
    if not office_visible(actor, office_id):
        raise Forbidden("only this office's admins or an organisation-wide admin may change it")
    form = Form({k: office[k] or "" for k in ("name", "country", "timezone", "phone",
                                              "sms_sender_name")})
    return _office_page(request, form, office)


@post("/app/admin/offices/{office_id:int}")
async def office_submit(request: Request, me: CurrentMe, office_id: FromPath[int]) -> Any:
    actor = _admin(me)
    office = await org.get_office(actor, office_id)
    form = await Form.from_request(request)
    data = convert(form, OfficeUpdate, _office_values(form)) if not form.errors else None
    if data is None:
        return _office_page(request, form, office)
    changes = {k: v for k, v in values_of(data).items() if v != office.get(k)}
    if await attempt(form, lambda: org.update_office(actor, office_id, changes)) is None:
        return _office_page(request, form, office)
    return see_other("/app/admin/offices?done=office_saved")


async def _court_page(request: Request, actor: Actor, form: Form,
                      court: dict[str, Any] | None) -> Any:
    offices = await _offices(actor)
    title = court["name"] if court else _("New court")
    return page(request, "admin_court.html", status=form.status, title=title, form=form,
                court=court, zones=timezone_options(),
                office_options=_office_choices(actor, offices), section="offices")


def _court_values(form: Form) -> dict[str, Any]:
    return {
        "name": form.text("name", required=True, max_length=200),
        "address": form.text("address", max_length=500) or "",
        "timezone": form.choice("timezone", [z for z, _n in timezone_options()], required=True),
        "office_id": form.integer("office_id"),
    }


@get("/app/admin/courts/new", name="admin-court-new")
async def new_court_page(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = Form({"office_id": str(actor.office_id or ""), "timezone": me.office_timezone or ""})
    return await _court_page(request, actor, form, None)


@post("/app/admin/courts/new")
async def new_court_submit(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = await Form.from_request(request)
    data = convert(form, CourtCreate, _court_values(form)) if not form.errors else None
    values = values_of(data, RENAME) if data is not None else {}
    if data is None or await attempt(form, lambda: org.create_court(actor, values)) is None:
        return await _court_page(request, actor, form, None)
    return see_other("/app/admin/offices?done=court_saved")


@get("/app/admin/courts/{court_id:int}", name="admin-court")
async def court_page(request: Request, me: CurrentMe, court_id: FromPath[int]) -> Any:
    actor = _admin(me)
    court = await org.get_court(actor, court_id)
    if court["office"] is not None and not office_visible(actor, court["office"]):
        raise Forbidden("this court belongs to another office")
    form = Form({"name": court["name"], "address": court["address"],
                 "timezone": court["timezone"], "office_id": str(court["office"] or "")})
    return await _court_page(request, actor, form, court)


@post("/app/admin/courts/{court_id:int}")
async def court_submit(request: Request, me: CurrentMe, court_id: FromPath[int]) -> Any:
    actor = _admin(me)
    court = await org.get_court(actor, court_id)
    form = await Form.from_request(request)
    data = convert(form, CourtUpdate, _court_values(form)) if not form.errors else None
    if data is None:
        return await _court_page(request, actor, form, court)
    changes = {k: v for k, v in values_of(data, RENAME).items() if v != court.get(k)}
    if await attempt(form, lambda: org.update_court(actor, court_id, changes)) is None:
        return await _court_page(request, actor, form, court)
    return see_other("/app/admin/offices?done=court_saved")


# ---------------------------------------------------------------- audit log

AUDIT_FILTERS = ("actor_id", "action", "entity", "entity_id", "from", "to")


@get("/app/admin/audit", name="admin-audit")
async def audit_page(request: Request, me: CurrentMe) -> Any:
    actor = _admin(me)
    form = Form({k: request.query_params.get(k, "") for k in (*AUDIT_FILTERS, "offset")})
    actor_id = form.integer("actor_id")
    action = form.choice("action", AUDIT_ACTIONS)
    entity = form.choice("entity", AUDIT_ENTITIES)
    entity_id = form.text("entity_id", max_length=64)
    if entity_id and not entity:
        form.add("entity", _("Choose the kind of record the number belongs to"))
    start, end = form.date("from"), form.date("to")
    if start and end and start > end:
        form.add("to", _("The last day must not be before the first day"))
    offset = form.integer("offset") or 0
    zone = ZoneInfo(me.office_timezone or "UTC")
    staff = (await org.list_staff(actor, PageRequest(MAX_PAGE, 0))).items
    events, more, back = [], None, None
    if form.ok:
        found = await list_audit_events(
            actor, PageRequest(AUDIT_PAGE, offset), actor_id=actor_id, action=action,
            entity=entity, entity_id=entity_id,
            since=datetime.combine(start, time(), zone) if start else None,
            until=datetime.combine(end + timedelta(days=1), time(), zone) if end else None)
        events = await name_events(actor, found.items)
        kept = {k: v for k, v in form.values.items() if v and k in AUDIT_FILTERS}
        if found.next_offset is not None:
            more = urlencode({**kept, "offset": found.next_offset})
        if offset:
            back = urlencode({**kept, "offset": max(0, offset - AUDIT_PAGE)})
    actions = sorted(((k, label("audit_action", k)) for k in AUDIT_ACTIONS), key=lambda p: p[1])
    entities = sorted(((k, label("audit_entity", k)) for k in AUDIT_ENTITIES), key=lambda p: p[1])
    return page(request, "admin_audit.html", status=422 if form.errors else 200,
                title=_("Audit log"), form=form, events=events, more=more, back=back,
                staff_options=lookups.pairs(staff), actions=actions, entities=entities,
                office_names={o["id"]: o["name"] for o in await _offices(actor)},
                zone=zone.key, section="audit")


# The page names of the public surface lead to the administration pages.
@get("/app/staff", name="admin-staff-alias")
async def staff_alias() -> Redirect:
    return Redirect(path="/app/admin", status_code=308)


@get("/app/courts", name="admin-courts-alias")
async def courts_alias() -> Redirect:
    return Redirect(path="/app/admin/offices", status_code=308)


@get("/app/audit", name="admin-audit-alias")
async def audit_alias() -> Redirect:
    return Redirect(path="/app/admin/audit", status_code=308)


HANDLERS = [staff_list, new_staff_page, new_staff_submit, person_page, change_staff,
            deactivate_page, deactivate, reactivate, unlock, reinvite, password_reset,
            two_factor_reset, offices_page,
            new_office_page, new_office_submit, office_page, office_submit, new_court_page,
            new_court_submit, court_page, court_submit, audit_page, staff_alias, courts_alias,
            audit_alias]
