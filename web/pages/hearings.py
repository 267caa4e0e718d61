"""A hearing: details, history, the family's reminders, and the forms that change it
(reschedule, adjourn, cancel, outcome, who accompanies); new hearing for a case."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.cases import AdjournIn, CancelIn, HearingCreate, OutcomeIn, RescheduleIn
from api.schemas.common import values_of
from legal_tracker.access import require_write
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import hearings as svc
from legal_tracker.cases.hearings import ADJOURNMENT_REASONS
from legal_tracker.common import PageRequest, utcnow
from legal_tracker.domain import CASE_STATUSES, HEARING_KINDS
from legal_tracker.reminders import staff as reminders
from web import lookups
from web.forms import Form, attempt, convert
from web.labels import CASE_OUTCOMES
from web.render import page, see_other
from web.session import CurrentMe, Me

FORMS = ("reschedule", "adjourn", "cancel", "outcome", "accompaniment")


async def _context(me: Me, hearing_id: int, *, failed: str | None = None,
                   form: Form | None = None) -> dict[str, Any]:
    hearing = await svc.get_hearing(me.actor, hearing_id)
    history = await svc.hearing_history(me.actor, hearing_id)
    reminder_rows = (await reminders.list_reminders(me.actor, PageRequest(200, 0),
                                                    hearing_id=hearing_id)).items
    warnings = []
    if hearing["status"] == "scheduled":
        warnings = await svc.overlapping_accompaniments(hearing_id, hearing["staff_ids"])
    staff = await lookups.staff(me.actor, hearing["office_id"])
    names = {s["id"]: s["name"] for s in staff}
    names.update({s["id"]: s["name"] for s in hearing["accompanying_staff"]})
    now = utcnow()
    zone = ZoneInfo(hearing["court_timezone"])
    on_the_day = hearing["starts_at"].astimezone(zone).date() <= now.astimezone(zone).date()
    forms = {name: Form(prefix=f"{name}-") for name in FORMS}
    forms["accompaniment"].lists["staff_ids"] = [str(s) for s in hearing["staff_ids"]]
    if failed and form is not None:
        form.prefix = f"{failed}-"
        forms[failed] = form
    return {
        "hearing": hearing, "history": history, "reminders": reminder_rows,
        "warnings": [{**w, "staff_name": names.get(w["staff_id"], "")} for w in warnings],
        "staff_options": lookups.pairs(staff), "names": names, "forms": forms, "failed": failed,
        "can_write": me.actor.can_write, "scheduled": hearing["status"] == "scheduled",
        "started": hearing["starts_at"] <= now, "on_the_day": on_the_day,
        "title": f"{hearing['case_reference']} · {hearing['kind']}",
    }


@get("/app/hearings/{hearing_id:int}", name="hearing")
async def hearing_page(request: Request, me: CurrentMe, hearing_id: FromPath[int]) -> Any:
    return page(request, "hearing.html", **await _context(me, hearing_id))


async def _refused(request: Request, me: CurrentMe, hearing_id: FromPath[int], name: str, form: Form) -> Any:
    context = await _context(me, hearing_id, failed=name, form=form)
    return page(request, "hearing.html", status=form.status, **context)


@post("/app/hearings/{hearing_id:int}/reschedule")
async def reschedule(request: Request, me: CurrentMe, hearing_id: FromPath[int]) -> Any:
    hearing = await svc.get_hearing(me.actor, hearing_id)
    form = await Form.from_request(request)
    starts_at = form.local_datetime("starts_at", hearing["court_timezone"])
    reason = form.text("reason", max_length=1000)
    data = convert(form, RescheduleIn, {"starts_at": starts_at, "reason": reason}) if starts_at else None
    if data is None or await attempt(form, lambda: svc.reschedule_hearing(
            me.actor, hearing_id, data.starts_at, data.reason)) is None:
        return await _refused(request, me, hearing_id, "reschedule", form)
    return see_other(f"/app/hearings/{hearing_id}?done=rescheduled")


@post("/app/hearings/{hearing_id:int}/adjourn")
async def adjourn(request: Request, me: CurrentMe, hearing_id: FromPath[int]) -> Any:
    hearing = await svc.get_hearing(me.actor, hearing_id)
    form = await Form.from_request(request)
    next_starts_at = form.local_datetime("next_starts_at", hearing["court_timezone"])
    reason = form.choice("reason", ADJOURNMENT_REASONS, required=True)
    note = form.text("note", max_length=2000)
    data = None
    if next_starts_at and reason:
        data = convert(form, AdjournIn, {"next_starts_at": next_starts_at, "reason": reason,
                                         "note": note})
    created = None
    if data is not None:
        created = await attempt(form, lambda: svc.adjourn_hearing(
            me.actor, hearing_id, data.next_starts_at, data.reason, data.note))
    if created is None:
        return await _refused(request, me, hearing_id, "adjourn", form)
    return see_other(f"/app/hearings/{created['id']}?done=adjourned")


@post("/app/hearings/{hearing_id:int}/cancel")
async def cancel(request: Request, me: CurrentMe, hearing_id: FromPath[int]) -> Any:
    form = await Form.from_request(request)
    reason = form.text("reason", required=True, max_length=1000)
    data = convert(form, CancelIn, {"reason": reason}) if reason else None
    if data is None or await attempt(form, lambda: svc.cancel_hearing(
            me.actor, hearing_id, data.reason)) is None:
        return await _refused(request, me, hearing_id, "cancel", form)
    return see_other(f"/app/hearings/{hearing_id}?done=cancelled")


@post("/app/hearings/{hearing_id:int}/outcome")
async def outcome(request: Request, me: CurrentMe, hearing_id: FromPath[int]) -> Any:
    form = await Form.from_request(request)
    values = {
        "outcome_notes": form.text("outcome_notes", required=True, max_length=20_000),
        "next_steps": form.text("next_steps", max_length=20_000),
        "case_status": form.choice("case_status", CASE_STATUSES),
        "case_outcome": form.choice("case_outcome", CASE_OUTCOMES),
        "sentence": form.text("sentence", max_length=1000),
    }
    data = convert(form, OutcomeIn, values) if not form.errors else None
    if data is None or await attempt(form, lambda: svc.record_outcome(
            me.actor, hearing_id, values_of(data))) is None:
        return await _refused(request, me, hearing_id, "outcome", form)
    return see_other(f"/app/hearings/{hearing_id}?done=outcome")


@post("/app/hearings/{hearing_id:int}/accompaniment")
async def accompaniment(request: Request, me: CurrentMe, hearing_id: FromPath[int]) -> Any:
    form = await Form.from_request(request)
    staff_ids = form.integers("staff_ids")
    if form.errors or await attempt(form, lambda: svc.update_hearing(
            me.actor, hearing_id, {"staff_ids": staff_ids})) is None:
        return await _refused(request, me, hearing_id, "accompaniment", form)
    return see_other(f"/app/hearings/{hearing_id}?done=accompaniment")


@post("/app/reminders/{reminder_id:int}/resend")
async def resend(request: Request, me: CurrentMe, reminder_id: FromPath[int]) -> Any:
    current = await reminders.get_reminder(me.actor, reminder_id)
    form = Form()
    if await attempt(form, lambda: reminders.resend_reminder(me.actor, reminder_id)) is None:
        context = await _context(me, current["hearing"])
        context["top_message"] = form.message
        return page(request, "hearing.html", status=form.status, **context)
    return see_other(f"/app/hearings/{current['hearing']}?done=resent")


async def _new_context(me: Me, case: dict[str, Any], form: Form) -> dict[str, Any]:
    courts = await lookups.courts(me.actor, case["office"])
    staff = await lookups.staff(me.actor, case["office"])
    return {"case": case, "form": form, "title": "New hearing",
            "court_options": lookups.pairs(courts), "staff_options": lookups.pairs(staff),
            "court_zones": {c["id"]: c["timezone"] for c in courts}}


@get("/app/cases/{case_id:int}/hearings/new", name="new_hearing")
async def new_hearing_page(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    require_write(me.actor)
    form = Form({"court_id": str(case["court"] or ""), "kind": "mention", "duration_minutes": "120"})
    return page(request, "hearing_new.html", **await _new_context(me, case, form))


@post("/app/cases/{case_id:int}/hearings/new")
async def new_hearing_submit(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    require_write(me.actor)
    form = await Form.from_request(request)
    context = await _new_context(me, case, form)
    court_id = form.integer("court_id") or case["court"]
    if court_id is None:
        form.add("court_id", "Choose the court")
    zone = context["court_zones"].get(court_id) or me.office_timezone or "UTC"
    values = {
        "starts_at": form.local_datetime("starts_at", zone),
        "kind": form.choice("kind", HEARING_KINDS, required=True),
        "court_id": court_id, "courtroom": form.text("courtroom", max_length=200) or "",
        "duration_minutes": form.integer("duration_minutes") or 120,
        "survivor_attends": form.checked("survivor_attends"),
        "survivor_testifies": form.checked("survivor_testifies"),
        "family_attends": form.checked("family_attends"),
        "staff_ids": form.integers("staff_ids"),
        "what_to_bring": form.text("what_to_bring", max_length=2000) or "",
    }
    data = convert(form, HearingCreate, values) if not form.errors else None
    created = None
    if data is not None:
        created = await attempt(form, lambda: svc.create_hearing(
            me.actor, case_id, values_of(data, {"court_id": "court"})))
    if created is None:
        return page(request, "hearing_new.html", status=form.status, **context)
    return see_other(f"/app/hearings/{created['id']}?done=created")


HANDLERS = [hearing_page, reschedule, adjourn, cancel, outcome, accompaniment, resend,
            new_hearing_page, new_hearing_submit]
