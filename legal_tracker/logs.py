"""Keep personal data out of third-party libraries' log lines.

aiosqlite logs every statement it runs *with its parameters* at DEBUG: legal names on their
way to being encrypted are not among them (encryption happens first), but ciphertexts, token
digests, contact names and free-text notes are. Its level is pinned to WARNING, and, in case
an operator's logging configuration lowers it again, a filter replaces any such record's
message and arguments with a fixed text.
"""

from __future__ import annotations

import logging

# Loggers that may print query parameters or request data when set to DEBUG.
REDACTED_LOGGERS = ("aiosqlite",)


class RedactArguments(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            record.msg = f"{record.name}: operation (details not logged)"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = RedactArguments()


def install() -> None:
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
