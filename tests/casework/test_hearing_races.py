"""Issue 14 item 15: every hearing change is one conditional update (expected status and
version); of two changes at once the loser gets 409 and changes nothing. Run on SQLite and,
with LEGAL_TRACKER_TEST_DATABASE_URL, on PostgreSQL. ``If-Match`` names the version read."""

from __future__ import annotations

import asyncio

from tests.calendars.test_feed_http import _future, _setup

RACERS = 3


async def _hearing(world, *, today: bool = False):
    office, court, worker_id, worker, survivor, case = await _setup(world)
    start = _future(0, hour=0, offset="+00:00") if today else _future(10)
    hearing = await world.hearing(case["id"], start, staff_ids=[worker_id])
    return case, hearing, worker_id


async def _race(world, calls):
    responses = await asyncio.gather(*[
        world.client.request(method, path, json=body, headers=world.admin)
        for method, path, body in calls])
    codes = sorted(r.status_code for r in responses)
    assert all(c < 300 or c == 409 for c in codes), [r.text for r in responses]
    return codes, responses


async def _get(world, hearing_id):
    return (await world.client.get(f"/api/hearings/{hearing_id}", headers=world.admin)).json()


async def _case_hearings(world, case_id):
    return (await world.client.get(f"/api/cases/{case_id}/hearings",
                                   headers=world.admin)).json()["items"]


async def test_concurrent_adjournments_make_one_follow_on_hearing(world):
    case, hearing, _ = await _hearing(world, today=True)
    call = ("POST", f"/api/hearings/{hearing['id']}/adjourn",
            {"next_starts_at": _future(20), "reason": "witness_absent"})
    codes, _ = await _race(world, [call] * RACERS)
    assert codes.count(201) == 1 and codes.count(409) == RACERS - 1
    hearings = await _case_hearings(world, case["id"])
    assert len(hearings) == 2
    old = await _get(world, hearing["id"])
    assert old["status"] == "adjourned" and old["version"] == 2
    assert old["adjourned_to_id"] == [h["id"] for h in hearings if h["id"] != hearing["id"]][0]


async def test_adjournment_and_cancellation_at_once_leave_one_consistent_outcome(world):
    case, hearing, _ = await _hearing(world, today=True)
    codes, responses = await _race(world, [
        ("POST", f"/api/hearings/{hearing['id']}/adjourn",
         {"next_starts_at": _future(20), "reason": "witness_absent"}),
        ("POST", f"/api/hearings/{hearing['id']}/cancel", {"reason": "withdrawn"}),
    ])
    assert codes.count(409) == 1
    old = await _get(world, hearing["id"])
    hearings = await _case_hearings(world, case["id"])
    if old["status"] == "cancelled":
        assert old["adjourned_to_id"] is None and len(hearings) == 1
    else:
        assert old["status"] == "adjourned" and len(hearings) == 2
    assert old["version"] == 2


async def test_concurrent_reschedules_each_raise_the_version_or_lose(world):
    case, hearing, _ = await _hearing(world)
    calls = [("POST", f"/api/hearings/{hearing['id']}/reschedule",
              {"starts_at": _future(11 + i), "reason": "court diary"}) for i in range(RACERS)]
    codes, _ = await _race(world, calls)
    won = sum(c == 200 for c in codes)
    assert won >= 1
    final = await _get(world, hearing["id"])
    assert final["version"] == 1 + won
    history = (await world.client.get(f"/api/hearings/{hearing['id']}/history",
                                      headers=world.admin)).json()
    assert [h["version"] for h in history] == list(range(1, won + 2))


async def test_concurrent_outcomes_record_once(world):
    case, hearing, _ = await _hearing(world, today=True)
    call = ("POST", f"/api/hearings/{hearing['id']}/outcome", {"outcome_notes": "Heard."})
    codes, _ = await _race(world, [call] * RACERS)
    assert codes.count(200) == 1 and codes.count(409) == RACERS - 1
    assert (await _get(world, hearing["id"]))["version"] == 2


async def test_concurrent_cancellations_cancel_once(world):
    case, hearing, _ = await _hearing(world)
    call = ("POST", f"/api/hearings/{hearing['id']}/cancel", {"reason": "withdrawn"})
    codes, _ = await _race(world, [call] * RACERS)
    assert codes.count(200) == 1 and codes.count(409) == RACERS - 1
    assert (await _get(world, hearing["id"]))["version"] == 2


async def test_concurrent_edits_and_accompaniment_changes_never_lose_a_version(world):
    case, hearing, worker_id = await _hearing(world)
    calls = [("PATCH", f"/api/hearings/{hearing['id']}", {"courtroom": f"Court {i}"})
             for i in range(RACERS)]
    calls.append(("DELETE", f"/api/hearings/{hearing['id']}/staff/{worker_id}", None))
    codes, _ = await _race(world, calls)
    won = sum(c < 300 for c in codes)
    final = await _get(world, hearing["id"])
    assert final["version"] == 1 + won


async def test_if_match_names_the_version_the_change_applies_to(world):
    case, hearing, worker_id = await _hearing(world)
    path = f"/api/hearings/{hearing['id']}"
    stale = await world.client.patch(path, json={"courtroom": "Hall A"},
                                     headers={**world.admin, "If-Match": '"7"'})
    assert stale.status_code == 409, stale.text
    assert (await _get(world, hearing["id"]))["courtroom"] != "Hall A"
    fresh = await world.client.patch(path, json={"courtroom": "Hall A"},
                                     headers={**world.admin, "If-Match": '"1"'})
    assert fresh.status_code == 200 and fresh.json()["version"] == 2
    for action, body in (("reschedule", {"starts_at": _future(12)}),
                         ("cancel", {"reason": "withdrawn"})):
        lost = await world.client.post(f"{path}/{action}", json=body,
                                       headers={**world.admin, "If-Match": "1"})
        assert lost.status_code == 409, (action, lost.text)
    unassign = await world.client.delete(f"{path}/staff/{worker_id}",
                                         headers={**world.admin, "If-Match": '"1"'})
    assert unassign.status_code == 409
    moved = await world.client.post(f"{path}/reschedule", json={"starts_at": _future(12)},
                                    headers={**world.admin, "If-Match": 'W/"2"'})
    assert moved.status_code == 200 and moved.json()["version"] == 3
    bad = await world.client.patch(path, json={"courtroom": "x"},
                                   headers={**world.admin, "If-Match": "yesterday"})
    assert 400 <= bad.status_code < 500 and "If-Match" in bad.text
