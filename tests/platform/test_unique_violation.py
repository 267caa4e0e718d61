"""One way to recognise a unique-constraint violation, on both engines."""

from __future__ import annotations

import pytest

from legal_tracker import db


async def _error(sql: str) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: PT011 - whatever the driver raises
        async with db.transaction():
            await db.execute(sql)
    return info.value


async def test_is_unique_violation_names_the_columns_and_ignores_other_failures(database):
    await db.execute("CREATE TABLE uv_probe (a INTEGER NOT NULL, b INTEGER NOT NULL, "
                     "c INTEGER CHECK (c > 0), UNIQUE (a, b))")
    await db.execute("INSERT INTO uv_probe (a, b, c) VALUES (1, 2, 3)")
    duplicate = await _error("INSERT INTO uv_probe (a, b, c) VALUES (1, 2, 4)")
    assert db.is_unique_violation(duplicate) == "a, b"
    # A CHECK or NOT NULL failure is an integrity error too, but no lost race.
    assert db.is_unique_violation(await _error("INSERT INTO uv_probe (a, b, c) VALUES (5, 6, -1)")) is None
    assert db.is_unique_violation(await _error("INSERT INTO uv_probe (a, c) VALUES (7, 1)")) is None
    assert db.is_unique_violation(ValueError("UNIQUE constraint failed: x.y")) is None
