"""The reference for ``bench_hearings.py``: a bare Litestar + Piccolo app with one endpoint doing
the same work as ``GET /api/hearings`` (50 hearings ordered by start time, with their staff ids),
without auth, need-to-know, middleware or error mapping.

    BENCH_DATABASE_URL=sqlite:////tmp/x.sqlite uvicorn bench.bare_app:app --port 8001
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import msgspec
from litestar import Litestar, get
from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:///bench.sqlite")
if URL.startswith("sqlite"):
    ENGINE: SQLiteEngine | PostgresEngine = SQLiteEngine(
        path=URL.removeprefix("sqlite:///"), timeout=30.0)
else:
    ENGINE = PostgresEngine(config={"dsn": URL})


class BareHearing(Table, tablename="hearing", db=ENGINE):
    id = Serial(primary_key=True)
    case = Integer()
    court = Integer()
    courtroom = Varchar(length=64)
    starts_at = Timestamptz()
    duration_minutes = Integer()
    kind = Varchar(length=16)
    status = Varchar(length=16)
    survivor_attends = Boolean()
    survivor_testifies = Boolean()
    family_attends = Boolean()
    what_to_bring = Text()
    notes = Text()
    version = Integer()


class BareHearingStaff(Table, tablename="hearing_staff", db=ENGINE):
    id = Serial(primary_key=True)
    hearing = ForeignKey(references=BareHearing)
    staff = Integer()


class HearingOut(msgspec.Struct):
    id: int
    case: int
    court: int
    courtroom: str
    starts_at: datetime
    duration_minutes: int
    kind: str
    status: str
    survivor_attends: bool
    survivor_testifies: bool
    family_attends: bool
    what_to_bring: str
    notes: str
    version: int
    staff_ids: list[int]


class HearingPage(msgspec.Struct):
    items: list[HearingOut]


@get("/hearings")
async def hearings() -> HearingPage:
    rows = await BareHearing.select().order_by(BareHearing.starts_at).order_by(BareHearing.id).limit(50)
    staff: dict[int, list[int]] = defaultdict(list)
    ids = [r["id"] for r in rows]
    if ids:
        for r in await BareHearingStaff.select(BareHearingStaff.hearing, BareHearingStaff.staff).where(
                BareHearingStaff.hearing.is_in(ids)).order_by(BareHearingStaff.staff):
            staff[r["hearing"]].append(r["staff"])
    return HearingPage(items=[HearingOut(**r, staff_ids=staff[r["id"]]) for r in rows])


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    if isinstance(ENGINE, PostgresEngine):
        await ENGINE.start_connection_pool(min_size=1, max_size=10)
    try:
        yield
    finally:
        if isinstance(ENGINE, PostgresEngine):
            await ENGINE.close_connection_pool()


app = Litestar(route_handlers=[hearings], lifespan=[lifespan], debug=False)
