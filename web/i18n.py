"""Translations for the web app: Babel message catalogs, chosen per request.

Templates say ``{{ _("Court day") }}`` (or ``{% trans %}…{% endtrans %}``); the text is looked up
in ``web/locale/<lang>/LC_MESSAGES/messages.po`` for the signed-in person's language (their
staff record's ``language``), or the browser's ``Accept-Language`` before sign-in. English is the
source language and needs no catalog. Adding Swahili or Tagalog means adding a ``.po`` file
(see docs/web.md); no template changes. Catalogs are compiled in memory when the app starts, so
there is no build step and no binary ``.mo`` file in the repository.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"

current_language: ContextVar[str] = ContextVar("web_language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (DEFAULT_LANGUAGE, *[lang for lang in found if lang != DEFAULT_LANGUAGE])


@lru_cache(maxsize=16)
def translations(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def choose_language(preferred: str | None, accept_language: str | None = None) -> str:
    """The person's own language when we have a catalog for it, else the browser's first
    language we have, else English."""
    languages = available_languages()
    candidates = [preferred or ""]
    for part in (accept_language or "").split(","):
        candidates.append(part.split(";")[0].strip())
    for candidate in candidates:
        base = candidate.lower().replace("_", "-").split("-")[0]
        if base in languages:
            return base
    return DEFAULT_LANGUAGE


def gettext_(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)
