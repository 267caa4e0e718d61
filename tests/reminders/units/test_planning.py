from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from legal_tracker.reminders.planning import (
    DEFAULT_POLICY,
    ReminderPolicy,
    is_quiet,
    localize,
    next_allowed_at_or_after,
    plan_send_times,
)

NAIROBI = ZoneInfo("Africa/Nairobi")
MANILA = ZoneInfo("Asia/Manila")
NEW_YORK = ZoneInfo("America/New_York")
NO_QUIET = ReminderPolicy(quiet_start=time(0, 0), quiet_end=time(0, 0))


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


def kinds(plan) -> list[str]:
    return [p.kind for p in plan]


def local_times(plan, tz: ZoneInfo) -> list[str]:
    return [p.send_at_utc.astimezone(tz).strftime("%Y-%m-%d %H:%M") for p in plan]


def test_nairobi_week_ahead_gets_notice_and_three_reminders_at_hearing_clock_time() -> None:
    hearing = local(NAIROBI, 2024, 12, 3, 9, 0)  # Tue 09:00 EAT
    now = local(NAIROBI, 2024, 11, 20, 10, 0).astimezone(UTC)
    plan = plan_send_times(hearing, now, NAIROBI)
    assert kinds(plan) == ["first_notice", "d7", "d3", "d1"]
    assert local_times(plan, NAIROBI) == [
        "2024-11-20 10:00",
        "2024-11-26 09:00",
        "2024-11-30 09:00",
        "2024-12-02 09:00",
    ]
    assert plan[0].send_at_utc == now
    assert all(p.send_at_utc.tzinfo is not None for p in plan)
    assert plan[1].send_at_utc == datetime(2024, 11, 26, 6, 0, tzinfo=UTC)


def test_manila_uses_the_recipients_zone() -> None:
    hearing = datetime(2025, 2, 14, 0, 30, tzinfo=UTC)  # 08:30 in Manila
    now = datetime(2025, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 in Manila
    plan = plan_send_times(hearing, now, MANILA)
    assert local_times(plan, MANILA)[1:] == [
        "2025-02-07 08:30",
        "2025-02-11 08:30",
        "2025-02-13 08:30",
    ]
    # The same instant for a family in Nairobi (03:30 local) is in quiet hours there, so
    # each reminder moves to the previous evening at 20:30.
    plan_nairobi = plan_send_times(hearing, now, NAIROBI)
    assert local_times(plan_nairobi, NAIROBI)[1:] == [
        "2025-02-06 20:30",
        "2025-02-10 20:30",
        "2025-02-12 20:30",
    ]


def test_late_evening_hearing_reminders_move_earlier_never_later() -> None:
    hearing = local(NAIROBI, 2024, 12, 3, 22, 0)
    now = local(NAIROBI, 2024, 11, 1, 12, 0)
    plan = plan_send_times(hearing, now, NAIROBI)
    assert local_times(plan, NAIROBI)[1:] == [
        "2024-11-26 20:30",
        "2024-11-30 20:30",
        "2024-12-02 20:30",
    ]
    for planned, days in zip(plan[1:], (7, 3, 1), strict=True):
        assert planned.send_at_utc <= hearing - timedelta(days=days)


def test_early_morning_hearing_reminder_moves_to_previous_evening() -> None:
    hearing = local(NAIROBI, 2024, 12, 3, 6, 30)
    now = local(NAIROBI, 2024, 11, 1, 12, 0)
    plan = plan_send_times(hearing, now, NAIROBI)
    # d1 would be 06:30 on 2 Dec; quiet, so 20:30 on 1 Dec.
    assert local_times(plan, NAIROBI)[-1] == "2024-12-01 20:30"
    assert plan[-1].kind == "d1"


def test_hearing_tomorrow_gets_first_notice_now_and_nothing_in_the_past() -> None:
    now = local(NAIROBI, 2024, 12, 2, 10, 0)
    hearing = local(NAIROBI, 2024, 12, 3, 9, 0)
    plan = plan_send_times(hearing, now, NAIROBI)
    assert kinds(plan) == ["first_notice"]
    assert plan[0].send_at_utc == now.astimezone(UTC)


def test_reminder_right_after_first_notice_is_dropped_but_later_ones_kept() -> None:
    now = local(NAIROBI, 2024, 11, 29, 10, 0)
    hearing = local(NAIROBI, 2024, 12, 3, 9, 0)
    plan = plan_send_times(hearing, now, NAIROBI)
    # d7 is past, d3 (30 Nov 09:00) is 23 h after the notice, d1 follows.
    assert kinds(plan) == ["first_notice", "d3", "d1"]
    now = local(NAIROBI, 2024, 11, 30, 8, 0)
    assert kinds(plan_send_times(hearing, now, NAIROBI)) == ["first_notice", "d1"]


def test_first_notice_during_quiet_hours_waits_for_morning() -> None:
    now = local(NAIROBI, 2024, 11, 20, 2, 0)  # 02:00, never message a family then
    hearing = local(NAIROBI, 2024, 12, 3, 9, 0)
    plan = plan_send_times(hearing, now, NAIROBI)
    assert plan[0].kind == "first_notice"
    assert local_times(plan, NAIROBI)[0] == "2024-11-20 07:00"


def test_first_notice_late_evening_waits_for_morning() -> None:
    now = local(NAIROBI, 2024, 11, 20, 20, 45)  # inside the 30-minute margin
    plan = plan_send_times(local(NAIROBI, 2024, 12, 3, 9, 0), now, NAIROBI)
    assert local_times(plan, NAIROBI)[0] == "2024-11-21 07:00"


def test_notice_that_cannot_arrive_in_time_is_left_out() -> None:
    now = local(NAIROBI, 2024, 12, 3, 2, 0)
    hearing = local(NAIROBI, 2024, 12, 3, 7, 30)  # 07:00 would be only 30 min before
    assert plan_send_times(hearing, now, NAIROBI) == []


def test_hearing_too_close_or_past_gets_nothing() -> None:
    now = local(NAIROBI, 2024, 12, 3, 8, 30)
    assert plan_send_times(local(NAIROBI, 2024, 12, 3, 9, 0), now, NAIROBI) == []
    assert plan_send_times(local(NAIROBI, 2024, 12, 1, 9, 0), now, NAIROBI) == []


def test_changed_notice_and_no_notice() -> None:
    now = local(NAIROBI, 2024, 11, 20, 10, 0)
    hearing = local(NAIROBI, 2024, 12, 3, 9, 0)
    assert kinds(plan_send_times(hearing, now, NAIROBI, notice_kind="changed")) == [
        "changed",
        "d7",
        "d3",
        "d1",
    ]
    assert kinds(plan_send_times(hearing, now, NAIROBI, notice_kind=None)) == ["d7", "d3", "d1"]
    quiet_policy = ReminderPolicy(first_notice=False)
    assert kinds(plan_send_times(hearing, now, NAIROBI, quiet_policy)) == ["d7", "d3", "d1"]
    # A moved hearing is always announced, whatever the first-notice setting.
    assert plan_send_times(hearing, now, NAIROBI, quiet_policy, notice_kind="changed")[0].kind == ("changed")


def test_new_york_reminders_keep_local_clock_across_spring_forward() -> None:
    hearing = local(NEW_YORK, 2025, 3, 11, 9, 0)  # EDT, after 9 March change
    now = local(NEW_YORK, 2025, 3, 1, 12, 0)
    plan = plan_send_times(hearing, now, NEW_YORK)
    assert local_times(plan, NEW_YORK)[1:] == [
        "2025-03-04 09:00",
        "2025-03-08 09:00",
        "2025-03-10 09:00",
    ]
    utc_hours = [p.send_at_utc.hour for p in plan[1:]]
    assert utc_hours == [14, 14, 13]  # EST then EDT


def test_new_york_across_fall_back() -> None:
    hearing = local(NEW_YORK, 2024, 11, 5, 10, 0)  # EST
    now = local(NEW_YORK, 2024, 10, 20, 12, 0)
    plan = plan_send_times(hearing, now, NEW_YORK)
    assert local_times(plan, NEW_YORK)[1:] == [
        "2024-10-29 10:00",
        "2024-11-02 10:00",
        "2024-11-04 10:00",
    ]
    assert [p.send_at_utc.hour for p in plan[1:]] == [14, 14, 15]


def test_send_time_in_dst_gap_resolves_to_earlier_valid_instant() -> None:
    # 02:30 on 9 March 2025 does not exist in New York.
    hearing = local(NEW_YORK, 2025, 3, 10, 2, 30)
    now = local(NEW_YORK, 2025, 3, 1, 12, 0)
    plan = plan_send_times(hearing, now, NEW_YORK, NO_QUIET, notice_kind=None)
    d1 = plan[-1]
    assert d1.kind == "d1"
    assert d1.send_at_utc == datetime(2025, 3, 9, 6, 30, tzinfo=UTC)  # 01:30 EST
    # A valid instant: it survives a round trip through the zone.
    assert d1.send_at_utc.astimezone(NEW_YORK).astimezone(UTC) == d1.send_at_utc


def test_send_time_in_dst_fold_picks_first_occurrence() -> None:
    # 01:30 on 3 November 2024 happens twice in New York; take the first (EDT).
    hearing = local(NEW_YORK, 2024, 11, 4, 1, 30)
    now = local(NEW_YORK, 2024, 10, 20, 12, 0)
    plan = plan_send_times(hearing, now, NEW_YORK, NO_QUIET, notice_kind=None)
    assert plan[-1].send_at_utc == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)


def test_localize_gap_and_fold() -> None:
    gap = localize(datetime(2025, 3, 9).date(), time(2, 30), NEW_YORK, prefer="earlier")
    assert gap == datetime(2025, 3, 9, 6, 30, tzinfo=UTC)
    later = localize(datetime(2025, 3, 9).date(), time(2, 30), NEW_YORK, prefer="later")
    assert later == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)


def test_quiet_hours_edges() -> None:
    assert not is_quiet(local(NAIROBI, 2024, 12, 1, 7, 0), NAIROBI)
    assert is_quiet(local(NAIROBI, 2024, 12, 1, 6, 59), NAIROBI)
    assert not is_quiet(local(NAIROBI, 2024, 12, 1, 20, 30), NAIROBI)
    assert is_quiet(local(NAIROBI, 2024, 12, 1, 20, 31), NAIROBI)
    assert is_quiet(local(NAIROBI, 2024, 12, 1, 23, 0), NAIROBI)
    morning = next_allowed_at_or_after(local(NAIROBI, 2024, 12, 1, 23, 0), NAIROBI)
    assert morning == local(NAIROBI, 2024, 12, 2, 7, 0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_send_times(datetime(2024, 12, 3, 9), datetime.now(UTC), NAIROBI)
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_send_times(local(NAIROBI, 2024, 12, 3, 9), datetime(2024, 11, 1), NAIROBI)


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        ReminderPolicy(offsets=(("d0", timedelta(0)),))


@pytest.mark.parametrize(
    "zone",
    [
        "Africa/Nairobi",
        "Asia/Manila",
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",  # 30-minute DST shift
        "America/St_Johns",  # half-hour offset with DST
        "Pacific/Apia",
    ],
)
def test_invariants_over_random_hearings(zone: str) -> None:
    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    policy = DEFAULT_POLICY
    for _ in range(400):
        now = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
        hearing = now + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        plan = plan_send_times(hearing, now, tz, policy)
        times = [p.send_at_utc for p in plan]
        assert times == sorted(times)
        for planned in plan:
            assert planned.send_at_utc >= now, "never in the past"
            assert planned.send_at_utc <= hearing - policy.min_lead, "never after the hearing"
            assert not is_quiet(planned.send_at_utc, tz, policy), "never at night"
            assert planned.send_at_utc.utcoffset() == timedelta(0)
        for earlier, later in zip(times, times[1:], strict=False):
            assert later - earlier >= policy.min_gap
        for planned in plan:
            if planned.kind in ("d7", "d3", "d1"):
                days = int(planned.kind[1:])
                wall = hearing.astimezone(tz).replace(tzinfo=None) - timedelta(days=days)
                target = localize(wall.date(), wall.time(), tz, prefer="earlier")
                assert planned.send_at_utc <= target, "reminders only ever move earlier"


def test_policy_round_trips_through_a_dict() -> None:
    policy = ReminderPolicy(offsets=(("d2", timedelta(days=2)),), quiet_start=time(20), first_notice=False)
    data = policy.to_dict()
    assert data["offsets_hours"] == {"d2": 48.0}
    assert data["quiet_start"] == "20:00"
    assert ReminderPolicy.from_dict(data) == policy
    assert ReminderPolicy.from_dict(None) == DEFAULT_POLICY
    assert ReminderPolicy.from_dict({}) == DEFAULT_POLICY
    with pytest.raises(ValueError, match="unknown"):
        ReminderPolicy.from_dict({"quiet": "22:00"})
    with pytest.raises(ValueError):
        ReminderPolicy.from_dict({"quiet_start": "late"})
