"""The SQLite converters ``legal_tracker.db`` registers (faster than Piccolo's, issue 15) give
exactly the values Piccolo's would, and fail where Piccolo's fail."""

from __future__ import annotations

import decimal

import pytest
from piccolo.engine import sqlite as piccolo_sqlite

from legal_tracker import db


@pytest.mark.parametrize("raw", [b"0", b"42", b"-7", b"1.0", b"12345678901234567890"])
def test_integers(raw):
    value = db._int_out(raw)
    assert value == piccolo_sqlite.convert_int_out(raw) and type(value) is int


def test_text_in_an_integer_column_is_refused_as_piccolo_refuses_it():
    for convert in (db._int_out, piccolo_sqlite.convert_int_out):
        with pytest.raises(decimal.InvalidOperation):
            convert(b"hello")


@pytest.mark.parametrize("raw", [b"1", b"0"])
def test_booleans(raw):
    assert db._boolean_out(raw) is piccolo_sqlite.convert_boolean_out(raw)


@pytest.mark.parametrize("raw", [b"2026-11-29 10:00:00+00:00", b"2026-11-29 10:00:00.123456",
                                 b"2026-11-29T10:00:00", b"2026-03-29 01:30:00+00:00"])
def test_timestamps(raw):
    value = db._timestamptz_out(raw)
    assert value == piccolo_sqlite.convert_timestamptz_out(raw)
    assert value.tzinfo is not None and value.utcoffset().total_seconds() == 0
