"""Test fixtures: a real SQLite file per test, or a real PostgreSQL database when
``LEGAL_TRACKER_TEST_DATABASE_URL`` names one (a fresh schema per test in a database made
for this run), and the real application served through Litestar's async test client.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from api.app import create_app
from api.bootstrap import bootstrap_application
from legal_tracker import db
from legal_tracker.crypto import generate_key
from legal_tracker.migrate import migrate
from legal_tracker.settings import Settings

# Start-up is explicit: the same registrations as the application factory and the command line,
# before any test runs (tests that call the services directly need the reminder hooks too).
bootstrap_application()

PG_URL = os.environ.get("LEGAL_TRACKER_TEST_DATABASE_URL", "").strip()
TEST_KEY = generate_key()


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A database of our own on the PostgreSQL server, so parallel runs never collide."""
    if not PG_URL:
        yield None
        return
    import asyncio

    name = f"lt_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_db(PG_URL, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def reset_postgres(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture
def engine_name() -> str:
    return "postgres" if PG_URL else "sqlite"


@pytest.fixture
async def settings(tmp_path: Path, pg_database: str | None) -> AsyncIterator[Settings]:
    if pg_database:
        await reset_postgres(pg_database)
        url = pg_database
    else:
        url = f"sqlite:///{tmp_path / 'legal_tracker.sqlite'}"
    yield Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=url,
        secret_key=TEST_KEY,
        scheduler=False,
        public_url="https://tracker.example.org",
        login_rate_per_minute=1000,
        # Tests sign in with a password alone unless they test two-factor sign-in, which set
        # this themselves (the installation default is "admins").
        require_2fa="off",
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Settings]:
    await db.setup(settings)
    await migrate()
    try:
        yield settings
    finally:
        await db.teardown()


@pytest.fixture
async def client(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # httpx's ASGI transport runs the app in the test's own event loop, so the database pool
    # opened by the fixture above serves both (Litestar's test client uses another thread).
    app = create_app(database, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


class World:
    """Builds the people and records a test needs, through the real API."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.admin: dict[str, str] = {}

    async def login(self, email: str, password: str = "correct horse battery") -> dict[str, str]:
        response = await self.client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def user(self, role: str, office_id: int | None, email: str | None = None,
                   name: str = "Test Person") -> tuple[int, dict[str, str]]:
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        body: dict[str, Any] = {"name": name, "email": email, "role": role,
                                "password": "correct horse battery", "office_id": office_id}
        response = await self.client.post("/api/staff", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return response.json()["id"], await self.login(email)

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None,
                   expect: int = 201) -> dict[str, Any]:
        response = await self.client.post(path, json=body, headers=headers or self.admin)
        assert response.status_code == expect, response.text
        return response.json()

    async def office(self, name: str = "Nairobi", timezone: str = "Africa/Nairobi",
                     country: str = "KE") -> dict[str, Any]:
        return await self.post("/api/offices", {"name": name, "country": country,
                                                "timezone": timezone, "phone": "+254700000000"})

    async def court(self, name: str = "Kibera Law Courts", timezone: str = "Africa/Nairobi",
                    office_id: int | None = None) -> dict[str, Any]:
        return await self.post("/api/courts", {"name": name, "timezone": timezone,
                                               "address": "Kibera Drive, Nairobi",
                                               "office_id": office_id})

    async def survivor(self, office_id: int, headers: dict[str, str] | None = None,
                       **extra: Any) -> dict[str, Any]:
        return await self.post("/api/survivors", {"office_id": office_id, **extra}, headers)

    async def case(self, office_id: int, court_id: int | None, headers: dict[str, str] | None = None,
                   **extra: Any) -> dict[str, Any]:
        body = {"reference": f"CR {uuid.uuid4().hex[:6]}/2026", "office_id": office_id,
                "court_id": court_id, **extra}
        return await self.post("/api/cases", body, headers)

    async def hearing(self, case_id: int, starts_at: str, headers: dict[str, str] | None = None,
                      **extra: Any) -> dict[str, Any]:
        body = {"starts_at": starts_at, "kind": "mention", **extra}
        return await self.post(f"/api/cases/{case_id}/hearings", body, headers)


async def bootstrap_admin(settings: Settings, email: str = "admin@example.org") -> None:
    from legal_tracker.access import Actor
    from legal_tracker.organisation.service import create_staff

    system = Actor(0, "admin", None, "tests")
    await create_staff(system, {"email": email, "role": "admin", "name": "Org Admin",
                                "office": None, "password": "correct horse battery"})


@pytest.fixture
async def world(client: httpx.AsyncClient, database: Settings) -> World:
    await bootstrap_admin(database)
    w = World(client, database)
    w.admin = await w.login("admin@example.org")
    return w
