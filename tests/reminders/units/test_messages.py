from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from legal_tracker.reminders.encoding import GSM7_BASIC, GSM7_EXTENSION, is_gsm7, segment_info
from legal_tracker.reminders.messages import TEMPLATES, render_message, resolve_language
from legal_tracker.reminders.planning import MESSAGE_KINDS

NAIROBI = ZoneInfo("Africa/Nairobi")
MANILA = ZoneInfo("Asia/Manila")
STARTS = datetime(2024, 12, 3, 6, 0, tzinfo=UTC)  # Tue 3 Dec, 09:00 Nairobi, 14:00 Manila
NOW = datetime(2024, 11, 20, 8, 0, tzinfo=UTC)
PHONE = "+254 700 000 000"

# Words that would tell a stranger holding the phone what this is about.
FORBIDDEN = {
    "en": [
        "traffick",
        "abuse",
        "victim",
        "survivor",
        "trial",
        "testimony",
        "testify",
        "witness",
        "hearing",
        "court",
        "case",
        "prosecut",
        "offence",
        "offense",
        "crime",
        "criminal",
        "police",
        "rape",
        "sexual",
        "exploit",
        "accused",
        "judge",
        "plea",
        "bail",
        "sentenc",
        "verdict",
        "lawyer",
        "legal",
    ],
    "sw": [
        "biashara haramu",
        "usafirishaji",
        "unyanyasaji",
        "dhuluma",
        "mwathiriwa",
        "mhanga",
        "kesi",
        "mahakama",
        "hakimu",
        "jaji",
        "ushahidi",
        "shahidi",
        "polisi",
        "ubakaji",
        "uhalifu",
        "mshtakiwa",
        "hukumu",
        "dhamana",
        "wakili",
    ],
    "tl": [
        "trafficking",
        "pang-aabuso",
        "abuso",
        "biktima",
        "kaso",
        "korte",
        "hukuman",
        "paglilitis",
        "testigo",
        "saksi",
        "pulis",
        "panggagahasa",
        "krimen",
        "akusado",
        "hukom",
        "piyansa",
        "abogado",
        "hatol",
    ],
}
ALL_FORBIDDEN = sorted({w for words in FORBIDDEN.values() for w in words})


def render(kind: str, language: str | None, **overrides):
    args = {
        "court_name": "Kibera Law Courts",
        "starts_at": STARTS,
        "tz": NAIROBI,
        "office_name": "Tumaini Office",
        "office_phone": PHONE,
        "now": NOW,
    }
    args.update(overrides)
    return render_message(kind, language, **args)


@pytest.mark.parametrize("language", sorted(TEMPLATES))
@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_templates_carry_no_revealing_words(language: str, kind: str) -> None:
    # Placeholders such as {court} are filled with the court's own name, not template words.
    template = re.sub(r"\{\w+\}", " ", TEMPLATES[language][kind]).casefold()
    for word in ALL_FORBIDDEN:
        assert not re.search(rf"\b{re.escape(word)}", template), (language, kind, word)


@pytest.mark.parametrize("language", ["en", "en-KE", "sw", "sw-TZ", "tl", "fil", "fr", None])
@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_every_message_fits_two_segments_and_names_the_office_phone(language: str | None, kind: str) -> None:
    message = render(kind, language)
    assert 1 <= message.segments <= 2
    assert message.segments == segment_info(message.text).segments
    assert PHONE in message.text
    assert "STOP" in message.text
    assert message.encoding == "GSM-7"
    assert not message.shortened
    lowered = message.text.casefold()
    for word in ALL_FORBIDDEN:
        # The court's own name ("Kibera Law Courts") is the one allowed exception.
        assert not re.search(rf"\b{re.escape(word)}", lowered.replace("kibera law courts", ""))


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-KE", "en"),
        ("EN_gb", "en"),
        ("sw", "sw"),
        ("sw-TZ", "sw"),
        ("SW-ke", "sw"),
        ("tl", "tl"),
        ("fil", "tl"),
        ("fil-PH", "tl"),
        ("fr", "en"),
        ("am-ET", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_resolution(tag: str | None, expected: str) -> None:
    assert resolve_language(tag) == expected
    assert render("d1", tag).language_used == expected


def test_english_reminder_reads_like_an_appointment() -> None:
    message = render("d1", "en-KE")
    assert message.text == (
        "Reminder: appointment at Kibera Law Courts, Tue, 3 Dec, 09:00. "
        "Questions: +254 700 000 000. Reply STOP to stop these messages."
    )
    assert message.segments == 1


def test_office_region_refines_plain_english_dates() -> None:
    assert "Tue, 3 Dec, 09:00" in render("d1", "en", region="KE").text
    # Without a region, plain "en" is CLDR's default (US) style.
    assert "Tue, Dec 3, 9:00 AM" in render("d1", "en").text


def test_swahili_texts() -> None:
    assert render("d3", "sw").text == (
        "Kikumbusho: una miadi katika Kibera Law Courts, Jumanne, 3 Des 09:00. "
        "Maswali: +254 700 000 000. Jibu STOP kusitisha jumbe hizi."
    )
    assert "imebadilishwa hadi Jumanne, 3 Des 09:00" in render("changed", "sw").text
    assert "imeghairiwa" in render("cancelled", "sw-TZ").text
    assert "MSAADA" in render("welcome", "sw").text


def test_tagalog_texts_in_manila_time() -> None:
    message = render("d7", "fil", tz=MANILA, court_name="Quezon City Hall of Justice")
    assert message.language_used == "tl"
    assert message.text == (
        "Paalala: may appointment ka sa Quezon City Hall of Justice, Mar, Dis 3, 2:00 PM. "
        "Mga tanong: +254 700 000 000. I-reply ang STOP para itigil ang mga mensaheng ito."
    )
    assert "inilipat sa Mar, Dis 3, 2:00 PM" in render("changed", "tl", tz=MANILA).text
    assert "TULONG" in render("welcome", "tl").text


def test_date_is_in_recipient_time_zone() -> None:
    assert "09:00" in render("d1", "sw").text
    assert "14:00" in render("d1", "sw", tz=MANILA).text


def test_year_is_shown_only_when_it_differs() -> None:
    assert "2025" in render("first_notice", "en", starts_at=datetime(2025, 1, 7, 6, tzinfo=UTC)).text
    assert "2024" not in render("first_notice", "en").text


def test_welcome_and_help_name_the_office_and_need_no_hearing() -> None:
    welcome = render_message("welcome", "en", office_name="Tumaini Office", office_phone=PHONE)
    assert welcome.text.startswith("Tumaini Office: ")
    assert "STOP" in welcome.text and "HELP" in welcome.text
    help_text = render_message("help", "sw", office_name="Tumaini Office", office_phone=PHONE)
    assert PHONE in help_text.text and "START" in help_text.text


def test_dated_kinds_need_court_time_and_zone() -> None:
    with pytest.raises(ValueError, match="court_name"):
        render_message("d1", "en", office_phone=PHONE)
    with pytest.raises(ValueError, match="timezone-aware"):
        render("d1", "en", starts_at=datetime(2024, 12, 3, 9))
    with pytest.raises(ValueError, match="unknown message kind"):
        render("verdict", "en")


def test_long_court_name_is_shortened_deterministically() -> None:
    court = "High Court of Kenya at Milimani, Commercial and Tax Division, " * 4
    first = render("changed", "tl", court_name=court)
    second = render("changed", "tl", court_name=court)
    assert first == second
    assert first.shortened
    assert first.segments == 2
    assert "..." in first.text
    assert "High Court of Kenya at Milimani" in first.text
    assert first.text.endswith("I-reply ang STOP para itigil ang mga mensaheng ito.")
    assert "Mar, Dis 3, 9:00 AM" in first.text and PHONE in first.text
    # The cut is at the longest length that fits: one more character would not.
    assert len(first.text) > 290


def test_long_non_gsm_court_name_stays_within_two_ucs2_segments() -> None:
    court = "Суд Центрального района города" * 3
    message = render("d1", "en", court_name=court)
    assert message.encoding == "UCS-2"
    assert message.segments <= 2
    assert message.shortened


def test_typographic_punctuation_does_not_force_ucs2() -> None:
    message = render("d1", "en", court_name="St. Mary’s “Family” Court – Annex")
    assert message.encoding == "GSM-7"
    assert 'St. Mary\'s "Family" Court - Annex' in message.text


def test_names_are_single_line() -> None:
    message = render("d1", "en", court_name="Kibera\nLaw\tCourts")
    assert "Kibera Law Courts" in message.text


def test_gsm_tables_are_complete() -> None:
    assert len(GSM7_BASIC) == 128
    assert len(set(GSM7_BASIC)) == 128
    assert len(GSM7_EXTENSION) == 10
    assert is_gsm7("@£$¥èéùìòÇ€[]{}|^~\\")
    assert not is_gsm7("ç")  # only capital Ç is in the basic table


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "{", "GSM-7", 161, 2),
        # An escape pair is never split: 152 + "€" does not fit the first part.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("ж" * 70, "UCS-2", 70, 1),
        ("ж" * 71, "UCS-2", 71, 2),
        ("ж" * 134, "UCS-2", 134, 2),
        ("ж" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # emoji are two UTF-16 units
        ("😀" * 36, "UCS-2", 72, 2),
        # A surrogate pair is never split: 66 units then an emoji spill into part 2.
        ("ж" * 66 + "😀" + "ж" * 66, "UCS-2", 134, 3),
        ("Habari ž", "UCS-2", 8, 1),
    ],
)
def test_segment_arithmetic(text: str, encoding: str, units: int, segments: int) -> None:
    info = segment_info(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)
