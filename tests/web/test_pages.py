"""The pages over HTTP (no browser): what each shows, forms, errors, scope."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from legal_tracker.audit import AuditEvent
from tests.conftest import World
from tests.web.test_foundation import csrf_of, sign_in


def _instant(text: str) -> datetime:
    """API times are written in UTC (`Z`): compare the instants, not the spelling."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

def _local(days: int, hour: int = 9) -> str:
    day = (datetime.now(ZoneInfo("Africa/Nairobi")) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


async def _setup(world: World) -> dict:
    office = await world.office()
    court = await world.court(office_id=office["id"])
    lawyer_id, lawyer = await world.user("lawyer", office["id"], email="lawyer@example.org",
                                         name="Amina Lawyer")
    worker_id, worker = await world.user("caseworker", office["id"], email="worker@example.org",
                                         name="Grace Caseworker")
    survivor = await world.survivor(office["id"], lawyer, code="SRV-9K", legal_name="Wanjiru Test")
    case = await world.case(office["id"], court["id"], lawyer, reference="CR 555/2026",
                            survivor_ids=[survivor["id"]],
                            accused=[{"name": "Peter Accused", "status": "remanded"}])
    hearing = await world.hearing(case["id"], _local(5) + ":00+03:00", lawyer,
                                  survivor_attends=True, staff_ids=[lawyer_id])
    return {"office": office, "court": court, "lawyer_id": lawyer_id, "worker_id": worker_id,
            "survivor": survivor, "case": case, "hearing": hearing, "lawyer": lawyer,
            "worker": worker}


async def _post(web: httpx.AsyncClient, path: str, data: dict, page: str | None = None) -> httpx.Response:
    token = await csrf_of(web, page or path)
    return await web.post(path, data={**data, "_csrf_token": token})


async def test_case_list_search_and_case_page(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    r = await web.get("/app/cases", params={"q": "srv-9"})
    assert r.status_code == 200 and "CR 555/2026" in r.text and "1 case" in r.text
    r = await web.get("/app/cases", params={"q": "nothing like it"})
    assert "No cases found" in r.text
    r = await web.get(f"/app/cases/{s['case']['id']}")
    assert r.status_code == 200
    for text in ("CR 555/2026", "Kibera Law Courts", "Peter Accused", "Remanded", "Amina Lawyer",
                 "SRV-9K", "Show legal name"):
        assert text in r.text, text
    assert "Wanjiru" not in r.text


async def test_show_legal_name_is_a_post_and_is_audited(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    case_page = f"/app/cases/{s['case']['id']}"
    before = await AuditEvent.count().where(AuditEvent.action == "reveal")
    r = await _post(web, f"{case_page}/survivors/{s['survivor']['id']}/reveal", {}, case_page)
    assert r.status_code == 200 and "Wanjiru Test" in r.text
    assert await AuditEvent.count().where(AuditEvent.action == "reveal") == before + 1
    assert "Wanjiru" not in (await web.get(case_page)).text


async def test_out_of_scope_case_is_an_ordinary_not_found(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "worker@example.org")
    real = await web.get(f"/app/cases/{s['case']['id']}")
    missing = await web.get("/app/cases/999999")
    assert real.status_code == missing.status_code == 404
    assert "CR 555" not in real.text
    # The same words either way (only the CSRF token differs).
    strip = re.compile(r'value="[^"]+"')
    assert strip.sub("", real.text) == strip.sub("", missing.text)
    assert (await web.get(f"/app/hearings/{s['hearing']['id']}")).status_code == 404


async def test_reschedule_422_keeps_input_and_409_is_a_sentence(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    page = f"/app/hearings/{s['hearing']['id']}"
    past = _local(-3, 10)
    r = await _post(web, f"{page}/reschedule", {"starts_at": past, "reason": "court asked"}, page)
    assert r.status_code == 422
    assert 'id="f-reschedule-starts_at-error"' in r.text and "must be in the future" in r.text
    assert f'value="{past}"' in r.text and 'value="court asked"' in r.text
    r = await _post(web, f"{page}/reschedule", {"starts_at": "not a date"}, page)
    assert r.status_code == 422 and 'value="not a date"' in r.text
    # Good input moves the hearing, in the court's own zone.
    r = await _post(web, f"{page}/reschedule", {"starts_at": _local(9, 11)}, page)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=rescheduled")
    moved = (await world.client.get(f"/api/hearings/{s['hearing']['id']}", headers=s["lawyer"])).json()
    assert _instant(moved["starts_at"]) == _instant(_local(9, 11) + ":00+03:00")
    assert moved["version"] == 2
    # Someone cancels it meanwhile: the next reschedule is a 409, as one plain sentence on top.
    await world.post(f"/api/hearings/{s['hearing']['id']}/cancel", {"reason": "withdrawn"},
                     s["lawyer"], expect=200)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', (await web.get("/app/")).text).group(1)
    r = await web.post(f"{page}/reschedule", data={"starts_at": _local(12), "_csrf_token": token})
    assert r.status_code == 409
    assert 'role="alert"' in r.text and "cancelled hearing cannot be rescheduled" in r.text


async def test_accompaniment_shows_the_double_booking_warning(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    other = await world.hearing(s["case"]["id"], _local(5, 10) + ":00+03:00", s["lawyer"])
    await sign_in(web, "lawyer@example.org")
    page = f"/app/hearings/{other['id']}"
    r = await _post(web, f"{page}/accompaniment", {"staff_ids": str(s["lawyer_id"])}, page)
    assert r.status_code == 303
    r = await web.get(r.headers["location"])
    assert "Who accompanies was saved." in r.text
    assert "Double booking" in r.text and "Amina Lawyer also accompanies another hearing" in r.text


async def test_new_case_and_new_hearing_forms(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    r = await _post(web, "/app/cases/new", {"reference": "", "status": "trial"})
    assert r.status_code == 422 and 'id="f-reference-error"' in r.text
    r = await _post(web, "/app/cases/new", {"reference": "CR 555/2026", "status": "trial",
                                            "court_id": str(s["court"]["id"])})
    assert r.status_code == 422 and "already has this reference" in r.text
    r = await _post(web, "/app/cases/new", {"reference": "CR 600/2026", "status": "charged",
                                            "court_id": str(s["court"]["id"]),
                                            "accused": "First Person\nSecond Person"})
    assert r.status_code == 303, r.text
    case_id = int(re.search(r"/app/cases/(\d+)", r.headers["location"]).group(1))
    case = (await world.client.get(f"/api/cases/{case_id}", headers=s["lawyer"])).json()
    assert case["status"] == "charged" and [a["name"] for a in case["accused"]] == ["First Person",
                                                                                     "Second Person"]
    assert case["staff_ids"] == [s["lawyer_id"]]
    new = f"/app/cases/{case_id}/hearings/new"
    r = await _post(web, new, {"court_id": str(s["court"]["id"]), "starts_at": _local(4),
                               "kind": "plea", "duration_minutes": "1", "survivor_attends": "on"})
    assert r.status_code == 422 and 'id="f-duration_minutes-error"' in r.text
    r = await _post(web, new, {"court_id": str(s["court"]["id"]), "starts_at": _local(4),
                               "kind": "plea", "duration_minutes": "90", "survivor_attends": "on",
                               "staff_ids": str(s["worker_id"])})
    assert r.status_code == 303, r.text
    hearing_id = int(re.search(r"/app/hearings/(\d+)", r.headers["location"]).group(1))
    hearing = (await world.client.get(f"/api/hearings/{hearing_id}", headers=s["lawyer"])).json()
    assert hearing["kind"] == "plea" and hearing["survivor_attends"] and hearing["duration_minutes"] == 90
    assert _instant(hearing["starts_at"]) == _instant(_local(4) + ":00+03:00")
    assert hearing["staff_ids"] == [s["worker_id"]]


async def test_viewer_cannot_change_and_sees_no_forms(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    viewer_id, _ = await world.user("viewer", s["office"]["id"], email="viewer@example.org")
    await world.client.patch(f"/api/cases/{s['case']['id']}", headers=world.admin,
                             json={"staff_ids": [s["lawyer_id"], viewer_id]})
    await sign_in(web, "viewer@example.org")
    page = f"/app/hearings/{s['hearing']['id']}"
    r = await web.get(page)
    assert r.status_code == 200 and "/reschedule" not in r.text and "Show legal name" not in \
        (await web.get(f"/app/cases/{s['case']['id']}")).text
    r = await _post(web, f"{page}/cancel", {"reason": "no"}, page)
    assert r.status_code == 403


async def test_calendar_subscription_with_links_and_qr(world: World, web: httpx.AsyncClient) -> None:
    await _setup(world)
    await sign_in(web, "lawyer@example.org")
    r = await _post(web, "/app/calendar", {"scope": "staff", "privacy": "standard"})
    assert r.status_code == 201
    url = re.search(r'<code class="url" id="feed-url">([^<]+)</code>', r.text).group(1)
    assert url.startswith("https://tracker.example.org/calendars/") and url.endswith(".ics")
    assert "webcal://tracker.example.org/calendars/" in r.text and "<svg" in r.text
    feed = await world.client.get(url.replace("https://tracker.example.org", ""))
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
    listing = await web.get("/app/calendar")
    assert "My court accompaniments" in listing.text and url not in listing.text
    sub_id = re.search(r'/app/calendar/(\d+)/revoke', listing.text).group(1)
    r = await _post(web, f"/app/calendar/{sub_id}/revoke", {}, "/app/calendar")
    assert r.status_code == 303
    assert (await world.client.get(url.replace("https://tracker.example.org", ""))).status_code == 404
    r = await _post(web, "/app/calendar", {"scope": "case"})
    assert r.status_code == 422 and 'id="f-case_id-error"' in r.text


async def test_change_password_on_the_page_and_through_the_api(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    await sign_in(web, "lawyer@example.org")
    r = await _post(web, "/app/account/password", {"current_password": "wrong one here",
                                                   "new_password": "a new long password",
                                                   "new_password_again": "a new long password"},
                    "/app/account")
    assert r.status_code == 422 and 'id="f-current_password-error"' in r.text
    assert "a new long password" not in r.text
    r = await _post(web, "/app/account/password", {"current_password": "correct horse battery",
                                                   "new_password": "a new long password",
                                                   "new_password_again": "a new long password"},
                    "/app/account")
    assert r.status_code == 303
    assert "password was changed" in (await web.get(r.headers["location"])).text  # still signed in
    # The API token from before is dead; the new password works.
    assert (await world.client.get("/api/cases", headers=s["lawyer"])).status_code == 401
    api = await world.login("lawyer@example.org", "a new long password")
    r = await world.client.post("/api/auth/password", headers=api,
                                json={"current_password": "a new long password", "new_password": "short"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new_password"
    r = await world.client.post("/api/auth/password", headers=api,
                                json={"current_password": "a new long password",
                                      "new_password": "the third password"})
    assert r.status_code == 204
    assert (await world.client.get("/api/cases", headers=api)).status_code == 200  # the caller's own stays
    assert (await web.get("/app/")).status_code == 303  # the web session was "another session"
    await world.login("lawyer@example.org", "the third password")


async def test_court_day_page_for_assigned_and_unassigned(world: World, web: httpx.AsyncClient) -> None:
    s = await _setup(world)
    day = s["hearing"]["starts_at"][:10]
    await sign_in(web, "worker@example.org")
    r = await web.get("/app/", params={"day": day})
    assert r.status_code == 200 and "Kibera Law Courts" in r.text and "Amina Lawyer" in r.text
    assert "CR 555" not in r.text and "SRV-9K" not in r.text and "/app/hearings/" not in r.text
    web.cookies.clear()
    await sign_in(web, "lawyer@example.org")
    r = await web.get("/app/", params={"day": day})
    assert "CR 555/2026" in r.text and "SRV-9K" in r.text
    assert f"/app/hearings/{s['hearing']['id']}" in r.text and "You accompany" in r.text
    r = await web.get("/app/", params={"day": "garbage"})
    assert r.status_code == 200 and "could not be read" in r.text


async def test_a_new_catalog_translates_without_template_changes(
        world: World, web: httpx.AsyncClient, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from web import i18n

    target = tmp_path / "sw" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr "Ingia"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.available_languages.cache_clear()
    i18n.translations.cache_clear()
    try:
        r = await web.get("/app/login", headers={"accept-language": "sw-KE,sw;q=0.9,en;q=0.5"})
        assert '<html lang="sw">' in r.text and "Ingia" in r.text
        r = await web.get("/app/login", headers={"accept-language": "en"})
        assert "Ingia" not in r.text
    finally:
        i18n.available_languages.cache_clear()
        i18n.translations.cache_clear()
