"""When to send hearing reminders: a pure function of the hearing, the clock and a policy.

Decisions (documented in docs/sms.md, "When reminders go out"):

* An offset reminder ("d7", "d3", "d1") goes out N calendar days before the hearing at the
  hearing's own local clock time in the recipient's zone: a family told "Tuesday 09:00"
  hears about it on the previous Tuesdays/Mondays at 09:00, when they are likely awake and
  the wording ("appointment ... Tue 3 Dec 09:00") is unambiguous.
* Quiet hours (default 21:00-07:00 local) are widened by ``quiet_margin`` (default 30
  minutes) so a message queued at the edge still lands before 21:00. A send that falls in
  them moves EARLIER to the last allowed moment before them (default 20:30 the same
  evening, or the previous evening for an early-morning time). Reminders never move later:
  later could mean after the family has already set off, or after the hearing.
* Nothing is planned in the past, nothing less than ``min_lead`` before the hearing.
* The immediate notice ("first_notice" for a new hearing, "changed" for a moved one) goes
  out now, or if now is in quiet hours at the end of them, as long as that is still
  ``min_lead`` before the hearing; otherwise it is left out (the caller sees an empty or
  shorter plan and can show staff that the family could not be told in time).
* A send that would follow an earlier kept send by less than ``min_gap`` is dropped: a
  family told about a hearing an hour ago does not need a reminder now.
* Local times that do not exist (spring-forward gap) or exist twice (fall-back fold)
  resolve to the EARLIER real instant, in keeping with "never later".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

ReminderKind = Literal["first_notice", "d7", "d3", "d1"]
MessageKind = Literal["first_notice", "d7", "d3", "d1", "changed", "cancelled", "welcome", "help"]

REMINDER_KINDS: tuple[str, ...] = ("first_notice", "d7", "d3", "d1")
MESSAGE_KINDS: tuple[str, ...] = (
    "first_notice",
    "d7",
    "d3",
    "d1",
    "changed",
    "cancelled",
    "welcome",
    "help",
)


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """An office's reminder policy. Defaults follow common practice for court reminders:
    a week, three days and the day before, never at night."""

    offsets: tuple[tuple[str, timedelta], ...] = (
        ("d7", timedelta(days=7)),
        ("d3", timedelta(days=3)),
        ("d1", timedelta(days=1)),
    )
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    # Dispatch ticks and provider queues add minutes; keep sends clear of quiet hours.
    quiet_margin: timedelta = timedelta(minutes=30)
    # A reminder arriving minutes before the hearing is no use to a family that must travel.
    min_lead: timedelta = timedelta(hours=1)
    min_gap: timedelta = timedelta(hours=12)
    first_notice: bool = True

    def __post_init__(self) -> None:
        for kind, offset in self.offsets:
            if offset <= timedelta(0):
                raise ValueError(f"offset for {kind!r} must be positive")
        if self.quiet_margin < timedelta(0) or self.min_lead < timedelta(0):
            raise ValueError("quiet_margin and min_lead must not be negative")
        if self.min_gap < timedelta(0):
            raise ValueError("min_gap must not be negative")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, e.g. for an office's stored reminder policy."""
        return {
            "offsets_hours": {kind: offset / timedelta(hours=1) for kind, offset in self.offsets},
            "quiet_start": self.quiet_start.strftime("%H:%M"),
            "quiet_end": self.quiet_end.strftime("%H:%M"),
            "quiet_margin_minutes": self.quiet_margin / timedelta(minutes=1),
            "min_lead_minutes": self.min_lead / timedelta(minutes=1),
            "min_gap_hours": self.min_gap / timedelta(hours=1),
            "first_notice": self.first_notice,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ReminderPolicy:
        """Inverse of ``to_dict``; missing keys take the defaults. Raises ValueError."""
        if not data:
            return cls()
        unknown = set(data) - set(cls().to_dict())
        if unknown:
            raise ValueError(f"unknown reminder policy fields: {sorted(unknown)}")
        options: dict[str, Any] = {}
        try:
            if "offsets_hours" in data:
                options["offsets"] = tuple(
                    (str(kind), timedelta(hours=float(hours)))
                    for kind, hours in dict(data["offsets_hours"]).items()
                )
            for key in ("quiet_start", "quiet_end"):
                if key in data:
                    options[key] = time.fromisoformat(str(data[key]))
            if "quiet_margin_minutes" in data:
                options["quiet_margin"] = timedelta(minutes=float(data["quiet_margin_minutes"]))
            if "min_lead_minutes" in data:
                options["min_lead"] = timedelta(minutes=float(data["min_lead_minutes"]))
            if "min_gap_hours" in data:
                options["min_gap"] = timedelta(hours=float(data["min_gap_hours"]))
            if "first_notice" in data:
                options["first_notice"] = bool(data["first_notice"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid reminder policy: {exc}") from exc
        return cls(**options)


DEFAULT_POLICY = ReminderPolicy()


@dataclass(frozen=True, slots=True)
class PlannedSend:
    kind: str
    send_at_utc: datetime  # aware, UTC


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _effective_quiet(policy: ReminderPolicy) -> tuple[int, int] | None:
    """Quiet window in minutes of the local day, (start, end), possibly wrapping midnight.

    ``start`` is quiet_start minus the margin and is itself allowed.
    """
    start = _minutes(policy.quiet_start)
    end = _minutes(policy.quiet_end)
    if start == end:
        return None
    margin = int(policy.quiet_margin.total_seconds() // 60)
    return ((start - margin) % 1440, end)


def _in_window(minute_of_day: float, window: tuple[int, int]) -> bool:
    # Open at the start: the start minute itself is the last allowed moment, so a send
    # moved out of quiet hours can land exactly on it (20:30, not 20:29:59).
    start, end = window
    if start < end:
        return start < minute_of_day < end
    return minute_of_day > start or minute_of_day < end


def localize(day: date, clock: time, tz: ZoneInfo, *, prefer: Literal["earlier", "later"]) -> datetime:
    """A real instant for a local wall time, choosing across a DST gap or fold.

    fold=0 and fold=1 differ only for ambiguous or non-existent wall times; picking the
    earlier (or later) of the two gives a valid instant in every case.
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    candidates = [
        naive.replace(tzinfo=tz, fold=0).astimezone(UTC),
        naive.replace(tzinfo=tz, fold=1).astimezone(UTC),
    ]
    return min(candidates) if prefer == "earlier" else max(candidates)


def is_quiet(instant: datetime, tz: ZoneInfo, policy: ReminderPolicy = DEFAULT_POLICY) -> bool:
    """True if ``instant`` falls in the recipient's (margin-widened) quiet hours."""
    _require_aware(instant, "instant")
    window = _effective_quiet(policy)
    if window is None:
        return False
    local = instant.astimezone(tz)
    return _in_window(local.hour * 60 + local.minute + local.second / 60, window)


def latest_allowed_at_or_before(
    instant: datetime, tz: ZoneInfo, policy: ReminderPolicy = DEFAULT_POLICY
) -> datetime:
    """``instant`` itself if allowed, else the last allowed moment before it."""
    _require_aware(instant, "instant")
    window = _effective_quiet(policy)
    if window is None or not is_quiet(instant, tz, policy):
        return instant.astimezone(UTC)
    start_minute = window[0]
    start_clock = time(start_minute // 60, start_minute % 60)
    local = instant.astimezone(tz)
    # The quiet stretch began at start_clock today or, for an early-morning time in a
    # window that wraps midnight, yesterday.
    day = local.date()
    candidate = localize(day, start_clock, tz, prefer="earlier")
    if candidate > instant:
        candidate = localize(day - timedelta(days=1), start_clock, tz, prefer="earlier")
    return candidate


def next_allowed_at_or_after(
    instant: datetime, tz: ZoneInfo, policy: ReminderPolicy = DEFAULT_POLICY
) -> datetime:
    """``instant`` itself if allowed, else the moment quiet hours end."""
    _require_aware(instant, "instant")
    window = _effective_quiet(policy)
    if window is None or not is_quiet(instant, tz, policy):
        return instant.astimezone(UTC)
    end_clock = time(window[1] // 60, window[1] % 60)
    local = instant.astimezone(tz)
    day = local.date()
    candidate = localize(day, end_clock, tz, prefer="later")
    if candidate <= instant:
        candidate = localize(day + timedelta(days=1), end_clock, tz, prefer="later")
    return candidate


def plan_send_times(
    hearing_starts_at: datetime,
    now: datetime,
    recipient_tz: ZoneInfo,
    policy: ReminderPolicy = DEFAULT_POLICY,
    *,
    notice_kind: str | None = "first_notice",
) -> list[PlannedSend]:
    """Plan the messages one recipient gets about one hearing, earliest first.

    ``notice_kind`` names the immediate message: "first_notice" when the hearing is new,
    "changed" when it was moved (the caller renders the new date), or None for no
    immediate message (e.g. re-planning after a policy change). The first-notice message is
    only planned if ``policy.first_notice`` is set; "changed" always is, because a family
    must hear about a new date.
    """
    _require_aware(hearing_starts_at, "hearing_starts_at")
    _require_aware(now, "now")
    hearing = hearing_starts_at.astimezone(UTC)
    now = now.astimezone(UTC)
    deadline = hearing - policy.min_lead
    if deadline < now:
        return []

    candidates: list[PlannedSend] = []
    if notice_kind is not None and (notice_kind != "first_notice" or policy.first_notice):
        notice_at = next_allowed_at_or_after(now, recipient_tz, policy)
        if notice_at <= deadline:
            candidates.append(PlannedSend(notice_kind, notice_at))

    local_hearing = hearing.astimezone(recipient_tz)
    for kind, offset in policy.offsets:
        # Calendar-day arithmetic on the wall clock, so "a week before at 09:00" stays at
        # 09:00 across a DST change.
        wall = local_hearing.replace(tzinfo=None) - offset
        target = localize(wall.date(), wall.time(), recipient_tz, prefer="earlier")
        send_at = latest_allowed_at_or_before(target, recipient_tz, policy)
        if send_at < now or send_at > deadline:
            continue
        candidates.append(PlannedSend(kind, send_at))

    candidates.sort(key=lambda planned: planned.send_at_utc)
    kept: list[PlannedSend] = []
    for planned in candidates:
        if kept and planned.send_at_utc - kept[-1].send_at_utc < policy.min_gap:
            continue
        kept.append(planned)
    return kept
