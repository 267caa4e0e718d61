"""Countries for a ``<select>``: names from Babel's CLDR territory names in the page's language,
values the ISO 3166-1 alpha-2 codes the services accept (``legal_tracker.validation.is_country``),
so nobody types a code."""

from __future__ import annotations

from functools import lru_cache
from unicodedata import normalize

from babel import Locale, UnknownLocaleError

from legal_tracker.validation import is_country
from web.i18n import DEFAULT_LANGUAGE, current_language


def _sort_key(name: str) -> str:
    # Accents do not move a name out of its letter: "Åland" sorts with the A's.
    return "".join(c for c in normalize("NFKD", name) if c.isalnum() or c == " ").casefold()


@lru_cache(maxsize=16)
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    try:
        names = Locale.parse(language.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        names = Locale.parse(DEFAULT_LANGUAGE).territories
    pairs = [(code, name) for code, name in names.items()
             if len(code) == 2 and code.isalpha() and is_country(code)]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1])))


def country_options() -> list[tuple[str, str]]:
    """``(code, name)`` pairs by name, in the current page's language."""
    return list(_countries(current_language.get()))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return dict(_countries(current_language.get())).get(code, code)
