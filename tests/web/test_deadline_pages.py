"""The deadlines page over HTTP: overdue first and said in words, "Mine" and "My office",
marking done (and losing the race), adding one with the problems beside the fields,
need-to-know, and a viewer who sees no buttons and is refused when posting anyway."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from legal_tracker.casework.tables import Deadline
from tests.conftest import World
from tests.web.test_foundation import csrf_of, sign_in
from tests.web.test_pages import _post

NAIROBI = ZoneInfo("Africa/Nairobi")


def _day(days: int) -> str:
    return (datetime.now(NAIROBI) + timedelta(days=days)).date().isoformat()


async def _setup(world: World) -> dict:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"], email="lawyer@example.org",
                                         name="Amina Lawyer")
    admin_id, _ = await world.user("admin", office["id"], email="boss@example.org", name="Office Boss")
    viewer_id, _ = await world.user("viewer", office["id"], email="viewer@example.org", name="Vic Viewer")
    survivor = await world.survivor(office["id"], lawyer, code="SRV-7Q")
    mine = await world.case(office["id"], court["id"], lawyer, reference="CR 1/2026",
                            survivor_ids=[survivor["id"]], staff_ids=[lawyer_id, admin_id, viewer_id])
    other = await world.case(office["id"], court["id"], lawyer, reference="CR 2/2026",
                             staff_ids=[lawyer_id])

    async def deadline(case: dict, days: int, title: str) -> int:
        return (await world.post(f"/api/cases/{case['id']}/deadlines",
                                 {"due_on": _day(days), "title": title}, lawyer))["id"]

    ids = {"late": await deadline(mine, -4, "Serve the notice"),
           "soon": await deadline(other, 2, "File the brief"),
           "today": await deadline(mine, 0, "Send the bundle"),
           "later": await deadline(mine, 9, "Answer the court")}
    # The survivor attends a hearing tomorrow and no message reached the family: "call the family".
    tomorrow = (datetime.now(NAIROBI) + timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                                   microsecond=0)
    hearing = await world.hearing(mine["id"], tomorrow.isoformat(), lawyer, survivor_attends=True)
    return {"office": office, "lawyer": lawyer, "mine": mine, "other": other, "ids": ids,
            "hearing": hearing, "survivor": survivor}


def _titles(html: str) -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", html)


async def test_overdue_first_in_words_then_by_date_and_the_family_links(
        world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    r = await web.get("/app/deadlines")
    assert r.status_code == 200
    html = r.text
    # Overdue first; then by date (two due today: in the service's order, by key).
    assert _titles(html) == ["Serve the notice", "Call the family", "Send the bundle",
                             "File the brief", "Answer the court"]
    overdue, coming = html.split('id="coming"')
    # Overdue is said in words (a heading and a tag), not by colour alone.
    assert 'id="overdue">Overdue (1)' in overdue and ">Overdue</span>" in overdue
    assert "4 days late" in overdue and "Serve the notice" in overdue
    assert "Due today" in coming and "Due tomorrow" not in coming and "in 9 days" in coming
    # "Call the family": the hearing and the survivor whose page lists the contacts.
    family = html[html.index('id="d-call-family-'):]
    family = family[:family.index("</li>")]
    assert f'href="/app/hearings/{s["hearing"]["id"]}"' in family
    assert f'href="/app/survivors/{s["survivor"]["id"]}"' in family and "SRV-7Q" in family
    assert "Mark done" not in family
    # The navigation has Deadlines, marked as the current page.
    assert re.search(r'href="/app/deadlines" aria-current="page">Deadlines<', html)
    # Within 7 days: the deadline in 9 days is not listed, the overdue one still is.
    html = (await web.get("/app/deadlines", params={"within": "7"})).text
    assert "Answer the court" not in html and "Serve the notice" in html


async def test_mine_and_my_office(world: World, web: httpx.AsyncClient) -> None:
    await _setup(world)
    await sign_in(web, "boss@example.org")  # office admin, assigned to CR 1/2026 only
    mine = _titles((await web.get("/app/deadlines", params={"view": "mine"})).text)
    office = (await web.get("/app/deadlines", params={"view": "office"})).text
    assert "File the brief" not in mine and "Serve the notice" in mine
    assert "File the brief" in _titles(office) and "Serve the notice" in _titles(office)
    assert re.search(r'view=office&amp;within=30" aria-current="page">My office<', office)
    # A lawyer sees only their cases either way, and is told so.
    web.cookies.clear()
    await sign_in(web, "lawyer@example.org")
    office = (await web.get("/app/deadlines", params={"view": "office"})).text
    assert "this is the same list as Mine" in office


async def test_mark_done_and_losing_the_race(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    page = "/app/deadlines?view=mine&within=14"
    late, soon = s["ids"]["late"], s["ids"]["soon"]
    r = await _post(web, f"/app/deadlines/{late}/done", {"view": "mine", "within": "14"}, page)
    assert r.status_code == 303
    assert r.headers["location"] == "/app/deadlines?view=mine&within=14&done=deadline_done"
    html = (await web.get(r.headers["location"])).text
    assert "The deadline was marked done." in html and "Serve the notice" not in html
    assert 'id="overdue"' not in html
    # Someone else marks "File the brief" done between this page and the click.
    token = await csrf_of(web, page)
    r = await world.client.patch(f"/api/deadlines/{soon}", json={"done": True}, headers=s["lawyer"])
    assert r.status_code == 200
    r = await web.post(f"/app/deadlines/{soon}/done", data={"_csrf_token": token, "view": "mine"})
    assert r.status_code == 409 and 'role="alert"' in r.text
    assert "already marked done" in r.text and "File the brief" not in _titles(r.text)
    done_at = (await Deadline.select(Deadline.done_at).where(Deadline.id == soon).first())["done_at"]
    assert done_at is not None
    # The API answers the same 409 (a problem naming no field: nothing was wrong with the input).
    again = await world.client.patch(f"/api/deadlines/{soon}", json={"done": True}, headers=s["lawyer"])
    assert again.status_code == 409 and "already marked done" in again.json()["detail"]


async def test_add_a_deadline_with_problems_beside_the_fields(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    case_id = s["mine"]["id"]
    case_page = (await web.get(f"/app/cases/{case_id}")).text
    assert f'href="/app/cases/{case_id}/deadlines/new"' in case_page
    page = f"/app/cases/{case_id}/deadlines/new"
    before = await Deadline.count()
    r = await _post(web, page, {"title": "", "due_on": "2031-02-30", "kind": "filing",
                                "what_to_do": "Bring two copies"}, page)
    assert r.status_code == 422
    assert 'id="f-title-error"' in r.text and 'id="f-due_on-error"' in r.text
    assert 'aria-invalid="true"' in r.text and 'href="#f-title"' in r.text
    assert "Bring two copies" in r.text and 'value="2031-02-30"' in r.text
    assert await Deadline.count() == before
    r = await _post(web, page, {"title": "File the written submissions", "due_on": _day(20),
                                "kind": "court_order"}, page)
    assert r.status_code == 303 and r.headers["location"] == f"{page}?done=deadline_added"
    html = (await web.get(r.headers["location"])).text
    assert "The deadline was added." in html and "File the written submissions" in html
    assert "Court order" in html
    # With the case chooser.
    chooser = "/app/deadlines/new"
    html = (await web.get(chooser)).text
    assert f'<option value="{case_id}">CR 1/2026</option>' in html
    r = await _post(web, chooser, {"case_id": "", "title": "x", "due_on": _day(3)}, chooser)
    assert r.status_code == 422 and 'id="f-case_id-error"' in r.text
    r = await _post(web, chooser, {"case_id": str(s["other"]["id"]), "title": "Pay the fee",
                                   "due_on": _day(3), "kind": "other"}, chooser)
    assert r.status_code == 303 and f"/app/cases/{s['other']['id']}/deadlines/new" in r.headers["location"]
    assert "Pay the fee" in _titles((await web.get("/app/deadlines")).text)


async def test_need_to_know_and_the_viewer(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    elsewhere = await world.office("Manila", "Asia/Manila", "PH")
    await world.user("caseworker", elsewhere["id"], email="far@example.org", name="Far Away")
    await sign_in(web, "far@example.org")
    # Nothing of the other office's cases, on the list or by typing the ids.
    html = (await web.get("/app/deadlines?view=office")).text
    assert "Serve the notice" not in html and "CR 1/2026" not in html
    case_id = s["mine"]["id"]
    assert (await web.get(f"/app/cases/{case_id}/deadlines/new")).status_code == 404
    before = await Deadline.count()
    chooser = "/app/deadlines/new"
    r = await _post(web, chooser, {"case_id": str(case_id), "title": "Sneak in", "due_on": _day(3),
                                   "kind": "filing"}, chooser)
    assert r.status_code == 404 and "Sneak in" not in r.text
    r = await _post(web, f"/app/cases/{case_id}/deadlines/new",
                    {"title": "Sneak in", "due_on": _day(3), "kind": "filing"}, chooser)
    assert r.status_code == 404
    r = await _post(web, f"/app/deadlines/{s['ids']['late']}/done", {}, chooser)
    assert r.status_code == 404
    assert await Deadline.count() == before
    # A viewer on the case sees its deadlines, nothing to change them, and is refused.
    web.cookies.clear()
    await sign_in(web, "viewer@example.org")
    html = (await web.get("/app/deadlines")).text
    assert "Serve the notice" in html and "Mark done" not in html and "/app/deadlines/new" not in html
    actions = re.findall(r'<form method="post" action="([^"]+)"', html)
    assert actions == ["/app/logout"], actions
    assert (await web.get(chooser)).status_code == 403
    token = await csrf_of(web, "/app/deadlines")
    r = await web.post(f"/app/deadlines/{s['ids']['late']}/done", data={"_csrf_token": token})
    assert r.status_code == 403 and "Not allowed" in r.text
    r = await web.post(chooser, data={"_csrf_token": token, "case_id": str(case_id), "title": "x",
                                      "due_on": _day(3), "kind": "filing"})
    assert r.status_code == 403
    assert await Deadline.count() == before
    assert (await Deadline.select(Deadline.done_at).where(
        Deadline.id == s["ids"]["late"]).first())["done_at"] is None


async def test_court_day_links_to_the_sheet(world: World, web: httpx.AsyncClient) -> None:
    await _setup(world)
    await sign_in(web, "lawyer@example.org")
    html = (await web.get("/app/", params={"day": _day(1)})).text
    link = re.search(r'<a href="(/app/day/sheet\?day=[^"]+)">Print the day(?:&#39;|\')s sheet</a>', html)
    assert link and link.group(1) == f"/app/day/sheet?day={_day(1)}"
    sheet = await web.get(link.group(1))
    assert sheet.status_code == 200 and "CR 1/2026" in sheet.text
