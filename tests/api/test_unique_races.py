"""Two requests creating the same case reference, staff email or survivor code at once: both
pass the service's check, the database's unique key refuses the second, and the client gets
a 409 problem naming the field (api/errors.py, legal_tracker.db.unique_violation_field).

The two POSTs run concurrently (asyncio.gather) against the real database; a barrier holds
each at the start of its write transaction until both have passed their checks, so the race
happens on every run instead of now and then."""

from __future__ import annotations

import asyncio
import sys
from contextlib import asynccontextmanager

import pytest

from legal_tracker import db
from tests.platform.helpers import assert_problem

SERVICES = {"create_staff", "create_case", "create_survivor"}


@pytest.fixture
def race(monkeypatch):
    barrier = asyncio.Barrier(2)
    original = db.transaction

    def transaction(*args, **kwargs):
        caller = sys._getframe(1).f_code.co_name
        inner = original(*args, **kwargs)
        if caller not in SERVICES:
            return inner

        @asynccontextmanager
        async def held():
            try:
                async with asyncio.timeout(10):
                    await barrier.wait()
            except TimeoutError:
                pass  # the other request never came: no race, the assertions will say so
            async with inner:
                yield

        return held()

    monkeypatch.setattr(db, "transaction", transaction)
    return barrier


async def _both(world, path, body):
    first, second = await asyncio.gather(
        world.client.post(path, json=body, headers=world.admin),
        world.client.post(path, json=body, headers=world.admin))
    return sorted([first, second], key=lambda r: r.status_code)


async def test_same_case_reference_at_once(world, race):
    office = await world.office()
    won, lost = await _both(world, "/api/cases", {"reference": "CR 12/2026", "office_id": office["id"]})
    assert won.status_code == 201, won.text
    problem = assert_problem(lost, 409, "reference")
    assert "another record already has this value" in problem["detail"]
    cases = (await world.client.get("/api/cases", headers=world.admin)).json()["items"]
    assert [c["reference"] for c in cases] == ["CR 12/2026"]


async def test_same_staff_email_at_once(world, race):
    body = {"name": "Wanjiru", "email": "wanjiru@example.org", "role": "lawyer",
            "password": "correct horse battery", "office_id": None}
    won, lost = await _both(world, "/api/staff", body)
    assert won.status_code == 201, won.text
    assert_problem(lost, 409, "email")
    staff = (await world.client.get("/api/staff", headers=world.admin)).json()["items"]
    assert sorted(s["email"] for s in staff) == ["admin@example.org", "wanjiru@example.org"]


async def test_same_survivor_code_at_once(world, race):
    office = await world.office()
    won, lost = await _both(world, "/api/survivors", {"office_id": office["id"], "code": "NBO-0007"})
    assert won.status_code == 201, won.text
    assert_problem(lost, 409, "code")
    survivors = (await world.client.get("/api/survivors", headers=world.admin)).json()["items"]
    assert [s["code"] for s in survivors] == ["NBO-0007"]


async def test_the_field_is_read_from_either_engine(database):
    import sqlite3

    import asyncpg

    assert db.unique_violation_field(
        sqlite3.IntegrityError("UNIQUE constraint failed: survivor.office, survivor.code")) == (
        "survivor", "code")
    assert db.unique_violation_field(
        sqlite3.IntegrityError("UNIQUE constraint failed: staff.email")) == ("staff", "email")
    assert db.unique_violation_field(sqlite3.IntegrityError("NOT NULL constraint failed: x.y")) is None
    error = asyncpg.exceptions.UniqueViolationError("duplicate key value")
    error.detail = 'Key (office, reference)=(1, CR 1) already exists.'
    error.table_name = "case"
    assert db.unique_violation_field(error) == ("case", "reference")
    assert db.unique_violation_field(ValueError("UNIQUE constraint failed: a.b")) is None
