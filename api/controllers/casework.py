"""Casework: statements, identity documents and their chain of custody, immigration
applications, deadlines, the case timeline, outcome reports, and accompaniment of hearings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromQuery, JSONBody, Parameter, QueryParameter

from api.controllers.cases import IfMatch, expected_version
from api.controllers.common import (
    ACTOR,
    ERRORS,
    READ_ERRORS,
    CurrentActor,
    Limit,
    Offset,
    OptId,
    PathId,
    Reveal,
    page,
    reveal_set,
)
from api.convert import read, read_page
from api.schemas.cases import HearingRead
from api.schemas.casework import (
    CustodyCreate,
    CustodyRead,
    DeadlineCreate,
    DeadlineList,
    DeadlineRead,
    DeadlineUpdate,
    DocumentCreate,
    DocumentList,
    DocumentRead,
    DocumentUpdate,
    ImmigrationCreate,
    ImmigrationList,
    ImmigrationRead,
    ImmigrationUpdate,
    OutcomeReport,
    StatementCreate,
    StatementList,
    StatementRead,
    StatementUpdate,
    Timeline,
    TimelineItem,
    UpcomingDeadline,
    UpcomingDeadlines,
)
from api.schemas.common import values_of
from legal_tracker.casework import (
    accompaniment,
    deadlines,
    identity_documents,
    immigration,
    report_tables,
    reports,
    statements,
)
from legal_tracker.casework.timeline import case_timeline
from legal_tracker.casework.vocab import DocumentStatus, StatementStatus
from legal_tracker.errors import FieldProblem, Invalid

RENAME = {"case_id": "case", "survivor_id": "survivor", "taken_by_staff_id": "taken_by_staff"}


class StatementController(Controller):
    path = "/api"
    tags = ["statements"]
    dependencies = ACTOR

    @get("/cases/{case_id:int}/statements", responses=READ_ERRORS)
    async def list_statements(self, actor: CurrentActor, case_id: PathId, limit: Limit = 50,
                              offset: Offset = 0,
                              survivor_id: OptId = None,
                              status: FromQuery[StatementStatus | None] = None) -> StatementList:
        return read_page(StatementList, StatementRead, await statements.list_statements(
            actor, case_id, page(limit, offset), survivor_id=survivor_id, status=status))

    @post("/cases/{case_id:int}/statements", responses=ERRORS)
    async def create_statement(self, actor: CurrentActor, case_id: PathId,
                               data: JSONBody[StatementCreate]) -> StatementRead:
        return read(StatementRead, await statements.create_statement(actor, case_id, values_of(data, RENAME)))

    @get("/statements/{statement_id:int}", responses=READ_ERRORS)
    async def get_statement(self, actor: CurrentActor, statement_id: PathId) -> StatementRead:
        return read(StatementRead, await statements.get_statement(actor, statement_id))

    @patch("/statements/{statement_id:int}", responses=ERRORS)
    async def update_statement(self, actor: CurrentActor, statement_id: PathId,
                               data: JSONBody[StatementUpdate],
                               if_match: IfMatch = None) -> StatementRead:
        """Status moves forward only (planned → taken → signed → filed): going back answers
        409. With ``If-Match: "<version>"`` the change applies only to that version (409)."""
        return read(StatementRead, await statements.update_statement(
            actor, statement_id, values_of(data, RENAME), expected_version(if_match)))


class IdentityDocumentController(Controller):
    path = "/api"
    tags = ["identity documents"]
    dependencies = ACTOR

    @get("/survivors/{survivor_id:int}/identity-documents", responses=READ_ERRORS)
    async def list_documents(self, actor: CurrentActor, survivor_id: PathId, limit: Limit = 50,
                             offset: Offset = 0,
                             status: FromQuery[DocumentStatus | None] = None) -> DocumentList:
        return read_page(DocumentList, DocumentRead, await identity_documents.list_documents(
            actor, survivor_id, page(limit, offset), status=status))

    @post("/survivors/{survivor_id:int}/identity-documents", responses=ERRORS)
    async def create_document(self, actor: CurrentActor, survivor_id: PathId,
                              data: JSONBody[DocumentCreate]) -> DocumentRead:
        """The number is encrypted at rest and masked in every answer."""
        return read(DocumentRead, await identity_documents.create_document(
            actor, survivor_id, values_of(data, RENAME)))

    @get("/identity-documents/{document_id:int}", responses=ERRORS)
    async def get_document(self, actor: CurrentActor, document_id: PathId,
                           reveal: Reveal = None) -> DocumentRead:
        """``?reveal=number`` shows the number to admins, lawyers and caseworkers; audited."""
        document = await identity_documents.get_document(actor, document_id, reveal_set(reveal))
        return read(DocumentRead, document)

    @patch("/identity-documents/{document_id:int}", responses=ERRORS)
    async def update_document(self, actor: CurrentActor, document_id: PathId,
                              data: JSONBody[DocumentUpdate]) -> DocumentRead:
        return read(DocumentRead, await identity_documents.update_document(
            actor, document_id, values_of(data, RENAME)))

    @get("/identity-documents/{document_id:int}/custody", responses=READ_ERRORS)
    async def list_custody(self, actor: CurrentActor, document_id: PathId) -> list[CustodyRead]:
        return [read(CustodyRead, r) for r in await identity_documents.list_custody(actor, document_id)]

    @post("/identity-documents/{document_id:int}/custody", responses=ERRORS)
    async def append_custody(self, actor: CurrentActor, document_id: PathId,
                             data: JSONBody[CustodyCreate]) -> CustodyRead:
        """Append-only. ``released_by`` must be the previous entry's ``received_by`` (else 422
        naming ``released_by``); ``resulting_status`` becomes the document's status."""
        return read(CustodyRead, await identity_documents.append_custody(actor, document_id, values_of(data)))


class ImmigrationController(Controller):
    path = "/api"
    tags = ["immigration"]
    dependencies = ACTOR

    @get("/survivors/{survivor_id:int}/immigration", responses=READ_ERRORS)
    async def list_applications(self, actor: CurrentActor, survivor_id: PathId, limit: Limit = 50,
                                offset: Offset = 0) -> ImmigrationList:
        return read_page(ImmigrationList, ImmigrationRead, await immigration.list_applications(
            actor, survivor_id, page(limit, offset)))

    @post("/survivors/{survivor_id:int}/immigration", responses=ERRORS)
    async def create_application(self, actor: CurrentActor, survivor_id: PathId,
                                 data: JSONBody[ImmigrationCreate]) -> ImmigrationRead:
        return read(ImmigrationRead, await immigration.create_application(
            actor, survivor_id, values_of(data, RENAME)))

    @get("/immigration/{application_id:int}", responses=READ_ERRORS)
    async def get_application(self, actor: CurrentActor, application_id: PathId) -> ImmigrationRead:
        return read(ImmigrationRead, await immigration.get_application(actor, application_id))

    @patch("/immigration/{application_id:int}", responses=ERRORS)
    async def update_application(self, actor: CurrentActor, application_id: PathId,
                                 data: JSONBody[ImmigrationUpdate]) -> ImmigrationRead:
        """A U-visa petition filed with a certification older than six months carries a
        ``certification_stale`` warning."""
        return read(ImmigrationRead, await immigration.update_application(
            actor, application_id, values_of(data, RENAME)))


WithinDays = Annotated[int, Parameter(
    ge=0, le=3660, description="days ahead, from today in each office's zone")]
OverdueDays = Annotated[int, Parameter(
    ge=0, le=3660, description="open items up to this many days past due")]


class DeadlineController(Controller):
    path = "/api"
    tags = ["deadlines"]
    dependencies = ACTOR

    @get("/deadlines", responses=READ_ERRORS)
    async def upcoming(self, actor: CurrentActor, within_days: WithinDays = 30,
                       overdue_days: OverdueDays = deadlines.DEFAULT_OVERDUE_DAYS) -> UpcomingDeadlines:
        """What the caller must not miss across the cases they may see, by due date: answers
        to requests for evidence, certification expiries, biometrics appointments, document
        expiries (from 90 days ahead), deadlines entered by hand, families an SMS did not
        reach. Each has a stable ``key`` (calendar UID)."""
        rows = await deadlines.upcoming_deadlines(actor, within_days=within_days, overdue_days=overdue_days,
                                                  sources=deadlines.API_SOURCES)
        return UpcomingDeadlines(items=[read(UpcomingDeadline, r) for r in rows], within_days=within_days,
                                 overdue_days=overdue_days)

    @get("/cases/{case_id:int}/deadlines", responses=READ_ERRORS)
    async def list_case_deadlines(self, actor: CurrentActor, case_id: PathId, limit: Limit = 50,
                                  offset: Offset = 0) -> DeadlineList:
        return read_page(DeadlineList, DeadlineRead, await deadlines.list_case_deadlines(
            actor, case_id, page(limit, offset)))

    @post("/cases/{case_id:int}/deadlines", responses=ERRORS)
    async def create_deadline(self, actor: CurrentActor, case_id: PathId,
                              data: JSONBody[DeadlineCreate]) -> DeadlineRead:
        """A deadline entered by hand (a filing date): a calendar date in the office's zone."""
        return read(DeadlineRead, await deadlines.create_deadline(actor, case_id, values_of(data)))

    @patch("/deadlines/{deadline_id:int}", responses=ERRORS)
    async def update_deadline(self, actor: CurrentActor, deadline_id: PathId,
                              data: JSONBody[DeadlineUpdate]) -> DeadlineRead:
        """``{"done": true}`` marks it done; it leaves the upcoming list. One conditional
        update: a deadline already done (or changed meanwhile) answers 409."""
        return read(DeadlineRead, await deadlines.update_deadline(actor, deadline_id, values_of(data)))


TimelineKinds = Annotated[str | None, Parameter(
    max_length=200, description="comma-separated kinds to keep, e.g. hearing,status_change")]


class CaseTimelineController(Controller):
    path = "/api"
    tags = ["cases"]
    dependencies = ACTOR

    @get("/cases/{case_id:int}/timeline", responses=READ_ERRORS)
    async def timeline(self, actor: CurrentActor, case_id: PathId, kinds: TimelineKinds = None) -> Timeline:
        """Everything that happened to the case in time order: opening and status changes,
        hearings (with their adjournment chain), statements, custody hand-overs of its
        documents, immigration filings and decisions, and filings."""
        items = await case_timeline(actor, case_id, kinds=reveal_set(kinds) or None)
        return Timeline(case_id=case_id, items=[read(TimelineItem, i) for i in items])


From = Annotated[date | None, QueryParameter(name="from", description="first day, YYYY-MM-DD (inclusive)")]
To = Annotated[date | None, QueryParameter(name="to", description="last day, YYYY-MM-DD (inclusive)")]


Format = Annotated[str | None, QueryParameter(description="json (the default) or csv")]
CsvTable = Annotated[str | None, QueryParameter(description="with csv: one table (adjournments_by_court…)")]


class ReportController(Controller):
    path = "/api/reports"
    tags = ["reports"]
    dependencies = ACTOR

    @get("/outcomes", responses=READ_ERRORS)
    async def outcomes(self, request: Request, actor: CurrentActor, office_id: OptId = None,
                       start: From = None, end: To = None, format: Format = None,
                       table: CsvTable = None) -> Response[OutcomeReport]:
        """Organisation metrics computed in the database. Admins see their office (organisation
        admins every office, or ``office_id``); other roles see the cases assigned to them.
        ``?format=csv`` or ``Accept: text/csv`` answers the report's tables as CSV (every
        table, or the one named by ``table``) with the figures the web page shows."""
        if start and end and start > end:
            raise Invalid(problems=[FieldProblem("to", "must not be before from", "query")])
        if format not in (None, "json", "csv"):
            raise Invalid(problems=[FieldProblem("format", "must be json or csv", "query")])
        if table is not None and table not in report_tables.TABLE_NAMES:
            raise Invalid(problems=[FieldProblem(
                "table", "must be one of " + ", ".join(report_tables.TABLE_NAMES), "query")])
        report = await reports.outcome_report(actor, office_id=office_id, start=start, end=end)
        accept = request.headers.get("accept", "")
        if format == "csv" or (format is None and "text/csv" in accept):
            return Response[Any](report_tables.to_csv(report, table), media_type="text/csv; charset=utf-8",
                            headers={"content-disposition":
                                     f'attachment; filename="outcomes-{table or "all"}.csv"'})
        return Response(read(OutcomeReport, report))


class AccompanimentController(Controller):
    path = "/api/hearings"
    tags = ["hearings"]
    dependencies = ACTOR

    @post("/{hearing_id:int}/staff/{staff_id:int}", responses=ERRORS, status_code=200)
    async def assign(self, actor: CurrentActor, hearing_id: PathId, staff_id: PathId,
                     if_match: IfMatch = None) -> HearingRead:
        """Adds a member of staff to the hearing's accompaniment (idempotent). ``warnings``
        names any other hearing they accompany at an overlapping time."""
        return read(HearingRead, await accompaniment.assign_staff(
            actor, hearing_id, staff_id, expected_version(if_match)))

    @delete("/{hearing_id:int}/staff/{staff_id:int}", responses=ERRORS, status_code=200)
    async def unassign(self, actor: CurrentActor, hearing_id: PathId, staff_id: PathId,
                       if_match: IfMatch = None) -> HearingRead:
        return read(HearingRead, await accompaniment.unassign_staff(
            actor, hearing_id, staff_id, expected_version(if_match)))


CASEWORK_CONTROLLERS = [StatementController, IdentityDocumentController, ImmigrationController,
                        DeadlineController, CaseTimelineController, ReportController,
                        AccompanimentController]
