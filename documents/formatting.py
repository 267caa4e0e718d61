"""Locale-aware wording of dates, times, lists and countries for filings (Babel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list

DEFAULT_LOCALE = "en"


@lru_cache(maxsize=256)
def resolve_locale(language: str | None, country: str | None = None) -> Locale:
    """The Babel locale for a BCP 47 language tag, refined by the office's country.

    ``en`` with country ``KE`` gives ``en_KE`` ("3 December 2024") rather than US
    English ("December 3, 2024"), because courts expect the local convention. Unknown
    tags fall back to the plain language, then to English, so a typo never blocks a
    filing.
    """
    tag = (language or DEFAULT_LOCALE).strip().replace("_", "-") or DEFAULT_LOCALE
    candidates = []
    if country and "-" not in tag:
        candidates.append(f"{tag}-{country.strip().upper()}")
    candidates += [tag, tag.split("-")[0], DEFAULT_LOCALE]
    for candidate in candidates:
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(DEFAULT_LOCALE)


def parse_date(value: object) -> dt.date | None:
    """A date from a date, datetime or ISO 8601 string; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parser in (dt.date.fromisoformat, dt.datetime.fromisoformat):
            try:
                parsed = parser(text)
            except ValueError:
                continue
            return parsed.date() if isinstance(parsed, dt.datetime) else parsed
    return None


def long_date(value: object, locale: Locale) -> str:
    """A date in the locale's long form; text that is not a date is returned as typed.

    Lawyers type dates into forms as ISO (from a date picker) or as words ("to be fixed
    by the Court"); the second must pass through untouched.
    """
    parsed = parse_date(value)
    if parsed is None:
        return str(value)
    return format_date(parsed, "long", locale=locale)


def short_time(value: dt.datetime | dt.time, locale: Locale) -> str:
    return format_time(value, "short", locale=locale)


def and_list(items: Iterable[object], locale: Locale) -> str:
    """``["A", "B", "C"]`` as "A, B and C" in the locale's own words."""
    words = [str(item) for item in items if str(item).strip()]
    if not words:
        return ""
    return format_list(words, locale=locale)


def country_name(value: str, locale: Locale) -> str:
    """An ISO 3166 code as the country's name in the locale; anything else as given."""
    code = value.strip()
    if len(code) == 2 and code.isalpha():
        return locale.territories.get(code.upper(), value)
    return value
