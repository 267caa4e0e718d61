"""Dates and times for pages, formatted with Babel in the court's own time zone.

A time is always shown in the zone of the place it happens (the court). When that zone is not
the office's, the zone is written beside it ("09:00 PHT" / "09:00 Asia/Manila") so nobody in
Nairobi reads a Manila hearing as local time.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_name

from web.i18n import current_language


def _locale() -> str:
    return current_language.get()


def zone_label(tz: str) -> str:
    """A short, readable name for a zone: the city part of the IANA name."""
    try:
        return get_timezone_name(ZoneInfo(tz), width="short", locale=_locale(), uncommon=False)
    except Exception:  # noqa: BLE001 - Babel lacks a name for some zones: the IANA name will do
        return tz


def when(value: datetime | None, tz: str, office_tz: str | None = None, *,
         with_date: bool = True) -> str:
    """``Tue 3 Dec 2026, 09:00`` in ``tz``, with the zone named when it is not the office's."""
    if value is None:
        return ""
    zone = ZoneInfo(tz)
    local = value.astimezone(zone)
    if with_date:
        text = format_datetime(local, "EEE d MMM y, HH:mm", tzinfo=zone, locale=_locale())
    else:
        text = format_time(local, "HH:mm", tzinfo=zone, locale=_locale())
    if office_tz and office_tz != tz:
        text = f"{text} ({tz})"
    return text


def time_only(value: datetime | None, tz: str, office_tz: str | None = None) -> str:
    """``09:00`` in ``tz`` (24-hour clock and Latin digits in every language we serve, so no
    Babel call: the court day formats hundreds of these)."""
    if value is None:
        return ""
    text = value.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    return f"{text} ({tz})" if office_tz and office_tz != tz else text


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "EEEE d MMMM y", locale=_locale())


def short_day(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, "EEE d MMM y", locale=_locale())


def local_input(value: datetime | None, tz: str) -> str:
    """The value of an ``<input type="datetime-local">`` in the court's zone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def file_size(size: int) -> str:
    """A size in plain words: ``10.5 MB``, ``20 KB`` (three significant figures)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.3g} MB"
    return f"{max(size, 1) / 1000:.3g} KB"
