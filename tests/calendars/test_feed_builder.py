"""The feed builder on its own: every property a subscribed caseworker's calendar relies on,
the privacy rules, and an ETag that changes exactly when the bytes do."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vDuration

from calendars import feed as feed_module
from calendars.feed import (
    KIND_LABELS,
    FeedDeadline,
    FeedHearing,
    FeedInfo,
    build_feed,
    clear_caches,
)
from tests.calendars.feed_samples import (
    DOMAIN,
    DST_CASES,
    INFO,
    MOVED_AFTER,
    MOVED_BEFORE,
    UPDATED,
    deadline,
    hearing,
    utc,
)

NY = ZoneInfo("America/New_York")
ROOT = Path(__file__).resolve().parents[2]


def _parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def _events(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in _parse(body).walk("VEVENT")}


def _one(body: bytes):
    [event] = _parse(body).walk("VEVENT")
    return event


@pytest.fixture(autouse=True)
def cold_caches():
    clear_caches()


# The calendar itself ----------------------------------------------------------------------


def test_header_names_the_calendar_and_asks_for_hourly_refresh():
    calendar = _parse(build_feed(INFO, [hearing(1, "2026-05-04T09:00", "Africa/Nairobi")]))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == feed_module.PRODID
    assert str(calendar["UID"]) == INFO.calendar_uid
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == INFO.name
    refresh = calendar["REFRESH-INTERVAL"]
    assert refresh.params["VALUE"] == "DURATION" and refresh.dt == timedelta(hours=1)
    # An X- property comes back untyped; its value must read as a duration.
    assert vDuration.from_ical(calendar["X-PUBLISHED-TTL"].to_ical().decode()) == \
        timedelta(hours=1)
    # METHOD:PUBLISH would oblige an ORGANIZER on every event (RFC 5546); a feed needs none.
    assert "METHOD" not in calendar


def test_a_feed_without_events_is_still_a_valid_calendar():
    body = build_feed(INFO, [], [])
    calendar = _parse(body)
    assert calendar.walk("VEVENT") == [] and calendar.walk("VTIMEZONE") == []
    assert str(calendar["X-WR-CALNAME"]) == INFO.name
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")


def test_every_line_ends_crlf_and_is_folded_at_75_octets():
    body = build_feed(INFO, [h for h, _, _ in DST_CASES], [deadline()])
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


# Hearings ---------------------------------------------------------------------------------


def test_summary_location_description_and_class():
    h = hearing(7, "2026-05-04T09:00", "Africa/Nairobi", kind="pre_trial", courtroom="Court 2",
                survivor_testifies=True, what_to_bring="Summons, ID card", family_attends=True)
    event = _one(build_feed(INFO, [h]))
    assert str(event["SUMMARY"]) == "Pre-trial — CR 7/2026"
    assert str(event["LOCATION"]) == "Kibera Law Courts, Court 2, Kibera Drive, Nairobi"
    assert str(event["DESCRIPTION"]).splitlines() == [
        "Accompanying: Grace Achieng, Ana Cruz", "Survivor testifies: yes",
        "Family attends: yes", "Bring: Summons, ID card"]
    assert str(event["CLASS"]) == "PRIVATE"
    assert str(event["STATUS"]) == "CONFIRMED" and str(event["TRANSP"]) == "OPAQUE"


def test_every_kind_has_a_human_label():
    labels = {kind: _one(build_feed(INFO, [hearing(1, "2026-05-04T09:00", "Asia/Manila",
                                                   kind=kind)]))["SUMMARY"]
              for kind in KIND_LABELS}
    assert {k: str(v).split(" — ")[0] for k, v in labels.items()} == {
        "mention": "Mention", "plea": "Plea", "bail": "Bail hearing", "pre_trial": "Pre-trial",
        "testimony": "Testimony", "judgment": "Judgment", "sentencing": "Sentencing",
        "appeal": "Appeal"}


def test_uid_is_stable_for_the_hearings_whole_life_and_sequence_is_its_version():
    first = hearing(42, "2026-03-05T10:00", "America/New_York")
    moved = dataclasses.replace(first, version=2, starts_at=datetime(2026, 4, 1, 14, tzinfo=NY),
                                updated_at=UPDATED + timedelta(days=1))
    elsewhere = hearing(42, "2026-04-02T09:00", "Europe/London", version=3,
                        updated_at=UPDATED + timedelta(days=2))
    cancelled = dataclasses.replace(elsewhere, version=4, status="cancelled",
                                    updated_at=UPDATED + timedelta(days=3))
    events = [_one(build_feed(INFO, [h])) for h in (first, moved, elsewhere, cancelled)]
    assert {str(e["UID"]) for e in events} == {f"hearing-42@{DOMAIN}"}
    assert [int(e["SEQUENCE"]) for e in events] == [1, 2, 3, 4]


def test_dtstamp_and_last_modified_are_the_last_change_in_utc_not_the_clock():
    h = hearing(1, "2026-05-04T09:00", "Africa/Nairobi",
                updated_at=datetime(2026, 2, 1, 11, 30, 5, 987, tzinfo=ZoneInfo("Africa/Nairobi")))
    body = build_feed(INFO, [h])
    event = _one(body)
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == utc("2026-02-01T08:30:05")
    assert b"DTSTAMP:20260201T083005Z\r\n" in body
    clear_caches()
    assert build_feed(INFO, [h]) == body  # rebuilt later, from scratch: the same bytes


def test_times_are_in_the_courts_zone_and_never_floating():
    body = build_feed(INFO, [h for h, _, _ in DST_CASES])
    for line in body.decode().split("\r\n"):
        if line.startswith(("DTSTART", "DTEND")) and "VALUE=DATE:" not in line:
            in_event = ";TZID=" in line or line.endswith("Z")
            in_vtimezone = ":" in line and ";" not in line.split(":")[0]
            assert in_event or in_vtimezone, line
    for h, start, end in DST_CASES:
        event = _events(body)[f"hearing-{h.id}@{DOMAIN}"]
        dtstart, dtend = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (dtstart.astimezone(UTC), dtend.astimezone(UTC)) == (start, end)
        if h.id != 105:  # the one ambiguous wall-clock time, written in UTC on purpose
            assert event["DTSTART"].params["TZID"] == h.court_timezone
            assert dtstart.replace(tzinfo=None) == start.astimezone(
                ZoneInfo(h.court_timezone)).replace(tzinfo=None)


def test_both_0130s_when_clocks_go_back_are_written_in_utc():
    # Parsers disagree on which 01:30 a TZID-local 01:30 means that night, so neither is
    # written that way; the durations are kept.
    first = hearing(1, "2026-11-01T01:30", "America/New_York")      # 05:30Z, EDT
    second = dataclasses.replace(first, id=2, starts_at=utc("2026-11-01T06:30"))  # EST
    events = _events(build_feed(INFO, [first, second]))
    for uid, start in ((1, utc("2026-11-01T05:30")), (2, utc("2026-11-01T06:30"))):
        event = events[f"hearing-{uid}@{DOMAIN}"]
        assert "TZID" not in event["DTSTART"].params
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTEND").astimezone(UTC) == start + timedelta(hours=1)


def test_the_end_is_the_duration_in_real_time_across_a_dst_change():
    # 01:30 EST + 2 hours = 04:30 EDT (not 03:30, which naive wall-clock arithmetic gives).
    event = _one(build_feed(INFO, [hearing(1, "2026-03-08T01:30", "America/New_York",
                                           minutes=120)]))
    assert event.decoded("DTEND") == datetime(2026, 3, 8, 4, 30, tzinfo=NY)
    elapsed = event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC)
    assert elapsed == timedelta(hours=2)


def test_a_vtimezone_for_every_tzid_matching_zoneinfo_over_the_whole_range():
    hearings = [h for h, _, _ in DST_CASES] + [hearing(900, "2027-07-01T09:00", "Europe/London")]
    calendar = _parse(build_feed(INFO, hearings))
    vtimezones = {str(tz["TZID"]): tz for tz in calendar.walk("VTIMEZONE")}
    assert set(vtimezones) == {h.court_timezone for h in hearings}
    first, last = datetime(2026, 3, 5, tzinfo=UTC), datetime(2027, 7, 2, tzinfo=UTC)
    for tzid, component in vtimezones.items():
        # lookup_tzid=False: read the component itself, not zoneinfo's zone of that name.
        from_feed, reference = component.to_tz(lookup_tzid=False), ZoneInfo(tzid)
        moment = first
        while moment <= last:
            # What a client does with DTSTART;TZID=...: wall-clock time to an instant. Every
            # wall-clock hour that exists must land on the right instant (the second pass
            # through an hour when clocks go back is written in UTC, see above).
            wall = moment.astimezone(reference)
            if not wall.fold:
                assert wall.replace(tzinfo=from_feed).astimezone(UTC) == moment, (tzid, wall)
            moment += timedelta(minutes=30)
    # Both of New York's and London's changes in each year are in the feed.
    ny = vtimezones["America/New_York"]
    onsets = set()
    for sub in ny.subcomponents:
        onsets.add(sub.decoded("DTSTART").date())
        rdates = sub.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            onsets.update(d.dt.date() for d in rdate.dts)
    assert {date(2026, 3, 8), date(2026, 11, 1), date(2027, 3, 14), date(2027, 11, 7)} <= onsets
    assert [s.name for s in vtimezones["Africa/Nairobi"].subcomponents] == ["STANDARD"]


def test_vtimezone_has_one_observance_per_change_and_nothing_rfc_5545_forbids():
    # RDATE lists made ical.js (Thunderbird) skip an observance's DTSTART; COMMENT is not a
    # VTIMEZONE property (libical adds X-LIC-ERROR to every feed carrying one).
    body = build_feed(INFO, [hearing(1, "2027-06-15T10:00", "Europe/London"),
                             hearing(2, "2028-02-01T09:00", "Europe/London")])
    [london] = _parse(body).walk("VTIMEZONE")
    assert set(london) == {"TZID"}
    onsets = []
    for sub in london.subcomponents:
        assert set(sub) == {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME"}, sub
        onsets.append((sub.name, sub.decoded("DTSTART")))
    # Clocks go forward at 01:00 GMT (written in the offset before the change) and back at
    # 02:00 BST.
    assert ("DAYLIGHT", datetime(2027, 3, 28, 1, 0)) in onsets
    assert ("STANDARD", datetime(2027, 10, 31, 2, 0)) in onsets
    assert ("DAYLIGHT", datetime(2028, 3, 26, 1, 0)) in onsets


def test_vtimezone_does_not_change_when_later_hearings_are_added():
    first = build_feed(INFO, [hearing(1, "2027-06-15T10:00", "Europe/London")])
    both = build_feed(INFO, [hearing(1, "2027-06-15T10:00", "Europe/London"),
                             hearing(2, "2031-02-01T09:00", "Europe/London")])
    zone = [c.to_ical() for c in _parse(first).walk("VTIMEZONE")]
    assert zone == [c.to_ical() for c in _parse(both).walk("VTIMEZONE")]


def test_cancelled_hearing_is_marked_and_does_not_block_time():
    h = hearing(5, "2026-05-04T09:00", "Africa/Nairobi", status="cancelled", version=3)
    event = _one(build_feed(INFO, [h]))
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "CANCELLED: Mention — CR 5/2026"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert "This hearing was cancelled." in str(event["DESCRIPTION"])


def test_adjourned_hearing_and_its_successor_name_each_others_dates():
    old_start = datetime(2026, 3, 5, 10, tzinfo=NY)
    new_start = datetime(2026, 4, 14, 9, 30, tzinfo=NY)
    old = hearing(10, "2026-03-05T10:00", "America/New_York", status="adjourned",
                  adjourned_to=new_start)
    new = hearing(11, "2026-04-14T09:30", "America/New_York", adjourned_from=old_start)
    events = _events(build_feed(INFO, [old, new]))
    adjourned, follow = events[f"hearing-10@{DOMAIN}"], events[f"hearing-11@{DOMAIN}"]
    assert str(adjourned["SUMMARY"]) == "Mention — CR 10/2026 (adjourned to 14 Apr 2026)"
    assert "Adjourned to Tue 14 Apr 2026, 09:30 (court time)." in str(adjourned["DESCRIPTION"])
    assert str(follow["SUMMARY"]) == "Mention — CR 11/2026 (adjourned from 5 Mar 2026)"
    assert "Adjourned from Thu 5 Mar 2026, 10:00 (court time)." in str(follow["DESCRIPTION"])
    assert str(adjourned["STATUS"]) == "CONFIRMED"


def test_adjourned_dates_are_the_courts_local_dates():
    # 22:30 in New York on 13 April is already 14 April in UTC.
    late = datetime(2026, 4, 13, 22, 30, tzinfo=NY)
    h = hearing(1, "2026-03-05T10:00", "America/New_York", status="adjourned", adjourned_to=late)
    assert str(_one(build_feed(INFO, [h]))["SUMMARY"]).endswith("(adjourned to 13 Apr 2026)")


def test_held_hearing_says_so():
    h = hearing(1, "2026-03-05T10:00", "America/New_York", status="held")
    assert str(_one(build_feed(INFO, [h]))["SUMMARY"]) == "Mention — CR 1/2026 (held)"


# Deadlines --------------------------------------------------------------------------------


def test_deadlines_are_all_day_events_with_stable_uids():
    d = deadline("case-12-rfe-1", date(2026, 6, 30))
    later = dataclasses.replace(d, due_date=date(2026, 7, 15), title="Answer the RFE (extended)",
                                updated_at=UPDATED + timedelta(days=3), version=1)
    body = build_feed(INFO, [], [d])
    assert b"DTSTART;VALUE=DATE:20260630\r\n" in body
    assert b"DTEND;VALUE=DATE:20260701\r\n" in body
    first, second = _one(body), _one(build_feed(INFO, [], [later]))
    assert str(first["UID"]) == str(second["UID"]) == f"deadline-case-12-rfe-1@{DOMAIN}"
    assert str(first["SUMMARY"]) == "Deadline: Answer the request for evidence — CR 12/2026"
    assert str(first["DESCRIPTION"]) == "Send the signed declaration"
    assert str(first["CLASS"]) == "PRIVATE" and str(first["TRANSP"]) == "TRANSPARENT"
    assert int(second["SEQUENCE"]) == 1
    assert _parse(body).walk("VTIMEZONE") == []  # dates need no zone


def test_events_come_in_date_order_whatever_the_callers_order():
    hs = [h for h, _, _ in DST_CASES]
    ds = [deadline("b", date(2026, 5, 1)), deadline("a", date(2026, 4, 1))]
    body = build_feed(INFO, hs, ds)
    assert build_feed(INFO, list(reversed(hs)), list(reversed(ds))) == body
    starts = [e.decoded("DTSTART") for e in _parse(body).walk("VEVENT")][: len(hs)]
    assert starts == sorted(starts)


# Privacy ----------------------------------------------------------------------------------


FORBIDDEN_FIELDS = ("name", "legal", "survivor_name", "offence", "offense", "charge", "crime",
                    "birth", "phone", "victim")


@pytest.mark.parametrize("cls", [FeedHearing, FeedDeadline])
def test_inputs_have_no_field_for_a_name_or_the_offence(cls):
    fields = {f.name for f in dataclasses.fields(cls)}
    allowed = {"court_name"}
    for field in fields - allowed:
        assert not any(word in field for word in FORBIDDEN_FIELDS), field
    with pytest.raises(TypeError):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", legal_name="Jane Doe")
    with pytest.raises(TypeError):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", offence="sexual exploitation")


def test_inputs_are_frozen_and_slotted():
    h = hearing(1, "2026-05-04T09:00", "Africa/Nairobi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.case_reference = "x"  # type: ignore[misc]
    assert not hasattr(h, "__dict__") and not hasattr(deadline(), "__dict__")


def test_the_feeds_own_words_never_name_the_kind_of_crime():
    everything = [h for h, _, _ in DST_CASES] + [
        hearing(9, "2026-05-04T09:00", "Africa/Nairobi", status="adjourned",
                adjourned_to=datetime(2026, 6, 1, 6, tzinfo=UTC), kind=k) for k in ["testimony"]]
    text = build_feed(INFO, everything, [deadline()]).decode().lower()
    for word in ("trafficking", "abuse", "victim", "exploitation", "offence", "rape", "sexual"):
        assert word not in text


def test_minimal_privacy_shows_when_and_where_only():
    info = dataclasses.replace(INFO, privacy="minimal")
    h = hearing(1, "2026-05-04T09:00", "Africa/Nairobi", what_to_bring="Medical report",
                survivor_testifies=True, family_attends=True)
    event = _one(build_feed(info, [h]))
    description = str(event.get("DESCRIPTION", ""))
    assert "Grace" not in description and "Medical report" not in description
    assert "Survivor" not in description and "Family" not in description
    assert str(event["SUMMARY"]) == "Mention — CR 1/2026"
    assert "Kibera Law Courts" in str(event["LOCATION"])
    assert build_feed(info, [h]) != build_feed(INFO, [h])


# Validation -------------------------------------------------------------------------------


def test_bad_inputs_are_refused_before_they_reach_a_client():
    with pytest.raises(ValueError, match="timezone-aware"):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", starts_at=datetime(2026, 5, 4, 9))
    with pytest.raises(ValueError, match="kind"):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", kind="trial")
    with pytest.raises(ValueError, match="status"):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", status="postponed")
    with pytest.raises(ValueError, match="duration"):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", duration=timedelta(0))
    with pytest.raises(Exception, match="Mars"):
        hearing(1, "2026-05-04T09:00", "Africa/Nairobi", court_timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="date"):
        deadline(due=datetime(2026, 5, 4, tzinfo=UTC))
    with pytest.raises(ValueError, match="privacy"):
        FeedInfo("c@x", "n", "x.org", privacy="public")  # type: ignore[arg-type]
    h = hearing(1, "2026-05-04T09:00", "Africa/Nairobi")
    with pytest.raises(ValueError, match="twice"):
        build_feed(INFO, [h, dataclasses.replace(h, version=2)])


# ETag, Last-Modified, caches --------------------------------------------------------------


def _feed_inputs():
    return [h for h, _, _ in DST_CASES], [deadline(), deadline("x-2", date(2026, 9, 1))]


MUTATIONS = {
    "version": 7,
    "case_reference": "CR 999/2026",
    "kind": "plea",
    "status": "cancelled",
    "starts_at": utc("2026-03-08T18:00"),
    "duration": timedelta(minutes=90),
    "court_name": "Brooklyn Supreme Court",
    "court_address": "360 Adams St",
    "courtroom": None,
    "court_timezone": "America/Chicago",
    "accompanying_staff": ("Grace Achieng",),
    "survivor_testifies": True,
    "what_to_bring": "Nothing",
    "adjourned_to": utc("2026-05-01T14:00"),
    "adjourned_from": utc("2026-01-10T15:00"),
    "updated_at": utc("2026-02-02T00:00"),
    "family_attends": True,
}
DEADLINE_MUTATIONS = {
    "due_date": date(2026, 3, 9),
    "title": "File the brief",
    "case_reference": None,
    "what_to_do": "Call the clerk",
    "updated_at": utc("2026-02-03T00:00"),
    "version": 2,
}


def test_every_field_of_a_hearing_is_covered():
    assert set(MUTATIONS) == {f.name for f in dataclasses.fields(FeedHearing)} - {"id"}
    assert set(DEADLINE_MUTATIONS) == {f.name for f in dataclasses.fields(FeedDeadline)} - {"key"}


@pytest.mark.parametrize("field", sorted(MUTATIONS))
def test_changing_any_hearing_field_changes_the_bytes(field):
    hs, ds = _feed_inputs()
    changed = [dataclasses.replace(hs[0], **{field: MUTATIONS[field]}), *hs[1:]]
    assert build_feed(INFO, changed, ds) != build_feed(INFO, hs, ds)


@pytest.mark.parametrize("field", sorted(DEADLINE_MUTATIONS))
def test_changing_any_deadline_field_changes_the_bytes(field):
    hs, ds = _feed_inputs()
    changed = [dataclasses.replace(ds[0], **{field: DEADLINE_MUTATIONS[field]}), ds[1]]
    assert build_feed(INFO, hs, changed) != build_feed(INFO, hs, ds)


@pytest.mark.parametrize("change", [
    {"name": "Hearings CR 1/2026"}, {"calendar_uid": "calendar-8@x"},
    {"domain": "other.example.org"}, {"privacy": "minimal"}])
def test_changing_the_subscription_changes_the_bytes(change):
    hs, ds = _feed_inputs()
    info = dataclasses.replace(INFO, **change)
    assert build_feed(info, hs, ds) != build_feed(INFO, hs, ds)


def test_adding_or_removing_an_event_changes_the_bytes():
    hs, ds = _feed_inputs()
    body = build_feed(INFO, hs, ds)
    assert build_feed(INFO, hs[1:], ds) != body and build_feed(INFO, hs, ds[1:]) != body
    assert build_feed(INFO, [*hs, hearing(999, "2026-12-01T09:00", "Asia/Manila")], ds) != body


def test_bytes_do_not_change_when_the_content_does_not():
    hs, ds = _feed_inputs()
    body = build_feed(INFO, hs, ds)
    # The same data as new objects, in another order, with instants given in other zones and
    # with sub-second noise iCalendar cannot carry: same bytes.
    again = [dataclasses.replace(
        h, starts_at=h.starts_at.astimezone(ZoneInfo("Asia/Tokyo")),
        updated_at=h.updated_at.replace(microsecond=250_000),
        accompanying_staff=tuple(h.accompanying_staff)) for h in reversed(hs)]
    clear_caches()
    assert build_feed(INFO, again, list(reversed(ds))) == body


def test_a_change_to_one_hearing_serialises_only_that_event():
    hs, ds = _feed_inputs()
    build_feed(INFO, hs, ds)
    cached = len(feed_module._events)
    assert cached == len(hs) + len(ds)
    build_feed(INFO, hs, ds)
    assert len(feed_module._events) == cached
    changed = [dataclasses.replace(hs[0], version=2), *hs[1:]]
    build_feed(INFO, changed, ds)
    assert len(feed_module._events) == cached + 1


def test_moving_a_hearing_keeps_its_uid_and_raises_sequence():
    before = _one(build_feed(INFO, [MOVED_BEFORE]))
    after = _one(build_feed(INFO, [MOVED_AFTER]))
    assert str(before["UID"]) == str(after["UID"])
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (1, 2)
