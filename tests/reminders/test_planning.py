"""Planning: who gets reminders, when (time zones, quiet hours), keyed uniquely, in the
hearing's own transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from legal_tracker import db, hooks
from legal_tracker.access import Actor
from legal_tracker.cases.hearings import create_hearing
from legal_tracker.cases.tables import Hearing
from legal_tracker.common import utcnow
from legal_tracker.reminders.tables import Reminder
from tests.reminders.conftest import iso_in, make_family, zone_at_local_hour


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def by_contact(rows: list[dict]) -> dict[int, dict[str, dict]]:
    out: dict[int, dict[str, dict]] = {}
    for r in rows:
        out.setdefault(r["contact_id"], {})[r["kind"]] = r
    return out


async def test_reminders_follow_each_contacts_time_zone_and_avoid_quiet_hours(world) -> None:
    family = await make_family(world, court_tz="Africa/Nairobi",
                               policy={"days_before": [7, 3, 1], "quiet_start": "21:00",
                                       "quiet_end": "07:00"})
    nairobi = await family.contact("+254712345678")  # no zone: the court's
    manila = await family.contact("+639171234567", language="tl", timezone="Asia/Manila")
    await family.contact("+254712345679", consent=False)
    other = await world.survivor(family.office["id"])
    await family.contact("+254712345670", survivor_id=other["id"])  # not in this case
    # 06:30 in Nairobi, twelve days ahead: 11:30 in Manila.
    day = (datetime.now(ZoneInfo("Africa/Nairobi")) + timedelta(days=12)).date()
    starts = datetime(day.year, day.month, day.day, 6, 30, tzinfo=ZoneInfo("Africa/Nairobi"))
    hearing = await family.hearing(starts.isoformat(), family_attends=False, survivor_attends=True)

    rows = await family.reminders(hearing_id=hearing["id"])
    plan = by_contact(rows)
    assert set(plan) == {nairobi["id"], manila["id"]}
    for contact in plan.values():
        assert set(contact) == {"first_notice", "d7", "d3", "d1"}
        assert all(r["status"] == "pending" and r["hearing_version"] == 1 for r in contact.values())
    nbo = ZoneInfo("Africa/Nairobi")
    for kind, days in (("d7", 7), ("d3", 3), ("d1", 1)):
        # 06:30 is inside quiet hours: moved EARLIER, to 20:30 the evening before.
        local = at(plan[nairobi["id"]][kind]["send_at"]).astimezone(nbo)
        assert (local.date(), local.hour, local.minute) == (day - timedelta(days=days + 1), 20, 30)
        assert plan[nairobi["id"]][kind]["timezone"] == "Africa/Nairobi"
        manila_local = at(plan[manila["id"]][kind]["send_at"]).astimezone(ZoneInfo("Asia/Manila"))
        assert (manila_local.date(), manila_local.hour, manila_local.minute) == (
            day - timedelta(days=days), 11, 30)
    for contact in plan.values():
        notice = at(contact["first_notice"]["send_at"])
        assert utcnow() - timedelta(minutes=1) <= notice <= utcnow() + timedelta(hours=11)
        tz = ZoneInfo(contact["first_notice"]["timezone"])
        assert not (notice.astimezone(tz).hour >= 21 or notice.astimezone(tz).hour < 7)


async def test_first_notice_waits_for_the_end_of_quiet_hours(world) -> None:
    zone = zone_at_local_hour(23)
    family = await make_family(world, court_tz=zone)
    contact = await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=5))
    notice = by_contact(await family.reminders(hearing_id=hearing["id"]))[contact["id"]]["first_notice"]
    local = at(notice["send_at"]).astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (7, 0)
    assert at(notice["send_at"]) > utcnow()


async def test_a_hearing_tomorrow_gets_what_still_fits_plus_a_notice_now(world) -> None:
    zone = zone_at_local_hour(10)
    family = await make_family(world, court_tz=zone)
    contact = await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=1, hours=2))
    plan = by_contact(await family.reminders(hearing_id=hearing["id"]))[contact["id"]]
    assert set(plan) == {"first_notice"}  # d1 would be 2 hours from now: too close to the notice
    assert abs(at(plan["first_notice"]["send_at"]) - utcnow()) < timedelta(minutes=1)
    later = await family.hearing(iso_in(days=2, hours=2))
    plan = by_contact(await family.reminders(hearing_id=later["id"]))[contact["id"]]
    assert set(plan) == {"first_notice", "d1"}


async def test_only_hearings_the_family_or_survivor_attends(family) -> None:
    await family.contact("+254712345678")
    neither = await family.hearing(iso_in(days=10), family_attends=False)
    assert await family.reminders(hearing_id=neither["id"]) == []
    response = await family.client.get(f"/api/hearings/{neither['id']}", headers=family.admin)
    assert response.json()["reminder_summary"] == {}
    attends = await family.hearing(iso_in(days=10), family_attends=True)
    response = await family.client.get(f"/api/hearings/{attends['id']}", headers=family.admin)
    assert response.json()["reminder_summary"] == {"pending": 4}


async def test_policy_days_before_is_honoured(world) -> None:
    family = await make_family(world, court_tz=zone_at_local_hour(12),
                               policy={"days_before": [14, 2], "quiet_start": "22:00",
                                       "quiet_end": "06:00"})
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=20))
    kinds = sorted(r["kind"] for r in await family.reminders(hearing_id=hearing["id"]))
    assert kinds == ["d14", "d2", "first_notice"]
    preview = await family.client.get(
        f"/api/reminders/{(await family.reminders(hearing_id=hearing['id']))[1]['id']}/preview",
        headers=family.admin)
    assert preview.status_code == 200 and preview.json()["text"].startswith("Reminder:")


async def test_a_rolled_back_hearing_leaves_no_reminder(family) -> None:
    await family.contact("+254712345678")

    async def explode(change: hooks.HearingChange) -> None:
        assert await Reminder.count().where(Reminder.hearing == change.hearing["id"]) == 4
        raise RuntimeError("forced failure after planning")

    hooks.on_hearing_change(explode)
    try:
        with pytest.raises(RuntimeError):
            await create_hearing(Actor(1, "admin", None), family.case["id"], {
                "starts_at": datetime.now(UTC) + timedelta(days=10), "kind": "mention",
                "family_attends": True})
    finally:
        hooks.hearing_hooks.remove(explode)
    assert await Hearing.count() == 0
    assert await Reminder.count().where(Reminder.hearing.is_not_null()) == 0
    assert await Reminder.count().where(Reminder.kind == "welcome") == 1
    hearing = await family.hearing(iso_in(days=10))
    assert len(await family.reminders(hearing_id=hearing["id"])) == 4


async def test_the_same_reminder_can_never_exist_twice(family) -> None:
    await family.contact("+254712345678")
    hearing = await family.hearing(iso_in(days=10))
    row = await Reminder.select().where(
        (Reminder.hearing == hearing["id"]) & (Reminder.kind == "d3")).first()
    copy = {k: v for k, v in row.items() if k != "id"}
    with pytest.raises(Exception) as caught:
        async with db.transaction():
            await Reminder.insert(Reminder(**copy))
    assert "unique" in str(caught.value).lower()
    assert await Reminder.count().where(Reminder.hearing == hearing["id"]) == 4
