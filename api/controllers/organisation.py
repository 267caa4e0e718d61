"""Offices, courts and staff."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post
from litestar.params import FromQuery, JSONBody

from api.controllers.common import (
    ACTOR,
    ERRORS,
    READ_ERRORS,
    CurrentActor,
    Limit,
    Offset,
    OptId,
    PathId,
    page,
)
from api.convert import read, read_page
from api.schemas.accounts import StaffCreated
from api.schemas.common import values_of
from api.schemas.organisation import (
    CourtCreate,
    CourtList,
    CourtRead,
    CourtUpdate,
    OfficeCreate,
    OfficeList,
    OfficeRead,
    OfficeUpdate,
    StaffCreate,
    StaffList,
    StaffRead,
    StaffUpdate,
)
from legal_tracker.domain import Role
from legal_tracker.organisation import service as svc

RENAME = {"office_id": "office"}


class OfficeController(Controller):
    path = "/api/offices"
    tags = ["organisation"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_offices(self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0) -> OfficeList:
        return read_page(OfficeList, OfficeRead, await svc.list_offices(actor, page(limit, offset)))

    @post("/", responses=ERRORS)
    async def create_office(self, actor: CurrentActor, data: JSONBody[OfficeCreate]) -> OfficeRead:
        return read(OfficeRead, await svc.create_office(actor, values_of(data)))

    @get("/{office_id:int}", responses=READ_ERRORS)
    async def get_office(self, actor: CurrentActor, office_id: PathId) -> OfficeRead:
        return read(OfficeRead, await svc.get_office(actor, office_id))

    @patch("/{office_id:int}", responses=ERRORS)
    async def update_office(self, actor: CurrentActor, office_id: PathId,
                            data: JSONBody[OfficeUpdate]) -> OfficeRead:
        return read(OfficeRead, await svc.update_office(actor, office_id, values_of(data)))


class CourtController(Controller):
    path = "/api/courts"
    tags = ["organisation"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_courts(self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0,
                          office_id: OptId = None) -> CourtList:
        return read_page(CourtList, CourtRead,
                         await svc.list_courts(actor, page(limit, offset), office_id))

    @post("/", responses=ERRORS)
    async def create_court(self, actor: CurrentActor, data: JSONBody[CourtCreate]) -> CourtRead:
        return read(CourtRead, await svc.create_court(actor, values_of(data, RENAME)))

    @get("/{court_id:int}", responses=READ_ERRORS)
    async def get_court(self, actor: CurrentActor, court_id: PathId) -> CourtRead:
        return read(CourtRead, await svc.get_court(actor, court_id))

    @patch("/{court_id:int}", responses=ERRORS)
    async def update_court(self, actor: CurrentActor, court_id: PathId,
                           data: JSONBody[CourtUpdate]) -> CourtRead:
        return read(CourtRead, await svc.update_court(actor, court_id, values_of(data, RENAME)))


class StaffController(Controller):
    path = "/api/staff"
    tags = ["organisation"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_staff(self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0,
                         role: FromQuery[Role | None] = None, office_id: OptId = None) -> StaffList:
        return read_page(StaffList, StaffRead,
                         await svc.list_staff(actor, page(limit, offset), role, office_id))

    @post("/", responses=ERRORS)
    async def create_staff(self, request: Request, actor: CurrentActor,
                           data: JSONBody[StaffCreate]) -> StaffCreated:
        """Without ``password`` the account is invited: pass ``invitation_url`` on."""
        return read(StaffCreated, await svc.create_staff(actor, values_of(data, RENAME),
                                                         request.app.state.settings))

    @get("/{staff_id:int}", responses=READ_ERRORS)
    async def get_staff(self, actor: CurrentActor, staff_id: PathId) -> StaffRead:
        return read(StaffRead, await svc.get_staff(actor, staff_id))

    @patch("/{staff_id:int}", responses=ERRORS)
    async def update_staff(self, actor: CurrentActor, staff_id: PathId,
                           data: JSONBody[StaffUpdate]) -> StaffRead:
        return read(StaffRead, await svc.update_staff(actor, staff_id, values_of(data, RENAME)))
