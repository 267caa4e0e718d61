"""Issue 14's calendar-feed findings, each as a subscriber or an intruder would meet it:
need-to-know after removal from a case (8), text and ETag of adjourned hearings (9), links of
deactivated people (10), Last-Modified against the clock (11), HEAD and gzip (12), events kept
across restarts (14) and the feed of an organisation-wide member of staff (16)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from icalendar import Calendar

from calendars import feed as feed_module
from calendars import render
from calendars.tables import FeedEvent
from tests.calendars.test_feed_http import _fetch, _future, _setup, _subscribe


def _events(body: bytes) -> dict[str, object]:
    return {str(e["UID"]).split("@")[0]: e for e in Calendar.from_ical(body).walk("VEVENT")}


def _forget_everything_in_memory() -> None:
    """What a restart does to the feed's caches."""
    feed_module.clear_caches()
    render._bodies.clear()


async def test_removed_from_a_case_means_gone_from_its_hearings_everywhere(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(6), staff_ids=[worker_id],
                                  what_to_bring="Summons")
    sub = await _subscribe(world, worker, "staff", worker_id)
    assert f"hearing-{hearing['id']}" in _events((await _fetch(world, sub["url"])).content)
    removed = await world.client.patch(f"/api/cases/{case['id']}", json={"staff_ids": []},
                                       headers=world.admin)
    assert removed.status_code == 200, removed.text
    assert (await world.client.get(f"/api/hearings/{hearing['id']}",
                                   headers=worker)).status_code == 404
    # Their own feed no longer shows the case's hearing (reference, court, time, what to bring).
    response = await _fetch(world, sub["url"])
    assert response.status_code == 200
    assert _events(response.content) == {}
    assert case["reference"] not in response.text and "Summons" not in response.text
    # And the accompaniment link itself is gone (the roster and lists show it no more).
    after = (await world.client.get(f"/api/hearings/{hearing['id']}", headers=world.admin)).json()
    assert after["staff_ids"] == [] and after["version"] == hearing["version"] + 1


async def test_adjourned_event_etag_changes_with_the_next_hearing_alone(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    today = await world.hearing(case["id"], _future(0, hour=0, offset="+00:00"),
                                staff_ids=[worker_id])
    nxt = await world.post(f"/api/hearings/{today['id']}/adjourn",
                           {"next_starts_at": _future(20), "reason": "witness_absent"}, expect=201)
    # The next hearing leaves this feed first: from now on only the old event names it.
    hide = await world.client.patch(f"/api/hearings/{nxt['id']}", json={"staff_ids": []},
                                    headers=world.admin)
    assert hide.status_code == 200, hide.text
    sub = await _subscribe(world, worker, "staff", worker_id)
    first = await _fetch(world, sub["url"])
    assert set(_events(first.content)) == {f"hearing-{today['id']}"}
    moved = await world.client.post(f"/api/hearings/{nxt['id']}/reschedule",
                                    json={"starts_at": _future(40)}, headers=world.admin)
    assert moved.status_code == 200, moved.text
    again = await _fetch(world, sub["url"], **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200, "the stale text hid behind an unchanged ETag"
    assert again.content != first.content


async def test_deactivation_ends_calendar_links_for_good(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    await world.hearing(case["id"], _future(6), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    assert (await _fetch(world, sub["url"])).status_code == 200
    for active in (False, True):
        changed = await world.client.patch(f"/api/staff/{worker_id}", json={"active": active},
                                           headers=world.admin)
        assert changed.status_code == 200, changed.text
    assert (await _fetch(world, sub["url"])).status_code == 404
    listed = (await world.client.get("/api/calendar-subscriptions?include_revoked=true",
                                     headers=world.admin)).json()["items"]
    assert [s["revoked_at"] is not None for s in listed if s["id"] == sub["id"]] == [True]


async def test_last_modified_is_never_later_than_the_response(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    hearing = await world.hearing(case["id"], _future(6), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    for n in range(15):
        edit = await world.client.patch(f"/api/hearings/{hearing['id']}",
                                        json={"courtroom": f"Court {n}"}, headers=world.admin)
        assert edit.status_code == 200, edit.text
        response = await _fetch(world, sub["url"])
        answered = datetime.now(UTC)
        assert parsedate_to_datetime(response.headers["last-modified"]) <= answered, n


async def test_head_answers_like_get_without_a_body(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    await world.hearing(case["id"], _future(6), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    path = sub["url"].split("tracker.example.org", 1)[1]
    get = await world.client.get(path, headers={"Accept-Encoding": "identity"})
    head = await world.client.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(head.headers["content-length"]) == len(get.content)
    missing = await world.client.head("/calendars/" + "x" * 43 + ".ics")
    assert missing.status_code == 404


async def test_a_client_asking_for_gzip_gets_it(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    for days in range(3, 40):
        await world.hearing(case["id"], _future(days), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    path = sub["url"].split("tracker.example.org", 1)[1]
    plain = await world.client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    # httpx would decode it for us: read the raw bytes as they came over the wire.
    async with world.client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as raw:
        wire = b"".join([chunk async for chunk in raw.aiter_raw()])
        assert raw.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in raw.headers["vary"].lower()
        gz_etag = raw.headers["etag"]
    assert gzip.decompress(wire) == plain.content
    assert len(wire) * 4 < len(plain.content)
    assert gz_etag != plain.headers["etag"]  # one strong tag per representation
    for tag in (gz_etag, plain.headers["etag"]):
        again = await world.client.get(path, headers={"Accept-Encoding": "gzip",
                                                      "If-None-Match": tag})
        assert again.status_code == 304
    refused = await world.client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


async def test_after_a_restart_stored_events_are_reused_until_their_hearing_changes(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    kept = await world.hearing(case["id"], _future(6), staff_ids=[worker_id])
    changed = await world.hearing(case["id"], _future(7), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    first = await _fetch(world, sub["url"])
    stored = await FeedEvent.select(FeedEvent.hearing, FeedEvent.hearing_version,
                                    FeedEvent.body).order_by(FeedEvent.hearing)
    assert [(r["hearing"], r["hearing_version"]) for r in stored] == [(kept["id"], 1),
                                                                     (changed["id"], 1)]
    assert stored[0]["body"].encode() in first.content
    # Mark the stored events: a cold build that reuses them shows the mark.
    for row in await FeedEvent.select(FeedEvent.id, FeedEvent.body):
        await FeedEvent.update({FeedEvent.body: row["body"].replace("Mention", "Marked")}
                               ).where(FeedEvent.id == row["id"])
    edit = await world.client.patch(f"/api/hearings/{changed['id']}", json={"courtroom": "Hall B"},
                                     headers=world.admin)
    assert edit.status_code == 200
    _forget_everything_in_memory()
    cold = _events((await _fetch(world, sub["url"])).content)
    assert str(cold[f"hearing-{kept['id']}"]["SUMMARY"]).startswith("Marked — ")
    # The changed hearing's stored event no longer matches: rendered anew, and kept.
    assert str(cold[f"hearing-{changed['id']}"]["SUMMARY"]).startswith("Mention — ")
    assert "Hall B" in str(cold[f"hearing-{changed['id']}"]["LOCATION"])
    row = await FeedEvent.select(FeedEvent.hearing_version).where(
        FeedEvent.hearing == changed["id"]).first()
    assert row["hearing_version"] == 2


async def test_an_organisation_wide_staff_members_own_feed_shows_their_hearings(world):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    lead_id, lead = await world.user("admin", None, name="Org Lead")
    hearing = await world.hearing(case["id"], _future(6), staff_ids=[lead_id])
    sub = await _subscribe(world, lead, "staff", lead_id)
    response = await _fetch(world, sub["url"])
    assert set(_events(response.content)) == {f"hearing-{hearing['id']}"}


async def test_hearings_older_than_the_window_leave_the_feed_and_its_etag(world):
    # The scope is written once: what the ETag counts is exactly what the body shows.
    office, court, worker_id, worker, survivor, case = await _setup(world)
    await world.hearing(case["id"], _future(6), staff_ids=[worker_id])
    sub = await _subscribe(world, worker, "staff", worker_id)
    from calendars.service import feed_state, load_feed_rows
    from calendars.subscriptions import resolve_token

    feed = await resolve_token(sub["url"].rsplit("/", 1)[1].removesuffix(".ics"))
    later = datetime.now(UTC) + timedelta(days=200)
    assert (await feed_state(feed, later))[0] == len((await load_feed_rows(feed, later))["hearings"]) == 0
    assert (await feed_state(feed))[0] == len((await load_feed_rows(feed))["hearings"]) == 1
