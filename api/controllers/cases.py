"""Cases and their hearings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import Parameter

from api.controllers.common import ACTOR, ERRORS, READ_ERRORS, Limit, Offset, OptId, PathId, page
from api.convert import read, read_page
from api.schemas import (
    TEXT,
    AdjournIn,
    CancelIn,
    CaseCreate,
    CaseList,
    CaseRead,
    CaseUpdate,
    HearingCreate,
    HearingHistoryRead,
    HearingList,
    HearingRead,
    HearingUpdate,
    OutcomeIn,
    RescheduleIn,
    values_of,
)
from legal_tracker.access import Actor
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import hearings as svc
from legal_tracker.domain import CaseStatus, HearingKind, HearingStatus
from legal_tracker.reminders.service import reminder_summaries
from legal_tracker.validation import Checks

RENAME = {"office_id": "office", "court_id": "court"}


class CaseController(Controller):
    path = "/api/cases"
    tags = ["cases"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_cases(self, actor: Actor, limit: Limit = 50, offset: Offset = 0,
                         status: CaseStatus | None = None, office_id: OptId = None,
                         staff_id: OptId = None, survivor_id: OptId = None,
                         reference: Annotated[str | None, Parameter(max_length=64, pattern=TEXT)] = None,
                         ) -> CaseList:
        return read_page(CaseList, CaseRead, await case_svc.list_cases(
            actor, page(limit, offset), status=status, office_id=office_id, staff_id=staff_id,
            survivor_id=survivor_id, reference=reference))

    @post("/", responses=ERRORS)
    async def create_case(self, actor: Actor, data: CaseCreate) -> CaseRead:
        return read(CaseRead, await case_svc.create_case(actor, values_of(data, RENAME)))

    @get("/{case_id:int}", responses=READ_ERRORS)
    async def get_case(self, actor: Actor, case_id: PathId) -> CaseRead:
        return read(CaseRead, await case_svc.get_case(actor, case_id))

    @patch("/{case_id:int}", responses=ERRORS)
    async def update_case(self, actor: Actor, case_id: PathId, data: CaseUpdate) -> CaseRead:
        return read(CaseRead, await case_svc.update_case(actor, case_id, values_of(data, RENAME)))

    @get("/{case_id:int}/hearings", responses=READ_ERRORS)
    async def list_case_hearings(self, actor: Actor, case_id: PathId, limit: Limit = 50,
                                 offset: Offset = 0) -> HearingList:
        await case_svc.fetch_case(actor, case_id)
        return read_page(HearingList, HearingRead, await svc.list_hearings(
            actor, page(limit, offset), case_id=case_id))

    @post("/{case_id:int}/hearings", responses=ERRORS)
    async def create_hearing(self, actor: Actor, case_id: PathId, data: HearingCreate) -> HearingRead:
        return read(HearingRead, await svc.create_hearing(actor, case_id, values_of(data, RENAME)))


From = Annotated[datetime | None, Parameter(
    query="from", description="start time at or after (ISO 8601 with offset)")]
To = Annotated[datetime | None, Parameter(
    query="to", description="start time before (ISO 8601 with offset)")]
Cursor = Annotated[str | None, Parameter(
    max_length=200, pattern=r"^[A-Za-z0-9_-]+$",
    description="the next_cursor of the page before: continues after its last hearing "
                "(keyset paging, fast at any depth; use instead of offset)")]
Day = Annotated[date | None, Parameter(
    description="hearings on this date (YYYY-MM-DD) in each court's own time zone")]


class HearingController(Controller):
    path = "/api/hearings"
    tags = ["hearings"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_hearings(
        self, actor: Actor, limit: Limit = 50, offset: Offset = 0,
        starts_from: From = None,
        starts_to: To = None,
        court_id: OptId = None, staff_id: OptId = None, status: HearingStatus | None = None,
        case_id: OptId = None, office_id: OptId = None, kind: HearingKind | None = None,
        day: Day = None, cursor: Cursor = None,
    ) -> HearingList:
        """Hearings in time order. ``from``/``to`` bound the start time (``to`` exclusive).
        ``day`` (YYYY-MM-DD) keeps the hearings sitting on that date in their court's own time
        zone; with ``office_id`` it answers "who is in court today" (each item names the court,
        courtroom, local time, accompanying staff and whether the survivor testifies)."""
        checks = Checks()
        checks.instant("from", starts_from, source="query")
        checks.instant("to", starts_to, source="query")
        checks.raise_if_any()
        return read_page(HearingList, HearingRead, await svc.list_hearings(
            actor, page(limit, offset), starts_from=starts_from, starts_to=starts_to,
            court_id=court_id, staff_id=staff_id, status=status, case_id=case_id,
            office_id=office_id, kind=kind, day=day, cursor=cursor))

    @get("/{hearing_id:int}", responses=READ_ERRORS)
    async def get_hearing(self, actor: Actor, hearing_id: PathId) -> HearingRead:
        hearing = await svc.get_hearing(actor, hearing_id)
        hearing["reminder_summary"] = (await reminder_summaries([hearing_id]))[hearing_id]
        return read(HearingRead, hearing)

    @patch("/{hearing_id:int}", responses=ERRORS)
    async def update_hearing(self, actor: Actor, hearing_id: PathId,
                             data: HearingUpdate) -> HearingRead:
        return read(HearingRead, await svc.update_hearing(actor, hearing_id,
                                                          values_of(data, RENAME)))

    @post("/{hearing_id:int}/reschedule", responses=ERRORS, status_code=200)
    async def reschedule(self, actor: Actor, hearing_id: PathId, data: RescheduleIn) -> HearingRead:
        """Before the day: the same hearing moves; its version rises."""
        return read(HearingRead, await svc.reschedule_hearing(
            actor, hearing_id, data.starts_at, data.reason))

    @post("/{hearing_id:int}/adjourn", responses=ERRORS, status_code=201)
    async def adjourn(self, actor: Actor, hearing_id: PathId, data: AdjournIn) -> HearingRead:
        """On the day: this hearing becomes ``adjourned`` and the returned one is created."""
        return read(HearingRead, await svc.adjourn_hearing(
            actor, hearing_id, data.next_starts_at, data.reason, data.note))

    @post("/{hearing_id:int}/cancel", responses=ERRORS, status_code=200)
    async def cancel(self, actor: Actor, hearing_id: PathId, data: CancelIn) -> HearingRead:
        return read(HearingRead, await svc.cancel_hearing(actor, hearing_id, data.reason))

    @post("/{hearing_id:int}/outcome", responses=ERRORS, status_code=200)
    async def outcome(self, actor: Actor, hearing_id: PathId, data: OutcomeIn) -> HearingRead:
        return read(HearingRead, await svc.record_outcome(actor, hearing_id, values_of(data)))

    @get("/{hearing_id:int}/history", responses=READ_ERRORS)
    async def history(self, actor: Actor, hearing_id: PathId) -> list[HearingHistoryRead]:
        return [read(HearingHistoryRead, r) for r in await svc.hearing_history(actor, hearing_id)]
