"""The court day (the home page): the office's hearings for a day or an ISO week, grouped by
day and court, under the roster rule of legal_tracker/cases/roster.py."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from litestar import Request, get

from legal_tracker.cases.roster import office_roster, resolve_office, today_in
from legal_tracker.common import PageRequest
from legal_tracker.errors import Invalid
from legal_tracker.organisation.service import list_offices
from web.render import page
from web.session import CurrentMe


def _iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


@get("/app/", name="day")
async def day_page(request: Request, me: CurrentMe) -> Any:
    params = request.query_params
    office_id: int | None = None
    raw_office = params.get("office_id")
    if raw_office and raw_office.isdigit():
        office_id = int(raw_office)
    offices: list[dict[str, Any]] = []
    if me.actor.is_org_admin:
        offices = (await list_offices(me.actor, PageRequest(200, 0))).items
        if office_id is None and offices:
            office_id = offices[0]["id"]
    if office_id is None and me.actor.office_id is None:
        return page(request, "day.html", title="Court day", roster=None, groups=[], offices=offices,
                    office_id=None, view="day", error=None, nav={})
    office = await resolve_office(me.actor, office_id)
    today = today_in(office["timezone"])
    week = params.get("week")
    error = None
    chosen: date | None = None
    if not week:
        try:
            chosen = date.fromisoformat(params.get("day") or today.isoformat())
        except ValueError:
            chosen, error = today, "day"
    try:
        roster = await office_roster(me.actor, office["id"], day=chosen if not week else None,
                                     week=week or None)
    except Invalid:
        error = "week"
        roster = await office_roster(me.actor, office["id"], day=today)
        week = None
    groups = [
        (day, [(court, list(hearings)) for court, hearings in
               groupby(items, key=lambda i: (i["court_id"], i["court_name"], i["court_timezone"]))])
        for day, items in groupby(roster.items, key=lambda i: i["local_date"])
    ]
    first = roster.first_day
    suffix = f"&office_id={office['id']}" if me.actor.is_org_admin else ""
    if week:
        nav = {"previous": f"?week={_iso_week(first - timedelta(days=7))}{suffix}",
               "next": f"?week={_iso_week(first + timedelta(days=7))}{suffix}",
               "other": f"?day={first.isoformat()}{suffix}"}
    else:
        nav = {"previous": f"?day={(first - timedelta(days=1)).isoformat()}{suffix}",
               "next": f"?day={(first + timedelta(days=1)).isoformat()}{suffix}",
               "other": f"?week={_iso_week(first)}{suffix}"}
    nav["today"] = f"?day={today.isoformat()}{suffix}"
    return page(request, "day.html", title="Court day", roster=roster, groups=groups,
                offices=offices, office_id=office["id"], view="week" if week else "day",
                error=error, nav=nav, today=today)


HANDLERS = [day_page]
