"""Cases and their hearings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromQuery, HeaderParameter, JSONBody, Parameter, QueryParameter

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
from api.schemas.cases import (
    AdjournIn,
    CancelIn,
    CaseCreate,
    CaseList,
    CasePage,
    CaseRead,
    CaseUpdate,
    HearingCreate,
    HearingHistoryRead,
    HearingList,
    HearingRead,
    HearingUpdate,
    OutcomeIn,
    RescheduleIn,
    StaffRef,
)
from api.schemas.common import TEXT, values_of
from legal_tracker.cases import cases as case_svc
from legal_tracker.cases import hearings as svc
from legal_tracker.domain import CaseStatus, HearingKind, HearingStatus
from legal_tracker.errors import FieldProblem, Invalid
from legal_tracker.reminders.summaries import reminder_summaries
from legal_tracker.validation import Checks

RENAME = {"office_id": "office", "court_id": "court"}
CASE_LIST_PARAMETERS = frozenset({"limit", "offset", "status", "office_id", "staff_id", "survivor_id",
                                  "court_id", "reference", "q"})
Search = Annotated[str | None, Parameter(max_length=100, pattern=TEXT, description=(
    "search: part of the reference or court case number, a survivor code prefix, part of an "
    "accused's name (case-insensitive)"))]


def refuse_unknown_parameters(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise Invalid(problems=[FieldProblem(name, "unknown query parameter", "query")
                                for name in unknown])

IfMatch = Annotated[str | None, HeaderParameter(
    name="If-Match", required=False, max_length=40,
    description="the hearing's `version` as read (e.g. `\"3\"`): the change applies only to "
                "that version, otherwise 409")]


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``3`` or ``W/"3"``)."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip().strip('"')
    if not value.isdigit() or len(value) > 9:
        raise Invalid("If-Match", "must be the hearing's version, e.g. \"3\"")
    return int(value)


class CaseController(Controller):
    path = "/api/cases"
    tags = ["cases"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_cases(self, request: Request, actor: CurrentActor, limit: Limit = 50,
                         offset: Offset = 0, status: FromQuery[CaseStatus | None] = None,
                         office_id: OptId = None, staff_id: OptId = None, survivor_id: OptId = None,
                         court_id: OptId = None,
                         reference: Annotated[str | None, Parameter(max_length=64, pattern=TEXT)] = None,
                         q: Search = None) -> CasePage:
        """Newest first. ``q`` searches what people type: part of the reference or of the court
        case number (any case), the start of a survivor code, part of an accused's name.
        ``total`` counts every match. An unknown query parameter is refused (400)."""
        refuse_unknown_parameters(request, CASE_LIST_PARAMETERS)
        filters = {"status": status, "office_id": office_id, "staff_id": staff_id,
                   "survivor_id": survivor_id, "reference": reference, "court_id": court_id, "q": q}
        result = await case_svc.list_cases(actor, page(limit, offset), **filters)
        listed = read_page(CaseList, CaseRead, result)
        return CasePage(items=listed.items, limit=listed.limit, offset=listed.offset,
                        next_offset=listed.next_offset,
                        total=await case_svc.count_cases(actor, **filters))

    @post("/", responses=ERRORS)
    async def create_case(self, actor: CurrentActor, data: JSONBody[CaseCreate]) -> CaseRead:
        return read(CaseRead, await case_svc.create_case(actor, values_of(data, RENAME)))

    @get("/{case_id:int}", responses=READ_ERRORS)
    async def get_case(self, actor: CurrentActor, case_id: PathId) -> CaseRead:
        return read(CaseRead, await case_svc.get_case(actor, case_id))

    @patch("/{case_id:int}", responses=ERRORS)
    async def update_case(self, actor: CurrentActor, case_id: PathId, data: JSONBody[CaseUpdate]) -> CaseRead:
        return read(CaseRead, await case_svc.update_case(actor, case_id, values_of(data, RENAME)))

    @get("/{case_id:int}/hearings", responses=READ_ERRORS)
    async def list_case_hearings(self, actor: CurrentActor, case_id: PathId, limit: Limit = 50,
                                 offset: Offset = 0) -> HearingList:
        await case_svc.fetch_case(actor, case_id)
        return read_page(HearingList, HearingRead, await svc.list_hearings(
            actor, page(limit, offset), case_id=case_id))

    @post("/{case_id:int}/hearings", responses=ERRORS)
    async def create_hearing(self, actor: CurrentActor, case_id: PathId,
                             data: JSONBody[HearingCreate]) -> HearingRead:
        return read(HearingRead, await svc.create_hearing(actor, case_id, values_of(data, RENAME)))


From = Annotated[datetime | None, QueryParameter(
    name="from", description="start time at or after (ISO 8601 with offset)")]
To = Annotated[datetime | None, QueryParameter(
    name="to", description="start time before (ISO 8601 with offset)")]
Cursor = Annotated[str | None, Parameter(
    max_length=200, pattern=r"^[A-Za-z0-9_-]+$",
    description="the next_cursor of the page before: continues after its last hearing "
                "(keyset paging, fast at any depth; use instead of offset)")]
Day = Annotated[date | None, Parameter(
    description="hearings on this date (YYYY-MM-DD) in each court's own time zone")]


# The keys of a hearing row from ``svc.list_hearings``, each read into its field below.
HEARING_ROW_KEYS = frozenset({
    "id", "case", "case_reference", "office_id", "court", "court_name", "court_timezone",
    "courtroom", "starts_at", "ends_at", "duration_minutes", "kind", "status", "staff_ids",
    "survivor_attends", "survivor_testifies", "family_attends", "what_to_bring", "notes",
    "outcome_notes", "next_steps", "adjournment_reason", "adjournment_note", "cancel_reason",
    "adjourned_to", "adjourned_from", "version", "created_at", "updated_at", "accompanying_staff",
})


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC or value.tzinfo is None else value.astimezone(UTC)


def hearing_read(row: dict[str, Any]) -> HearingRead:
    """``read(HearingRead, row)`` for the rows of the hearing list, field by field: the same
    struct (so the same JSON) without the generic walk over every value (``utc``, renames,
    ``msgspec.convert``), which cost a page of 50 more than its query (issue 15). A row of
    another shape takes the generic path."""
    if row.keys() != HEARING_ROW_KEYS:
        return read(HearingRead, row)
    # Positionally, in the struct's field order (a third of the keyword call's cost).
    return HearingRead(
        row["id"], row["case"], row["case_reference"], row["office_id"], row["court"],
        row["court_name"], row["court_timezone"], row["courtroom"],
        row["starts_at"].astimezone(UTC), row["ends_at"].astimezone(UTC),
        row["duration_minutes"], row["kind"], row["status"], row["staff_ids"],
        row["survivor_attends"], row["survivor_testifies"], row["family_attends"],
        row["what_to_bring"], row["notes"], row["outcome_notes"], row["next_steps"],
        row["adjournment_reason"], row["adjournment_note"], row["cancel_reason"],
        row["adjourned_to"], row["adjourned_from"], row["version"], _utc(row["created_at"]),
        _utc(row["updated_at"]), [],
        [StaffRef(s["id"], s["name"]) for s in row["accompanying_staff"]],
    )


class HearingController(Controller):
    path = "/api/hearings"
    tags = ["hearings"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_hearings(
        self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0,
        starts_from: From = None,
        starts_to: To = None,
        court_id: OptId = None, staff_id: OptId = None, status: FromQuery[HearingStatus | None] = None,
        case_id: OptId = None, office_id: OptId = None, kind: FromQuery[HearingKind | None] = None,
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
            office_id=office_id, kind=kind, day=day, cursor=cursor), reader=hearing_read)

    @get("/{hearing_id:int}", responses=READ_ERRORS)
    async def get_hearing(self, actor: CurrentActor, hearing_id: PathId) -> HearingRead:
        hearing = await svc.get_hearing(actor, hearing_id)
        hearing["reminder_summary"] = (await reminder_summaries([hearing_id]))[hearing_id]
        return read(HearingRead, hearing)

    @patch("/{hearing_id:int}", responses=ERRORS)
    async def update_hearing(self, actor: CurrentActor, hearing_id: PathId,
                             data: JSONBody[HearingUpdate], if_match: IfMatch = None) -> HearingRead:
        return read(HearingRead, await svc.update_hearing(
            actor, hearing_id, values_of(data, RENAME), expected_version(if_match)))

    @post("/{hearing_id:int}/reschedule", responses=ERRORS, status_code=200)
    async def reschedule(self, actor: CurrentActor, hearing_id: PathId, data: JSONBody[RescheduleIn],
                         if_match: IfMatch = None) -> HearingRead:
        """Before the day: the same hearing moves; its version rises."""
        return read(HearingRead, await svc.reschedule_hearing(
            actor, hearing_id, data.starts_at, data.reason, expected_version(if_match)))

    @post("/{hearing_id:int}/adjourn", responses=ERRORS, status_code=201)
    async def adjourn(self, actor: CurrentActor, hearing_id: PathId, data: JSONBody[AdjournIn],
                      if_match: IfMatch = None) -> HearingRead:
        """On the day: this hearing becomes ``adjourned`` and the returned one is created."""
        return read(HearingRead, await svc.adjourn_hearing(
            actor, hearing_id, data.next_starts_at, data.reason, data.note,
            expected_version(if_match)))

    @post("/{hearing_id:int}/cancel", responses=ERRORS, status_code=200)
    async def cancel(self, actor: CurrentActor, hearing_id: PathId, data: JSONBody[CancelIn],
                     if_match: IfMatch = None) -> HearingRead:
        return read(HearingRead, await svc.cancel_hearing(actor, hearing_id, data.reason,
                                                          expected_version(if_match)))

    @post("/{hearing_id:int}/outcome", responses=ERRORS, status_code=200)
    async def outcome(self, actor: CurrentActor, hearing_id: PathId, data: JSONBody[OutcomeIn],
                      if_match: IfMatch = None) -> HearingRead:
        return read(HearingRead, await svc.record_outcome(actor, hearing_id, values_of(data),
                                                          expected_version(if_match)))

    @get("/{hearing_id:int}/history", responses=READ_ERRORS)
    async def history(self, actor: CurrentActor, hearing_id: PathId) -> list[HearingHistoryRead]:
        return [read(HearingHistoryRead, r) for r in await svc.hearing_history(actor, hearing_id)]
