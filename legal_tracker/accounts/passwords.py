"""argon2id password hashing (argon2-cffi's defaults follow RFC 9106's recommendations) and
the strength rule.

Strength is judged by zxcvbn (Dropbox's estimator: dictionaries of common and breached
passwords, names, keyboard patterns, dates, repeats, l33t substitutions) rather than by
composition rules, as NIST SP 800-63B advises. The person's name, email address and office
name are given to it as "user inputs", so a password built from them is judged as weak as it
is. A password must be at least 12 characters and reach zxcvbn's top score (an estimated 10^10
guesses or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from legal_tracker.errors import Invalid

_hasher = PasswordHasher()

# A real hash to verify against when the email is unknown, so a failed login takes the same
# time whether or not the account exists.
_DUMMY = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
MIN_SCORE = 4
# zxcvbn's matching grows fast with length; what follows the first 100 characters cannot make
# a password weaker, so it is judged on those.
_ANALYSED = 100
# Words of this application that a password should not lean on either.
_APP_WORDS = ("legal", "tracker", "court", "courts", "case", "cases", "password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def personal_words(*values: str | None) -> list[str]:
    """The words zxcvbn should treat as known to an attacker: each value, its parts (split on
    anything but letters and digits) and its parts run together."""
    words: set[str] = set(_APP_WORDS)
    for value in values:
        if not value:
            continue
        lowered = value.lower().strip()
        parts = [p for p in re.split(r"[^\w]+|_", lowered) if len(p) >= 2]
        words.add(lowered)
        words.update(parts)
        words.add("".join(parts))
        if "@" in lowered:
            local, _, domain = lowered.partition("@")
            words.add(local)
            words.add(domain.split(".")[0])
    return sorted(w for w in words if w)


def password_problems(password: str, user_inputs: Iterable[str] = ()) -> list[str]:
    """Why ``password`` is refused, in words; empty when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"use at least {MIN_PASSWORD_LENGTH} characters (this one has {len(password)})"]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"use at most {MAX_PASSWORD_LENGTH} characters"]
    inputs = list(user_inputs)
    result = zxcvbn(password[:_ANALYSED], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return []
    sentences = ["This password is too easy to guess."]
    if any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"]):
        sentences.append("It is built from your name, your email address or your "
                         "organisation's name.")
    warning = (result["feedback"].get("warning") or "").strip()
    if warning:
        sentences.append(warning if warning.endswith(".") else warning + ".")
    suggestions = [s.strip() for s in result["feedback"].get("suggestions", []) if s.strip()]
    sentences.extend(s if s.endswith(".") else s + "." for s in suggestions)
    if not suggestions:
        sentences.append("Add another word or two. Uncommon words are better.")
    return [" ".join(sentences)]


def check_password(password: str, user_inputs: Iterable[str] = (), *, field: str = "password") -> None:
    """Raises :class:`Invalid` naming ``field`` with the reasons, if the password is refused."""
    problems = password_problems(password, user_inputs)
    if problems:
        raise Invalid(field, " ".join(problems))
