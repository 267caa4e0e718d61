"""SMS encoding and segment arithmetic (GSM 03.38 / UCS-2).

Providers bill per segment, and a message that spills into a third segment is both costly
and more likely to arrive out of order on old handsets, so the renderer keeps every
message within two segments and needs exact arithmetic to do so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet, in code-point order 0x00..0x7F. 0x1B (ESC) is the escape to
# the extension table and is not a character a message may contain on its own.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Extension table: each of these costs two septets (ESC + code).
GSM7_EXTENSION = "\x0c^{}\\[~]|€"

_BASIC = frozenset(GSM7_BASIC) - {"\x1b"}
_EXTENSION = frozenset(GSM7_EXTENSION)

GSM7_SINGLE = 160
GSM7_MULTI = 153  # 7 septets of each part go to the concatenation header
UCS2_SINGLE = 70
UCS2_MULTI = 67

# Typography that word processors and phone keyboards insert; each would force the whole
# message into UCS-2 (halving its capacity) for no visible gain.
_PUNCTUATION_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200b": "",
    }
)


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def normalize_punctuation(text: str) -> str:
    """Replace typographic punctuation and odd spaces with GSM-7 friendly equivalents."""
    return text.translate(_PUNCTUATION_MAP)


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENSION for ch in text)


def _gsm7_septets(ch: str) -> int:
    return 2 if ch in _EXTENSION else 1


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _count_parts(text: str, cost, single: int, multi: int) -> tuple[int, int]:
    """Return (total units, segments), never splitting an escape pair or surrogate pair."""
    total = sum(cost(ch) for ch in text)
    if total == 0:
        return 0, 0
    if total <= single:
        return total, 1
    segments = 1
    used = 0
    for ch in text:
        c = cost(ch)
        if used + c > multi:
            segments += 1
            used = 0
        used += c
    return total, segments


def segment_info(text: str) -> SegmentInfo:
    """Encoding and segment count a provider would use for ``text``.

    An empty text has zero segments (there is nothing to send).
    """
    if is_gsm7(text):
        units, segments = _count_parts(text, _gsm7_septets, GSM7_SINGLE, GSM7_MULTI)
        return SegmentInfo("GSM-7", units, segments)
    units, segments = _count_parts(text, _utf16_units, UCS2_SINGLE, UCS2_MULTI)
    return SegmentInfo("UCS-2", units, segments)
