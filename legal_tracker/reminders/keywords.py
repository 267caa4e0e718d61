"""Keywords a family may text back: STOP, START and HELP, in English, Swahili and Tagalog.

Matching is deliberately conservative for START (a stray "yes" must not re-subscribe
someone who left) and generous for STOP (an opt-out must be honoured at once): a message
whose first word is an unambiguous stop word ("stop please", "Unsubscribe me") also counts.
"""

from __future__ import annotations

import enum
import re
import unicodedata


class Keyword(enum.StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"


# English words follow Twilio's and the US carriers' (CTIA) standard opt-out/opt-in/help
# lists, so our records agree with what the provider itself enforces.
STOP_WORDS: frozenset[str] = frozenset(
    {
        "STOP",
        "STOPALL",
        "STOP ALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "OPT OUT",
        # Swahili: acha (leave off), sitisha (suspend), simamisha (halt), ondoa (remove me)
        "ACHA",
        "SITISHA",
        "SIMAMISHA",
        "ONDOA",
        # Tagalog: tigil / itigil (stop), hinto / huminto (halt)
        "TIGIL",
        "ITIGIL",
        "HINTO",
        "HUMINTO",
    }
)
START_WORDS: frozenset[str] = frozenset(
    {
        "START",
        "UNSTOP",
        "SUBSCRIBE",
        "YES",
        # Swahili: anza (begin)
        "ANZA",
        # Tagalog: simula / magsimula (begin)
        "SIMULA",
        "MAGSIMULA",
    }
)
HELP_WORDS: frozenset[str] = frozenset(
    {
        "HELP",
        "INFO",
        # Swahili: msaada (help)
        "MSAADA",
        # Tagalog: tulong (help)
        "TULONG",
    }
)
# First words that mean "stop" whatever follows; the others ("end", "cancel", "acha"...)
# are everyday words and only count on their own.
STOP_PREFIX_WORDS: frozenset[str] = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE"})

_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Upper-case, accents and punctuation removed, whitespace collapsed ("Stop!" -> "STOP")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _NON_WORD.sub(" ", stripped.replace("-", ""))
    return _SPACES.sub(" ", stripped).strip().upper()


def parse_keyword(text: str | None) -> Keyword | None:
    """The keyword an inbound SMS expresses, or None for ordinary text."""
    if not text:
        return None
    norm = normalize(text)
    if not norm:
        return None
    if norm in STOP_WORDS:
        return Keyword.STOP
    if norm in START_WORDS:
        return Keyword.START
    if norm in HELP_WORDS:
        return Keyword.HELP
    if norm.split(" ", 1)[0] in STOP_PREFIX_WORDS:
        return Keyword.STOP
    return None
