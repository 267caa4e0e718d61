"""Immigration applications of a survivor: the list and a form to add one; an application with
its milestones, its warnings (the law-enforcement certification's age, an overdue answer to a
request for evidence) and the forms that add a milestone, record the decision and change the
details."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.casework import ImmigrationCreate, ImmigrationUpdate
from api.schemas.common import values_of
from legal_tracker.access import require_write
from legal_tracker.cases import survivors as survivor_svc
from legal_tracker.casework import immigration as svc
from legal_tracker.casework.vocab import IMMIGRATION_KINDS, IMMIGRATION_OUTCOMES
from legal_tracker.common import MAX_PAGE, PageRequest, utcnow
from web.formatting import short_day
from web.forms import Form, attempt, convert
from web.i18n import gettext_ as _
from web.labels import GROUNDS_OUTCOMES, MILESTONE_DATES, label
from web.render import page, see_other
from web.session import CurrentMe, Me

RENAME = {"case_id": "case"}
# Date columns the "add a milestone" form offers (the decision has its own form).
MILESTONE_CHOICES = [c for c in MILESTONE_DATES if c != "decision_on"]
# A UK NRM grounds decision's date column -> its result column.
GROUNDS = {"reasonable_grounds_on": "reasonable_grounds_outcome",
           "conclusive_grounds_on": "conclusive_grounds_outcome"}
_BEFORE = re.compile(r"^(\w+) cannot be before (\w+)$")
_REQUIRED_WITH = re.compile(r"^required with (\w+)$")


def _plain(form: Form) -> None:
    """The service names columns ("filed_on cannot be before prepared_on"): say it in words."""
    for field, message in list(form.errors.items()):
        before = _BEFORE.match(message)
        required = _REQUIRED_WITH.match(message)
        if before:
            form.errors[field] = _("The date of “%(later)s” cannot be before the date of “%(earlier)s”.") % {
                "later": label("milestone", before.group(1)), "earlier": label("milestone", before.group(2))}
        elif required and required.group(1) in MILESTONE_DATES:
            form.errors[field] = _("Record this date first: it comes before “%(then)s”.") % {
                "then": label("milestone", required.group(1))}
        elif required:
            form.errors[field] = _("Enter the date of the decision as well.")


def notices(application: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """The warnings of :func:`legal_tracker.casework.immigration.warnings_of` in plain words,
    each with the date it turns on; and, for a U visa not filed yet, until when the signed
    certification can still be used (``certification_expires_on``)."""
    a = application
    expires = a["certification_expires_on"]
    out = []
    for w in a["warnings"]:
        if w["code"] == "certification_stale":
            text = _("The law-enforcement certification was signed on %(signed)s and could be used "
                     "for filing until %(expires)s, but the petition was filed on %(filed)s. USCIS "
                     "may reject it: ask for a new certification.")
        elif w["code"] == "certification_missing":
            text = _("The petition was filed on %(filed)s without a signed law-enforcement "
                     "certification.")
        elif w["code"] == "rfe_overdue":
            text = _("The answer to the request for evidence was due on %(due)s and has not been sent.")
        else:
            text = w["message"]
        out.append({"code": w["code"], "text": text, "on": {
            "certification_stale": expires, "certification_missing": a["filed_on"],
            "rfe_overdue": a["rfe_due_on"]}.get(w["code"])})
    if a["kind"] == "u_visa" and expires and not a["filed_on"]:
        code = "certification_expired" if expires < today else "certification_valid_until"
        text = (_("The law-enforcement certification signed on %(signed)s could be used for filing "
                  "until %(expires)s only: ask for a new one before filing.") if expires < today else
                _("File the petition by %(expires)s: the law-enforcement certification signed on "
                  "%(signed)s is accepted for six months."))
        out.append({"code": code, "text": text, "on": expires})
    return out


def _notice_texts(application: dict[str, Any]) -> list[dict[str, Any]]:
    a = application
    values = {"signed": short_day(a["certification_signed_on"]),
              "expires": short_day(a["certification_expires_on"]),
              "filed": short_day(a["filed_on"]), "due": short_day(a["rfe_due_on"])}
    return [{**n, "text": n["text"] % values} for n in notices(a, utcnow().date())]


def _details_values(form: Form) -> dict[str, Any]:
    return {
        "jurisdiction": form.text("jurisdiction", max_length=64) or "",
        "receipt_number": form.text("receipt_number", max_length=64),
        "certification_requested_on": form.date("certification_requested_on"),
        "certification_signed_on": form.date("certification_signed_on"),
        "notes": form.text("notes", max_length=20_000) or "",
    }


# ---------------------------------------------------------------- a survivor's applications


async def _list_context(me: Me, survivor_id: int, form: Form | None = None) -> dict[str, Any]:
    applications = (await svc.list_applications(me.actor, survivor_id, PageRequest(MAX_PAGE, 0))).items
    survivor = await survivor_svc.get_survivor(me.actor, survivor_id)
    return {"survivor": survivor,
            "applications": [{**a, "notices": _notice_texts(a)} for a in applications],
            "form": form or Form(), "can_write": me.actor.can_write,
            "title": _("Immigration of %(code)s") % {"code": survivor["code"]}}


@get("/app/survivors/{survivor_id:int}/immigration", name="survivor_immigration")
async def applications_page(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    return page(request, "immigration.html", **await _list_context(me, survivor_id))


@post("/app/survivors/{survivor_id:int}/immigration")
async def add_application(request: Request, me: CurrentMe, survivor_id: FromPath[int]) -> Any:
    await survivor_svc.get_survivor(me.actor, survivor_id, audited=False)
    require_write(me.actor)
    form = await Form.from_request(request)
    values = {"kind": form.choice("kind", IMMIGRATION_KINDS, required=True), **_details_values(form)}
    data = convert(form, ImmigrationCreate, values) if not form.errors else None
    created = None
    if data is not None:
        created = await attempt(form, lambda: svc.create_application(
            me.actor, survivor_id, values_of(data, RENAME)))
    if created is None:
        _plain(form)
        return page(request, "immigration.html", status=form.status,
                    **await _list_context(me, survivor_id, form))
    return see_other(f"/app/immigration/{created['id']}?done=created")


# ---------------------------------------------------------------- one application

async def _application_context(me: Me, application_id: int, *, failed: str | None = None,
                               form: Form | None = None) -> dict[str, Any]:
    application = await svc.get_application(me.actor, application_id)
    survivor = await survivor_svc.get_survivor(me.actor, application["survivor"], audited=False)
    a = application
    forms = {
        "milestone": Form(prefix="milestone-"),
        "decision": Form({"outcome": a["outcome"] or "",
                          "decision_on": a["decision_on"].isoformat() if a["decision_on"] else ""},
                         prefix="decision-"),
        "details": Form({k: (v.isoformat() if isinstance(v, date) else (v or ""))
                         for k, v in a.items() if k in ("jurisdiction", "receipt_number",
                                                        "certification_requested_on",
                                                        "certification_signed_on", "notes")},
                        prefix="details-"),
    }
    if failed and form is not None:
        form.prefix = f"{failed}-"
        forms[failed] = form
    nrm = a["kind"] == "uk_nrm"
    choices = [(c, label("milestone", c)) for c in MILESTONE_CHOICES
               if nrm or c not in svc.NRM_ONLY]
    return {"application": a, "survivor": survivor, "forms": forms, "failed": failed,
            "notices": _notice_texts(a), "milestone_options": choices, "nrm": nrm,
            "can_write": me.actor.can_write,
            "title": f"{label('immigration_kind', a['kind'])} · {survivor['code']}"}


@get("/app/immigration/{application_id:int}", name="immigration_application")
async def application_page(request: Request, me: CurrentMe, application_id: FromPath[int]) -> Any:
    return page(request, "immigration_application.html",
                **await _application_context(me, application_id))


async def _change(request: Request, me: Me, application_id: int, name: str, form: Form,
                  values: dict[str, Any]) -> Any:
    data = convert(form, ImmigrationUpdate, values) if not form.errors else None
    if data is None or await attempt(form, lambda: svc.update_application(
            me.actor, application_id, values_of(data, RENAME))) is None:
        _plain(form)
        return page(request, "immigration_application.html", status=form.status,
                    **await _application_context(me, application_id, failed=name, form=form))
    return see_other(f"/app/immigration/{application_id}?done=saved")


@post("/app/immigration/{application_id:int}/milestone")
async def add_milestone(request: Request, me: CurrentMe, application_id: FromPath[int]) -> Any:
    require_write(me.actor)
    form = await Form.from_request(request)
    column = form.choice("milestone", MILESTONE_CHOICES, required=True)
    on = form.date("on", required=True)
    result = form.choice("result", GROUNDS_OUTCOMES)
    values: dict[str, Any] = {column: on} if column else {}
    if result and column in GROUNDS:
        values[GROUNDS[column]] = result
    elif result:
        form.add("result", _("Only a reasonable or conclusive grounds decision has a result"))
    data = convert(form, ImmigrationUpdate, values) if column and on and not form.errors else None
    if data is not None and await attempt(form, lambda: svc.update_application(
            me.actor, application_id, values_of(data))) is not None:
        return see_other(f"/app/immigration/{application_id}?done=saved")
    # The service names the date column; on this form it is the date field.
    if column and column in form.errors:
        form.errors.setdefault("on", form.errors.pop(column))
    for other in [f for f in form.errors if f not in ("milestone", "on", "result")]:
        form.errors.setdefault("on", form.errors.pop(other))
    _plain(form)
    return page(request, "immigration_application.html", status=form.status,
                **await _application_context(me, application_id, failed="milestone", form=form))


@post("/app/immigration/{application_id:int}/decision")
async def record_decision(request: Request, me: CurrentMe, application_id: FromPath[int]) -> Any:
    require_write(me.actor)
    form = await Form.from_request(request)
    values = {"outcome": form.choice("outcome", IMMIGRATION_OUTCOMES, required=True),
              "decision_on": form.date("decision_on", required=True)}
    return await _change(request, me, application_id, "decision", form, values)


@post("/app/immigration/{application_id:int}/details")
async def change_details(request: Request, me: CurrentMe, application_id: FromPath[int]) -> Any:
    require_write(me.actor)
    form = await Form.from_request(request)
    return await _change(request, me, application_id, "details", form, _details_values(form))


HANDLERS = [applications_page, add_application, application_page, add_milestone,
            record_decision, change_details]
