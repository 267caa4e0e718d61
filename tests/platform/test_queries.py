"""How many statements a request sends to PostgreSQL (issue 15: the hearing list was 0.6x a
bare endpoint). Each one is a network round trip; the pool must not add one of its own per
query (asyncpg's default connection reset), and a list must not grow with its page."""

from __future__ import annotations

import asyncpg
import pytest

from legal_tracker import db


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    sent: list[str] = []
    for name in ("fetch", "execute", "fetchrow", "fetchval"):
        original = getattr(asyncpg.connection.Connection, name)

        def spy(self, query, *args, _original=original, **kwargs):
            sent.append(" ".join(str(query).split()[:4]))
            return _original(self, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.connection.Connection, name, spy)
    return sent


async def test_a_page_of_hearings_is_two_statements(world, statements):
    if db.is_sqlite():
        pytest.skip("counts PostgreSQL round trips")
    office = await world.office()
    court = await world.court(office_id=office["id"])
    _, worker = await world.user("caseworker", office["id"])
    worker_id = (await world.client.get("/api/staff", headers=world.admin)).json()["items"][-1]["id"]
    case = await world.case(office["id"], court["id"])
    for day in range(1, 21):
        await world.hearing(case["id"], f"2031-03-{day:02d}T09:30:00+03:00", staff_ids=[worker_id])
    await world.client.get("/api/hearings", headers=world.admin)  # the token's last use is fresh
    statements.clear()
    response = await world.client.get("/api/hearings", params={"limit": 50}, headers=world.admin)
    assert response.status_code == 200 and len(response.json()["items"]) == 20
    assert all(h["staff_ids"] == [worker_id] for h in response.json()["items"])
    # The token and its owner; the page with its case, court and accompanying staff: no more
    # (the bare endpoint of bench/bench_hearings.py makes two as well).
    assert len(statements) == 2, statements
    assert not any("pg_advisory_unlock_all" in s for s in statements)


async def test_a_connection_given_back_mid_transaction_is_rolled_back(world):
    """The pool's clean-up is lighter, but a transaction left open is still rolled back."""
    if db.is_sqlite():
        pytest.skip("PostgreSQL pool")
    pool = db.engine().pool
    async with pool.acquire() as conn:
        await conn.execute("BEGIN")
        await conn.execute("INSERT INTO audit_event (at, action, entity) VALUES (now(), 'x', 'y')")
    for _ in range(pool.get_size()):
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
    rows = await db.execute("SELECT count(*) AS n FROM audit_event WHERE action = 'x'")
    assert rows[0]["n"] == 0
    assert (await world.client.get("/api/hearings", headers=world.admin)).status_code == 200
