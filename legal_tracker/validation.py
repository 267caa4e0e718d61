"""Checks msgspec cannot express: time zones, phone numbers, countries, languages."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers

from legal_tracker.errors import FieldProblem, Invalid

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(value: str) -> bool:
    if value not in _zones():
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def is_country(value: str) -> bool:
    return value in phonenumbers.SUPPORTED_REGIONS or value in {"AQ", "UM"}


# Court dates outside these years are typing mistakes; near the ends of Python's datetime
# range, converting to UTC would overflow.
MIN_YEAR, MAX_YEAR = 1900, 2199


def is_instant(value: datetime) -> bool:
    """A timezone-aware moment within the years a court date can have."""
    return value.utcoffset() is not None and MIN_YEAR <= value.year <= MAX_YEAR


def normalise_phone(value: str) -> str | None:
    """E.164 form of a valid number written in international form, else None."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class Checks:
    """Collects every problem of a request so the answer names all of them at once."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def add(self, field: str, message: str, source: str = "body") -> None:
        self.problems.append(FieldProblem(field, message, source))

    def instant(self, field: str, value: datetime | None, source: str = "body") -> None:
        if value is None:
            return
        if value.utcoffset() is None:
            self.add(field, "must include a UTC offset, e.g. 2026-12-03T09:00:00+03:00", source)
        elif not is_instant(value):
            self.add(field, f"must be between the years {MIN_YEAR} and {MAX_YEAR}", source)

    def timezone(self, field: str, value: str | None) -> None:
        if value is not None and not is_timezone(value):
            self.add(field, "must be an IANA time zone such as Africa/Nairobi")

    def country(self, field: str, value: str | None) -> None:
        if value is not None and not is_country(value):
            self.add(field, "must be an ISO 3166-1 alpha-2 country code such as KE")

    def language(self, field: str, value: str | None) -> None:
        if value is not None and not _LANGUAGE.match(value):
            self.add(field, "must be a BCP 47 language tag such as en, sw or tl")

    def phone(self, field: str, value: str | None) -> str | None:
        if value is None:
            return None
        normalised = normalise_phone(value)
        if normalised is None:
            self.add(field, "must be a valid phone number in international E.164 form, e.g. +254712345678")
        return normalised

    def raise_if_any(self) -> None:
        if self.problems:
            raise Invalid(problems=self.problems)
