"""SMS texts for families: short, neutral, and safe if someone else reads the phone.

A message names only the place, the date and time, and the office's phone number. It never
carries the survivor's name, the offence, the kind of hearing or any word that hints at a
criminal case; tests enforce this for every template in every language.

To add a language: add an entry to ``TEMPLATES`` keyed by its ISO 639-1 code (every kind
in ``MESSAGE_KINDS`` is required, checked at import), and map any aliases in
``LANGUAGE_ALIASES``. Babel formats the date in that language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time

from legal_tracker.reminders.encoding import Encoding, normalize_punctuation, segment_info
from legal_tracker.reminders.planning import MESSAGE_KINDS

DEFAULT_LANGUAGE = "en"
MAX_SEGMENTS = 2
ELLIPSIS = "..."  # three GSM-7 septets; "…" would force the whole text into UCS-2

# Reminder kinds share one text: relative words ("tomorrow", "next week") would be wrong
# when quiet hours move a reminder to an earlier evening, so every text states the date.
_EN_STOP = "Reply STOP to stop these messages."
_SW_STOP = "Jibu STOP kusitisha jumbe hizi."
_TL_STOP = "I-reply ang STOP para itigil ang mga mensaheng ito."

_EN_REMINDER = "Reminder: appointment at {court}, {when}. Questions: {phone}. " + _EN_STOP
_SW_REMINDER = "Kikumbusho: una miadi katika {court}, {when}. Maswali: {phone}. " + _SW_STOP
_TL_REMINDER = "Paalala: may appointment ka sa {court}, {when}. Mga tanong: {phone}. " + _TL_STOP

# STOP and START stay in English in every language: carriers and Twilio honour those
# words themselves, so they work even if our own keyword handling were unreachable.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "first_notice": "New appointment at {court}, {when}. Questions: {phone}. " + _EN_STOP,
        "d7": _EN_REMINDER,
        "d3": _EN_REMINDER,
        "d1": _EN_REMINDER,
        "changed": "Your appointment at {court} has moved to {when}. Questions: {phone}. " + _EN_STOP,
        "cancelled": "Your appointment at {court} on {when} is cancelled. Questions: {phone}. " + _EN_STOP,
        "welcome": "{office}: you will get appointment reminders on this number. "
        "Questions: {phone}. Reply STOP to stop, HELP for help.",
        "help": "{office}: appointment reminders. Questions: call {phone}. "
        "Reply STOP to stop these messages, START to get them again.",
    },
    "sw": {
        "first_notice": "Una miadi mpya katika {court}, {when}. Maswali: {phone}. " + _SW_STOP,
        "d7": _SW_REMINDER,
        "d3": _SW_REMINDER,
        "d1": _SW_REMINDER,
        "changed": "Miadi yako katika {court} imebadilishwa hadi {when}. Maswali: {phone}. " + _SW_STOP,
        "cancelled": "Miadi yako katika {court} ya {when} imeghairiwa. Maswali: {phone}. " + _SW_STOP,
        "welcome": "{office}: utapokea vikumbusho vya miadi kwenye nambari hii. "
        "Maswali: {phone}. Jibu STOP kusitisha, au MSAADA kupata msaada.",
        "help": "{office}: vikumbusho vya miadi. Maswali: piga simu {phone}. "
        "Jibu STOP kusitisha jumbe hizi, au START kuanza tena.",
    },
    "tl": {
        "first_notice": "May bagong appointment ka sa {court}, {when}. Mga tanong: {phone}. " + _TL_STOP,
        "d7": _TL_REMINDER,
        "d3": _TL_REMINDER,
        "d1": _TL_REMINDER,
        "changed": "Ang appointment mo sa {court} ay inilipat sa {when}. Mga tanong: {phone}. " + _TL_STOP,
        "cancelled": "Kinansela ang appointment mo sa {court} sa {when}. Mga tanong: {phone}. " + _TL_STOP,
        "welcome": "{office}: makakatanggap ka ng paalala ng appointment sa numerong ito. "
        "Mga tanong: {phone}. I-reply ang STOP para itigil, TULONG para sa tulong.",
        "help": "{office}: mga paalala ng appointment. Mga tanong: tumawag sa {phone}. "
        "I-reply ang STOP para itigil ang mga mensahe, o START para magsimula ulit.",
    },
}

# Filipino is standardised Tagalog; CLDR files it under "fil", contacts may say either.
LANGUAGE_ALIASES: Mapping[str, str] = {"fil": "tl"}

# Kinds whose text names a place and a time.
_DATED_KINDS = frozenset({"first_notice", "d7", "d3", "d1", "changed", "cancelled"})


def _check_templates() -> None:
    for language, kinds in TEMPLATES.items():
        missing = set(MESSAGE_KINDS) - set(kinds)
        if missing:
            raise RuntimeError(f"SMS templates for {language!r} lack {sorted(missing)}")


_check_templates()


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    text: str
    language_used: str
    encoding: Encoding
    segments: int
    shortened: bool = False


def _split_tag(tag: str | None) -> tuple[str, str | None]:
    """Primary language and region of a BCP 47 tag ("sw-TZ" -> ("sw", "TZ"))."""
    if not tag:
        return "", None
    parts = [p for p in re.split(r"[-_]", tag.strip()) if p]
    if not parts:
        return "", None
    language = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return language, region


def resolve_language(tag: str | None) -> str:
    """The template language used for a contact's language tag; English if we lack one."""
    language, _ = _split_tag(tag)
    language = LANGUAGE_ALIASES.get(language, language)
    return language if language in TEMPLATES else DEFAULT_LANGUAGE


def babel_locale(tag: str | None, language_used: str, region: str | None = None) -> Locale:
    """The Babel locale for dates: the template language, with the tag's region (or the
    office's ``region``) when CLDR knows that combination (en + KE -> en_KE, "3 Dec")."""
    language, tag_region = _split_tag(tag)
    language = LANGUAGE_ALIASES.get(language, language)
    babel_language = "fil" if language_used == "tl" else language_used
    preferred_region = tag_region if language == language_used else None
    for candidate_region in (preferred_region, region.upper() if region else None):
        if candidate_region:
            try:
                return Locale.parse(f"{babel_language}_{candidate_region}")
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse(babel_language)


def format_when(starts_at: datetime, tz: ZoneInfo, locale: Locale, *, now: datetime | None = None) -> str:
    """Weekday, day, month and time in the locale's own order and clock (12/24 h); the year
    only when it differs from the current one."""
    local = starts_at.astimezone(tz)
    current_year = (now or datetime.now(UTC)).astimezone(tz).year
    skeleton = "MMMEd" if local.year == current_year else "yMMMEd"
    date_part = format_skeleton(skeleton, local, tzinfo=tz, locale=locale)
    time_part = format_time(local, "short", tzinfo=tz, locale=locale)
    pattern = str(locale.datetime_formats.get("short", "{1} {0}"))
    text = pattern.replace("{1}", date_part).replace("{0}", time_part)
    # CLDR puts narrow no-break spaces before AM/PM; outside GSM-7 they would double cost.
    return normalize_punctuation(text)


def _clean(value: str) -> str:
    """Make user-entered names safe for one-line SMS text."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in value)
    value = normalize_punctuation(value)
    return re.sub(r"\s+", " ", value).strip()


def _truncate(value: str, keep: int) -> str:
    if keep >= len(value):
        return value
    return value[:keep].rstrip(" ,.-") + ELLIPSIS


def render_message(
    kind: str,
    language: str | None,
    *,
    court_name: str | None = None,
    starts_at: datetime | None = None,
    tz: ZoneInfo | None = None,
    office_name: str = "",
    office_phone: str,
    region: str | None = None,
    now: datetime | None = None,
    max_segments: int = MAX_SEGMENTS,
) -> RenderedMessage:
    """Render one SMS. ``language`` is the contact's BCP 47 tag; ``region`` (the office's
    country, e.g. "KE") refines date formats for plain tags; ``now`` is for tests.

    If a long court or office name would push the text past ``max_segments``, that name is
    cut with "..." at the longest length that fits (deterministically).
    """
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    language_used = resolve_language(language)
    template = TEMPLATES[language_used][kind]

    when = ""
    if kind in _DATED_KINDS:
        if starts_at is None or tz is None or not court_name:
            raise ValueError(f"{kind!r} messages need court_name, starts_at and tz")
        if starts_at.tzinfo is None:
            raise ValueError("starts_at must be timezone-aware")
        when = format_when(starts_at, tz, babel_locale(language, language_used, region), now=now)

    court = _clean(court_name or "")
    office = _clean(office_name)
    phone = _clean(office_phone)

    def build(court_value: str, office_value: str) -> str:
        return template.format(court=court_value, when=when, phone=phone, office=office_value)

    text = build(court, office)
    info = segment_info(text)
    shortened = False
    if info.segments > max_segments:
        shortened = True
        # Cut the court name first (the date and phone matter more), then the office name.
        for keep in range(len(court), -1, -1):
            text = build(_truncate(court, keep), office)
            if segment_info(text).segments <= max_segments:
                break
        else:
            court_short = _truncate(court, 0)
            for keep in range(len(office), -1, -1):
                text = build(court_short, _truncate(office, keep))
                if segment_info(text).segments <= max_segments:
                    break
        info = segment_info(text)
        if info.segments > max_segments:
            raise ValueError("message cannot fit the segment limit; office phone too long?")
    return RenderedMessage(text, language_used, info.encoding, info.segments, shortened)
