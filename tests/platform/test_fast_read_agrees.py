"""Two descriptions of one query must return the same rows.

The hot paths read with raw SQL on ``db.fast_read`` (a read-only connection of their own on
SQLite) beside Piccolo queries for the same rows: the hearing list's page with its
accompanying staff (``db.fast_query`` on the fast path outside a transaction, on the
transaction's connection inside one) and the calendar feed (its ETag from one aggregate SQL
query, its body from Piccolo). Here both are run over the same data, on whichever engine the
suite runs on, for every filter and scope; and the list's rows, read into the API's struct
field by field, give the same JSON as the generic conversion.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from api.controllers.cases import HEARING_ROW_KEYS, hearing_read
from api.convert import read
from api.schemas.cases import HearingRead
from calendars.service import PAST_WINDOW, feed_state, load_feed_rows
from calendars.subscriptions import FeedRequest
from legal_tracker import db
from legal_tracker.access import Actor
from legal_tracker.cases import hearings
from legal_tracker.common import PageRequest


def _at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


async def _data(world) -> dict[str, Any]:
    office = await world.office("Nairobi")
    other = await world.office("Manila", timezone="Asia/Manila", country="PH")
    court = await world.court(office_id=office["id"])
    court2 = await world.court("Milimani Law Courts", office_id=office["id"])
    court3 = await world.court("Manila RTC", timezone="Asia/Manila", office_id=other["id"])
    worker, _ = await world.user("caseworker", office["id"], name="Grace Achieng")
    lawyer, _ = await world.user("lawyer", office["id"], name="Amos Lawyer")
    far, _ = await world.user("caseworker", other["id"], name="Maria Santos")
    # An organisation-wide admin (no office) who accompanies hearings too.
    org_admin, _ = await world.user("admin", None, name="Org Wide")
    case = await world.case(office["id"], court["id"], staff_ids=[worker, lawyer])
    case2 = await world.case(office["id"], court2["id"], staff_ids=[worker])
    case3 = await world.case(other["id"], court3["id"], staff_ids=[far])
    made = []
    for days, case_id, court_id, staff in [
        (-200, case["id"], None, [worker]),            # outside the feed's window
        (-30, case["id"], None, [worker, lawyer]),
        (-10, case2["id"], None, [worker, org_admin]),
        (3, case["id"], court2["id"], [lawyer, org_admin]),
        (7, case["id"], None, [worker]),
        (9, case2["id"], None, []),
        (12, case3["id"], None, [far, org_admin]),
        (40, case3["id"], None, [far]),
    ]:
        extra: dict[str, Any] = {"staff_ids": staff}
        if court_id is not None:
            extra["court_id"] = court_id
        made.append(await world.hearing(case_id, _at(days), **extra))
    await world.post(f"/api/hearings/{made[4]['id']}/cancel", {"reason": "vacated"}, expect=200)
    await world.post(f"/api/hearings/{made[1]['id']}/outcome", {"outcome_notes": "held"}, expect=200)
    return {"office": office, "other": other, "court": court, "court2": court2, "worker": worker,
            "lawyer": lawyer, "far": far, "org_admin": org_admin, "case": case, "case2": case2,
            "case3": case3, "hearings": made}


async def _list(actor: Actor, filters: dict[str, Any]) -> list[dict[str, Any]]:
    page = await hearings.list_hearings(actor, PageRequest(200, 0), **filters)
    return list(page.items)


async def test_hearing_list_is_the_same_on_the_fast_path_and_in_a_transaction(world):
    d = await _data(world)
    admin = Actor(1, "admin", None, "Org Admin")
    worker = Actor(d["worker"], "caseworker", d["office"]["id"], "Grace Achieng")
    filters: list[dict[str, Any]] = [
        {},
        {"starts_from": datetime.fromisoformat(_at(0))},
        {"starts_to": datetime.fromisoformat(_at(8))},
        {"starts_from": datetime.fromisoformat(_at(-15)), "starts_to": datetime.fromisoformat(_at(10))},
        {"court_id": d["court2"]["id"]},
        {"staff_id": d["worker"]}, {"staff_id": d["org_admin"]}, {"staff_id": d["far"]},
        {"status": "scheduled"}, {"status": "cancelled"}, {"status": "held"},
        {"case_id": d["case"]["id"]}, {"case_id": d["case3"]["id"]},
        {"case_id": d["case"]["id"], "staff_id": d["lawyer"], "status": "scheduled"},
    ]
    for actor in (admin, worker):
        for f in filters:
            fast = await _list(actor, f)
            async with db.read_transaction():  # the Piccolo path for the staff of each hearing
                assert db.in_transaction()
                slow = await _list(actor, f)
            assert fast == slow, (actor.role, f)
            assert all(h["staff_ids"] == [s["id"] for s in h["accompanying_staff"]] for h in fast)
    # The filters were not vacuous: the staff of each hearing came back on both paths.
    everything = await _list(admin, {})
    assert len(everything) == 8
    assert sum(len(h["staff_ids"]) for h in everything) == 11


async def test_the_hearing_list_reads_rows_into_the_same_json_as_the_generic_conversion(world):
    """The list converts its rows field by field (``hearing_read``, issue 15); every other
    answer goes through ``read``. Both give the same bytes, with every field set."""
    d = await _data(world)
    today = await world.hearing(
        d["case"]["id"], _at(0), courtroom="Court 4", duration_minutes=90, survivor_attends=True,
        survivor_testifies=True, family_attends=True, what_to_bring="ID card", notes="Interpreter",
        staff_ids=[d["lawyer"], d["worker"]])
    moved = await world.post(f"/api/hearings/{today['id']}/adjourn", {
        "next_starts_at": _at(21), "reason": "witness_absent", "note": "no interpreter"}, expect=201)
    past = await world.hearing(d["case2"]["id"], _at(-3), staff_ids=[d["worker"]])
    await world.post(f"/api/hearings/{past['id']}/outcome",
                     {"outcome_notes": "plea taken", "next_steps": "file the statement"}, expect=200)
    rows = await _list(Actor(1, "admin", None, "Org Admin"), {})
    assert len(rows) == 11 and moved["adjourned_from_id"] == today["id"]
    seen: set[str] = set()
    for row in rows:
        assert row.keys() == HEARING_ROW_KEYS  # the field-by-field path, not the fallback
        fast = hearing_read(row)
        assert msgspec.json.encode(fast) == msgspec.json.encode(read(HearingRead, row))
        seen |= {k for k, v in msgspec.structs.asdict(fast).items() if v not in (None, [], "", False)}
    # Every field came with a value somewhere (but those the list does not fill).
    assert seen == set(HearingRead.__struct_fields__) - {"warnings", "reminder_summary"}
    # The API answers with those bytes.
    page = (await world.client.get("/api/hearings", params={"limit": 200}, headers=world.admin)).content
    assert b'"items":[' + b",".join(msgspec.json.encode(hearing_read(r)) for r in rows) + b"]" in page


def _feed(scope: str, target_id: int, owner: Actor) -> FeedRequest:
    return FeedRequest(id=1, scope=scope, target_id=target_id, privacy="standard", name="feed",
                       owner=owner)


async def _both(feed: FeedRequest) -> tuple[tuple, tuple]:
    now = datetime.now(UTC)
    state = await feed_state(feed, now)
    rows = (await load_feed_rows(feed, now))["hearings"]
    assert all(r["starts_at"] >= now - PAST_WINDOW for r in rows)
    by_state = (state[0] or 0, state[1] or 0, state[2] or 0)
    by_rows = (len(rows), sum(r["id"] for r in rows), sum(r["version"] for r in rows))
    return by_state, by_rows


async def test_feed_state_and_feed_rows_agree_for_every_scope(world):
    d = await _data(world)
    admin = Actor(1, "admin", None, "Org Admin")
    worker = Actor(d["worker"], "caseworker", d["office"]["id"], "Grace Achieng")
    lawyer = Actor(d["lawyer"], "lawyer", d["office"]["id"], "Amos Lawyer")
    far = Actor(d["far"], "caseworker", d["other"]["id"], "Maria Santos")
    feeds = [
        _feed("staff", d["worker"], worker), _feed("staff", d["lawyer"], lawyer),
        _feed("staff", d["far"], far),
        _feed("case", d["case"]["id"], worker), _feed("case", d["case2"]["id"], worker),
        _feed("case", d["case3"]["id"], far),
        _feed("office", d["office"]["id"], admin), _feed("office", d["other"]["id"], admin),
    ]
    shown = 0
    for feed in feeds:
        by_state, by_rows = await _both(feed)
        assert by_state == by_rows, asdict(feed)
        shown += by_rows[0]
    assert shown > 10  # the scopes are not empty


# Regression (issue 14 item 16): for a member of staff with no office (an organisation-wide
# admin) the feed's ETag counted their hearings while the body had none.
async def test_feed_state_and_feed_rows_agree_for_staff_without_an_office(world):
    d = await _data(world)
    org_admin = Actor(d["org_admin"], "admin", None, "Org Wide")
    by_state, by_rows = await _both(_feed("staff", d["org_admin"], org_admin))
    assert by_state == by_rows
