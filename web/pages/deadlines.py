"""Deadlines: what must not be missed, "Mine" or "My office", overdue ones first; mark a
deadline entered by hand done; add one to a case (from the case, or choosing the case).

"Mine" is the deadlines of the cases I am assigned to (the case's assigned staff: the data
model has no other owner of a case). "My office" is every deadline I may see: the whole
office for its administrators (every office for an organisation-wide administrator); for
lawyers, caseworkers and viewers, who see only the cases they are assigned to, the two lists
are the same. Both lists come from ``legal_tracker.casework.deadlines.upcoming_deadlines``,
the service behind ``GET /api/deadlines``.
"""

from __future__ import annotations

from typing import Any, get_args
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.casework import DeadlineCreate
from api.schemas.common import values_of
from legal_tracker.access import require_write
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import survivors as survivor_svc
from legal_tracker.casework import deadlines as svc
from legal_tracker.casework.vocab import DeadlineKind
from legal_tracker.common import MAX_PAGE, PageRequest
from legal_tracker.errors import NotFound
from web.forms import Form, attempt, convert
from web.labels import label
from web.render import page, see_other
from web.session import CurrentMe, Me

VIEWS = ("mine", "office")
WITHIN = (7, 14, 30, 90)
DEFAULT_WITHIN = 30
MANUAL_KINDS: tuple[str, ...] = get_args(DeadlineKind)


def _view(raw: Any) -> str:
    return raw if raw in VIEWS else "mine"


def _within(raw: Any) -> int:
    return int(raw) if str(raw) in {str(d) for d in WITHIN} else DEFAULT_WITHIN


def _list_address(view: str, within: int, **extra: str) -> str:
    return "/app/deadlines?" + urlencode({"view": view, "within": within, **extra})


async def _family_contacts(me: Me, items: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """For each case with a "call the family" item: its survivors (id and code), whose page
    lists the family contacts. Codes are the pseudonyms staff see by default, so reading them
    here is not written to the audit log (opening the survivor's page is)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for case_id in sorted({i["case_id"] for i in items
                           if i["kind"] == "call_the_family" and i["case_id"]}):
        try:
            case = await case_svc.get_case(me.actor, case_id)
        except NotFound:
            continue
        out[case_id] = []
        for link in case["survivors"]:
            survivor = await survivor_svc.get_survivor(me.actor, link["id"], audited=False)
            out[case_id].append({"id": survivor["id"], "code": survivor["code"]})
    return out


async def _list_context(me: Me, view: str, within: int) -> dict[str, Any]:
    items = await svc.upcoming_deadlines(me.actor, within_days=within, sources=svc.API_SOURCES,
                                         assigned_only=view == "mine")
    # Overdue ones first (each counted in its office's zone by the service), then by date.
    items.sort(key=lambda i: (not i["overdue"], i["due_date"]))
    return {
        "title": "Deadlines", "view": view, "within": within, "within_options": WITHIN,
        "overdue": [i for i in items if i["overdue"]],
        "coming": [i for i in items if not i["overdue"]],
        "contacts": await _family_contacts(me, items),
        "can_write": me.actor.can_write, "org_admin": me.actor.is_org_admin,
        "office_admin": me.actor.is_admin and not me.actor.is_org_admin,
        "top_message": None,
    }


@get("/app/deadlines", name="deadlines")
async def deadlines_page(request: Request, me: CurrentMe) -> Any:
    params = request.query_params
    context = await _list_context(me, _view(params.get("view")), _within(params.get("within")))
    return page(request, "deadlines.html", **context)


@post("/app/deadlines/{deadline_id:int}/done")
async def mark_done(request: Request, me: CurrentMe, deadline_id: FromPath[int]) -> Any:
    """One conditional update (the service's): of two people marking it done at once, the
    second sees a sentence on top (409) and the list as it is now."""
    form = await Form.from_request(request)
    view, within = _view(form.get("view")), _within(form.get("within"))
    raw_case = str(form.get("case_id"))  # set when marked from a case's deadlines
    case_id = int(raw_case) if raw_case.isdigit() and len(raw_case) < 10 else None
    if await attempt(form, lambda: svc.update_deadline(me.actor, deadline_id, {"done": True})) is None:
        if case_id is not None:
            context = await _new_context(me, Form(), await case_svc.get_case(me.actor, case_id))
        else:
            context = await _list_context(me, view, within)
        context["top_message"] = form.message
        template = "deadline_new.html" if case_id is not None else "deadlines.html"
        return page(request, template, status=form.status, **context)
    if case_id is not None:
        return see_other(f"/app/cases/{case_id}/deadlines/new?done=deadline_done")
    return see_other(_list_address(view, within, done="deadline_done"))


# ---------------------------------------------------------------- adding a deadline


async def _new_context(me: Me, form: Form, case: dict[str, Any] | None) -> dict[str, Any]:
    require_write(me.actor)
    case_options: list[tuple[str, str]] = []
    existing: list[dict[str, Any]] = []
    if case is None:
        # The cases I may see, newest first (an administrator with more than a page of cases
        # adds a deadline from the case's own page).
        rows = (await case_svc.list_cases(me.actor, PageRequest(MAX_PAGE, 0))).items
        case_options = [(str(r["id"]), r["reference"]) for r in rows]
    else:
        existing = (await svc.list_case_deadlines(me.actor, case["id"], PageRequest(MAX_PAGE, 0),
                                                  include_done=False)).items
    if not form.get("kind"):
        form.values["kind"] = "filing"
    return {
        "title": "New deadline", "form": form, "case": case, "case_options": case_options,
        "existing": existing, "top_message": None,
        "kind_options": [(k, label("deadline_kind", k)) for k in MANUAL_KINDS],
    }


async def _create(request: Request, me: Me, case: dict[str, Any] | None) -> Any:
    form = await Form.from_request(request)
    case_id = case["id"] if case is not None else form.integer("case_id", required=True)
    values = {
        "title": form.text("title", required=True, max_length=200),
        "due_on": form.date("due_on", required=True),
        "kind": form.choice("kind", MANUAL_KINDS, required=True),
        "what_to_do": form.text("what_to_do", max_length=10_000) or "",
    }
    data = convert(form, DeadlineCreate, values) if not form.errors else None
    created = None
    if data is not None and case_id is not None:
        # A case the person may not see is "not found", like typing its address.
        created = await attempt(form, lambda: svc.create_deadline(me.actor, case_id, values_of(data)))
    if created is None:
        return page(request, "deadline_new.html", status=form.status,
                    **await _new_context(me, form, case))
    return see_other(f"/app/cases/{created['case']}/deadlines/new?done=deadline_added")


@get("/app/deadlines/new", name="new_deadline")
async def new_deadline_page(request: Request, me: CurrentMe) -> Any:
    form = Form({"case_id": request.query_params.get("case_id", "")})
    return page(request, "deadline_new.html", **await _new_context(me, form, None))


@post("/app/deadlines/new")
async def new_deadline_submit(request: Request, me: CurrentMe) -> Any:
    require_write(me.actor)
    return await _create(request, me, None)


@get("/app/cases/{case_id:int}/deadlines/new", name="new_case_deadline")
async def new_case_deadline_page(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    return page(request, "deadline_new.html", **await _new_context(me, Form(), case))


@post("/app/cases/{case_id:int}/deadlines/new")
async def new_case_deadline_submit(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    case = await case_svc.get_case(me.actor, case_id)
    require_write(me.actor)
    return await _create(request, me, case)


HANDLERS = [deadlines_page, mark_done, new_deadline_page, new_deadline_submit,
            new_case_deadline_page, new_case_deadline_submit]
