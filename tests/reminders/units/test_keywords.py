from __future__ import annotations

import pytest

from legal_tracker.reminders.keywords import Keyword, parse_keyword


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "  Stop  ",
        "Stop.",
        "STOP!",
        "stopall",
        "Stop all",
        "UNSUBSCRIBE",
        "cancel",
        "End",
        "quit",
        "revoke",
        "opt-out",
        "optout",
        "stop please",
        "Stop sending me these",
        "unsubscribe me",
        "ACHA",
        "acha",
        "Sitisha",
        "simamisha",
        "ondoa",
        "TIGIL",
        "itigil",
        "Hinto",
        "huminto",
        "\tstop\n",
        "ＳＴＯＰ",  # full-width letters from some phone keyboards
    ],
)
def test_stop_words(text: str) -> None:
    assert parse_keyword(text) is Keyword.STOP


@pytest.mark.parametrize(
    "text", ["START", "start", "Unstop", "subscribe", "YES", "yes.", "anza", "SIMULA", "magsimula"]
)
def test_start_words(text: str) -> None:
    assert parse_keyword(text) is Keyword.START


@pytest.mark.parametrize("text", ["HELP", "help?", "Info", "msaada", "MSAADA", "tulong", "Tulong!"])
def test_help_words(text: str) -> None:
    assert parse_keyword(text) is Keyword.HELP


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "   ",
        "Thank you, we will come",
        "End of the week is fine",  # "end" only counts on its own
        "cancel my appointment?",
        "yes we will be there",  # a stray yes must not re-subscribe
        "Asante sana",
        "Salamat po",
        "don't stop",
        "stopping by later",
        "help me find the place",
    ],
)
def test_ordinary_text_is_not_a_keyword(text: str | None) -> None:
    assert parse_keyword(text) is None
