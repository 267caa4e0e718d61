"""Calendar subscriptions and feeds through the HTTP API, parsed as a client would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from icalendar import Calendar


def _future(days: int, hour: int = 9, offset: str = "+03:00") -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00{offset}"


async def _setup(world):
    office = await world.office()
    court = await world.court(office_id=office["id"])
    worker_id, worker = await world.user("caseworker", office["id"], name="Grace Achieng")
    survivor = await world.survivor(office["id"], legal_name="Neema Secretname")
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]],
                            staff_ids=[worker_id])
    return office, court, worker_id, worker, survivor, case


async def _subscribe(world, headers, scope, target_id, expect=201):
    response = await world.client.post("/api/calendar-subscriptions",
                                       json={"scope": scope, "target_id": target_id},
                                       headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def _fetch(world, url, **headers):
    path = url.split("tracker.example.org", 1)[1]
    return await world.client.get(path, headers=headers)


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_staff_feed_shows_accompaniments_privately(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(10), staff_ids=[worker_id],
                                  survivor_testifies=True, courtroom="Court 3",
                                  what_to_bring="ID card")
    sub = await _subscribe(world, worker, "staff", worker_id)
    assert sub["url"].startswith("https://tracker.example.org/calendars/")
    assert sub["webcal_url"].startswith("webcal://tracker.example.org/calendars/")
    response = await _fetch(world, sub["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"].startswith("private")
    assert response.headers["etag"].startswith('"')
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "My court accompaniments"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.text
    assert "X-PUBLISHED-TTL:PT1H" in response.text
    assert "UID:calendar-" in response.text
    events = _events(response.content)
    event = events[f"hearing-{hearing['id']}@tracker.example.org"]
    assert str(event["SUMMARY"]) == f"Mention — {case['reference']}"
    assert "Kibera Law Courts" in str(event["LOCATION"]) and "Court 3" in str(event["LOCATION"])
    assert "Grace Achieng" in str(event["DESCRIPTION"])
    assert "Survivor testifies: yes" in str(event["DESCRIPTION"])
    assert str(event["CLASS"]) == "PRIVATE"
    assert int(event["SEQUENCE"]) == 1
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and event["DTSTART"].params["TZID"] == "Africa/Nairobi"
    assert start.astimezone(UTC) == datetime.fromisoformat(hearing["starts_at"]).astimezone(UTC)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Africa/Nairobi"]
    # Nothing that names the survivor or the offence.
    assert "Secretname" not in response.text and "Neema" not in response.text
    assert "traffick" not in response.text.lower() and "victim" not in response.text.lower()


async def test_reschedule_keeps_uid_and_raises_sequence_and_etag(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(10), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    first = await _fetch(world, sub["url"])
    etag = first.headers["etag"]
    again = await _fetch(world, sub["url"], **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    unchanged = await _fetch(world, sub["url"])
    assert unchanged.content == first.content and unchanged.headers["etag"] == etag
    # Last-Modified has whole seconds and is never later than the second before the response
    # (so never later than its Date); a date from the second after the change on proves the
    # client has this content: at most two seconds after what a fresh fetch reports.
    seen = parsedate_to_datetime(first.headers["last-modified"])
    later = format_datetime(seen + timedelta(seconds=2), usegmt=True)
    since = await _fetch(world, sub["url"], **{"If-Modified-Since": later})
    assert since.status_code == 304
    moved = await world.client.post(f"/api/hearings/{hearing['id']}/reschedule",
                                    json={"starts_at": _future(12), "reason": "court diary"},
                                    headers=world.admin)
    assert moved.status_code == 200, moved.text
    changed = await _fetch(world, sub["url"], **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    event = _events(changed.content)[f"hearing-{hearing['id']}@tracker.example.org"]
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART").astimezone(UTC) == \
        datetime.fromisoformat(_future(12)).astimezone(UTC)


async def test_cancelled_and_adjourned_hearings_are_marked(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    cancelled = await world.hearing(case["id"], _future(5), staff_ids=[worker_id])
    today = await world.hearing(case["id"], _future(0, hour=0, offset="+00:00"),
                                staff_ids=[worker_id], kind="testimony")
    await world.post(f"/api/hearings/{cancelled['id']}/cancel", {"reason": "withdrawn"},
                     expect=200)
    nxt = await world.post(f"/api/hearings/{today['id']}/adjourn",
                           {"next_starts_at": _future(30), "reason": "witness_absent"})
    sub = await _subscribe(world, world.admin, "case", case["id"])
    events = _events((await _fetch(world, sub["url"])).content)
    gone = events[f"hearing-{cancelled['id']}@tracker.example.org"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert str(gone["SUMMARY"]).startswith("CANCELLED: Mention")
    adjourned = events[f"hearing-{today['id']}@tracker.example.org"]
    assert "adjourned to" in str(adjourned["SUMMARY"])
    follow = events[f"hearing-{nxt['id']}@tracker.example.org"]
    assert "adjourned from" in str(follow["SUMMARY"])


async def test_revoked_and_unknown_tokens_answer_404(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    sub = await _subscribe(world, worker, "staff", worker_id)
    assert (await _fetch(world, sub["url"])).status_code == 200
    listed = await world.client.get("/api/calendar-subscriptions", headers=worker)
    assert [s["id"] for s in listed.json()["items"]] == [sub["id"]]
    assert "token" not in listed.text and sub["url"].split("/")[-1] not in listed.text
    revoked = await world.client.delete(f"/api/calendar-subscriptions/{sub['id']}", headers=worker)
    assert revoked.status_code == 204
    assert (await _fetch(world, sub["url"])).status_code == 404
    assert (await world.client.get("/calendars/" + "x" * 43 + ".ics")).status_code == 404


async def test_deactivated_owner_or_lost_access_kills_the_feed(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    sub = await _subscribe(world, worker, "case", case["id"])
    assert (await _fetch(world, sub["url"])).status_code == 200
    patched = await world.client.patch(f"/api/cases/{case['id']}", json={"staff_ids": []},
                                       headers=world.admin)
    assert patched.status_code == 200
    assert (await _fetch(world, sub["url"])).status_code == 404


async def test_another_offices_hearings_never_appear(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    mine = await world.hearing(case["id"], _future(3), staff_ids=[worker_id])
    manila = await world.office("Manila", "Asia/Manila", "PH")
    court2 = await world.court("Manila RTC", "Asia/Manila", manila["id"])
    other_case = await world.case(manila["id"], court2["id"])
    other = await world.hearing(other_case["id"], _future(3, offset="+08:00"))
    sub = await _subscribe(world, worker, "staff", worker_id)
    text = (await _fetch(world, sub["url"])).text
    assert f"hearing-{mine['id']}@" in text and f"hearing-{other['id']}@" not in text
    # Nor may a caseworker subscribe to someone else, or to an office.
    await _subscribe(world, worker, "office", manila["id"], expect=404)
    await _subscribe(world, worker, "office", office["id"], expect=403)
    await _subscribe(world, worker, "case", other_case["id"], expect=404)


async def test_empty_feed_is_a_valid_calendar(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    sub = await _subscribe(world, worker, "staff", worker_id)
    response = await _fetch(world, sub["url"])
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
    assert response.text.startswith("BEGIN:VCALENDAR\r\n")
    assert response.text.endswith("END:VCALENDAR\r\n")


async def test_daylight_saving_court_gets_a_full_vtimezone(world):
    office = await world.office("London", "Europe/London", "GB")
    court = await world.court("Southwark Crown Court", "Europe/London", office["id"])
    case = await world.case(office["id"], court["id"])
    year = datetime.now(UTC).year + 1
    winter = await world.hearing(case["id"], f"{year}-03-20T10:00:00+00:00")
    summer = await world.hearing(case["id"], f"{year}-04-02T10:00:00+01:00")
    sub = await _subscribe(world, world.admin, "case", case["id"])
    body = (await _fetch(world, sub["url"])).content
    calendar = Calendar.from_ical(body)
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]
    assert zones[0].walk("DAYLIGHT") and zones[0].walk("STANDARD")
    events = _events(body)
    w = events[f"hearing-{winter['id']}@tracker.example.org"].decoded("DTSTART")
    s = events[f"hearing-{summer['id']}@tracker.example.org"].decoded("DTSTART")
    assert (w.astimezone(UTC).hour, s.astimezone(UTC).hour) == (10, 9)
    assert (w.hour, s.hour) == (10, 10)


async def test_etag_follows_court_and_staff_changes_but_not_unrelated_ones(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    await world.hearing(case["id"], _future(4), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    etag = (await _fetch(world, sub["url"])).headers["etag"]
    # A hearing the caseworker does not accompany changes nothing in their feed.
    await world.hearing(case["id"], _future(6))
    assert (await _fetch(world, sub["url"], **{"If-None-Match": etag})).status_code == 304
    renamed = await world.client.patch(f"/api/courts/{court['id']}",
                                       json={"name": "Kibera Law Courts (Annex)"},
                                       headers=world.admin)
    assert renamed.status_code == 200
    after = await _fetch(world, sub["url"], **{"If-None-Match": etag})
    assert after.status_code == 200 and "Annex" in after.text
    etag = after.headers["etag"]
    staff = await world.client.patch(f"/api/staff/{worker_id}", json={"name": "Grace A. Otieno"},
                                     headers=world.admin)
    assert staff.status_code == 200
    again = await _fetch(world, sub["url"], **{"If-None-Match": etag})
    assert again.status_code == 200 and "Grace A. Otieno" in again.text


async def test_feed_requests_are_rate_limited_per_token(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    sub = await _subscribe(world, worker, "staff", worker_id)
    world.client._transport.app.state.feed_limiter.per_minute = 3  # type: ignore[attr-defined]
    codes = [(await _fetch(world, sub["url"])).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


async def test_deadlines_are_all_day_events_with_stable_uids(world, monkeypatch):
    from datetime import date

    import calendars.service as service

    office, court, worker_id, worker, survivor, case = await _setup(world)
    due = date(datetime.now(UTC).year + 1, 2, 14)
    calls = []

    async def deadlines_for_feed(case_ids, today):
        calls.append(case_ids)
        return [{"key": "rfe-7", "due_date": due, "title": "Answer the request for evidence",
                 "case_reference": case["reference"], "what_to_do": "Send the Supplement B copy",
                 "updated_at": datetime(2026, 1, 1, tzinfo=UTC)}]

    monkeypatch.setattr(service, "deadlines_for_feed", deadlines_for_feed)
    sub = await _subscribe(world, world.admin, "case", case["id"])
    response = await _fetch(world, sub["url"])
    event = _events(response.content)["deadline-rfe-7@tracker.example.org"]
    assert event.decoded("DTSTART") == due and "VALUE=DATE" in response.text
    assert str(event["SUMMARY"]) == \
        f"Deadline: Answer the request for evidence — {case['reference']}"
    assert calls and all(c == [case["id"]] for c in calls)
    # The caseworker's own accompaniment feed carries no deadlines; only lawyers' do.
    mine = await _subscribe(world, worker, "staff", worker_id)
    assert "deadline-" not in (await _fetch(world, mine["url"])).text


async def test_an_event_leaving_the_feed_is_not_hidden_by_if_modified_since(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(4), staff_ids=[worker_id])
    await world.hearing(case["id"], _future(5), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    first = await _fetch(world, sub["url"])
    unassigned = await world.client.patch(f"/api/hearings/{hearing['id']}", json={"staff_ids": []},
                                          headers=world.admin)
    assert unassigned.status_code == 200
    after = await _fetch(world, sub["url"], **{"If-Modified-Since": first.headers["last-modified"]})
    assert after.status_code == 200
    assert f"hearing-{hearing['id']}@" not in after.text
