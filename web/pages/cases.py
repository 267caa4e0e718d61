"""Cases: the list with search and filters, a case, a new case, revealing a legal name."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath

from api.schemas.cases import CaseCreate
from api.schemas.common import values_of
from legal_tracker.access import require_write
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import hearings as hearing_svc
from legal_tracker.cases import survivors as survivor_svc
from legal_tracker.casework.timeline import case_timeline, chains
from legal_tracker.common import PageRequest, utcnow
from legal_tracker.domain import CASE_STATUSES, OFFENCE_CATEGORIES
from legal_tracker.organisation.service import list_offices
from web import lookups
from web.forms import Form, attempt, convert
from web.render import page, see_other
from web.session import CurrentMe, Me

PAGE_SIZE = 25
RENAME = {"office_id": "office", "court_id": "court"}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@get("/app/cases", name="cases")
async def cases_page(request: Request, me: CurrentMe) -> Any:
    params = request.query_params
    q = (params.get("q") or "").strip()[:100] or None
    status = params.get("status") if params.get("status") in CASE_STATUSES else None
    filters = {"q": q, "status": status, "court_id": _int(params.get("court_id")),
               "staff_id": _int(params.get("staff_id"))}
    offset = _int(params.get("offset")) or 0
    result = await case_svc.list_cases(me.actor, PageRequest(PAGE_SIZE, offset), **filters)
    total = await case_svc.count_cases(me.actor, **filters)
    courts = await lookups.courts(me.actor, me.actor.office_id)
    staff = await lookups.staff(me.actor, me.actor.office_id)
    kept = {k: v for k, v in filters.items() if v is not None}
    links = {}
    if offset > 0:
        links["previous"] = "?" + urlencode({**kept, "offset": max(0, offset - PAGE_SIZE)})
    if result.next_offset is not None:
        links["next"] = "?" + urlencode({**kept, "offset": result.next_offset})
    form = Form({k: "" if v is None else str(v) for k, v in filters.items()})
    return page(request, "cases.html", title="Cases", cases=result.items, total=total,
                offset=offset, links=links, form=form, searched=bool(kept),
                courts=lookups.by_id(courts), staff=lookups.by_id(staff),
                court_options=lookups.pairs(courts), staff_options=lookups.pairs(staff))


async def _case_context(me: Me, case_id: int, *, revealed: dict[int, str] | None = None) -> dict:
    case = await case_svc.get_case(me.actor, case_id)
    courts = lookups.by_id(await lookups.courts(me.actor))
    staff = lookups.by_id(await lookups.staff(me.actor, case["office"]))
    survivors = []
    for link in case["survivors"]:
        survivor = await survivor_svc.get_survivor(me.actor, link["id"])
        survivors.append({**survivor, "role": link["role"],
                          "revealed": (revealed or {}).get(link["id"])})
    hearings = (await hearing_svc.list_hearings(me.actor, PageRequest(200, 0),
                                                case_id=case_id)).items
    chain = chains(hearings)
    now = utcnow()
    upcoming = [h for h in hearings if h["status"] == "scheduled" and h["ends_at"] >= now]
    past = [h for h in hearings if h not in upcoming]
    past.reverse()
    timeline = await case_timeline(me.actor, case_id)
    return {"case": case, "court": courts.get(case["court"]), "staff": staff,
            "survivors": survivors, "upcoming": upcoming, "past": past, "chains": chain,
            "timeline": timeline, "title": case["reference"]}


@get("/app/cases/{case_id:int}", name="case")
async def case_page(request: Request, me: CurrentMe, case_id: FromPath[int]) -> Any:
    return page(request, "case.html", **await _case_context(me, case_id))


@post("/app/cases/{case_id:int}/survivors/{survivor_id:int}/reveal")
async def reveal_legal_name(request: Request, me: CurrentMe, case_id: FromPath[int],
                            survivor_id: FromPath[int]) -> Any:
    """Shows one survivor's legal name on the case page, once: recorded in the audit log by
    the service. Not a link (a GET could be prefetched or bookmarked)."""
    case = await case_svc.get_case(me.actor, case_id)
    if survivor_id not in case["survivor_ids"]:
        from legal_tracker.errors import NotFound

        raise NotFound("survivor")
    survivor = await survivor_svc.get_survivor(me.actor, survivor_id, {"legal_name"})
    context = await _case_context(me, case_id, revealed={survivor_id: survivor["legal_name"] or ""})
    return page(request, "case.html", **context)


async def _new_case_context(me: Me, form: Form) -> dict[str, Any]:
    offices = (await list_offices(me.actor, PageRequest(200, 0))).items if me.actor.is_org_admin else []
    courts = await lookups.courts(me.actor, me.actor.office_id)
    staff = await lookups.staff(me.actor, me.actor.office_id)
    return {"form": form, "title": "New case", "office_options": lookups.pairs(offices),
            "court_options": lookups.pairs(courts), "staff_options": lookups.pairs(staff),
            "offences": OFFENCE_CATEGORIES}


@get("/app/cases/new", name="new_case")
async def new_case_page(request: Request, me: CurrentMe) -> Any:
    require_write(me.actor)
    form = Form({"status": "investigation"}, {"staff_ids": [str(me.staff_id)]})
    return page(request, "case_new.html", **await _new_case_context(me, form))


@post("/app/cases/new")
async def new_case_submit(request: Request, me: CurrentMe) -> Any:
    require_write(me.actor)
    form = await Form.from_request(request)
    accused = [{"name": name.strip(), "status": "at_large"}
               for name in str(form.get("accused")).splitlines() if name.strip()]
    values: dict[str, Any] = {
        "reference": form.text("reference", required=True, max_length=200) or "",
        "court_case_number": form.text("court_case_number", max_length=200),
        "court_id": form.integer("court_id"),
        "office_id": form.integer("office_id") if me.actor.is_org_admin else None,
        "offence_category": form.choice("offence_category", OFFENCE_CATEGORIES) or "other",
        "status": form.choice("status", CASE_STATUSES) or "investigation",
        "charged_on": form.date("charged_on"),
        "staff_ids": form.integers("staff_ids"),
        "accused": accused,
    }
    data = convert(form, CaseCreate, values) if not form.errors else None
    created = None
    if data is not None:
        created = await attempt(form, lambda: case_svc.create_case(me.actor, values_of(data, RENAME)))
    if created is None:
        return page(request, "case_new.html", status=form.status,
                    **await _new_case_context(me, form))
    return see_other(f"/app/cases/{created['id']}?done=created")


def is_past(value: datetime) -> bool:
    return value < utcnow()


HANDLERS = [cases_page, new_case_page, new_case_submit, case_page, reveal_legal_name]
