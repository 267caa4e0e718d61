"""Bodies of the casework API: statements, identity documents and custody, immigration
applications, deadlines, the case timeline, outcome reports and accompaniment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from api.schemas.common import (
    TEXT,
    AwareDatetime,
    Base,
    Country,
    Id,
    Language,
    LongText,
    Name,
    Page,
    ShortText,
    update_of,
)
from legal_tracker.casework.vocab import (
    DeadlineKind,
    DocumentKind,
    DocumentStatus,
    GroundsOutcome,
    ImmigrationKind,
    ImmigrationOutcome,
    StatementKind,
    StatementStatus,
)

Person = Annotated[str, Meta(min_length=1, max_length=200, pattern=TEXT)]
Place = Annotated[str, Meta(max_length=200, pattern=TEXT)]
DocumentNumber = Annotated[str, Meta(min_length=1, max_length=64, pattern=TEXT)]
Jurisdiction = Annotated[str, Meta(max_length=64, pattern=TEXT, examples=["US"])]
ReceiptNumber = Annotated[str, Meta(min_length=1, max_length=64, pattern=TEXT, examples=["EAC2612345678"])]
# Dates a lawyer types: within the years a case can span.
Day = Annotated[date, Meta(examples=["2026-12-03"])]


# ---------------------------------------------------------------- statements


class StatementCreate(Base):
    kind: StatementKind
    survivor_id: Id
    status: StatementStatus = "planned"
    taken_at: AwareDatetime | None = None
    taken_by: Annotated[str, Meta(max_length=200, pattern=TEXT)] = ""
    taken_by_staff_id: Id | None = None
    language: Language = "en"
    interpreter_name: Person | None = None
    interpreter_language: Language | None = None
    support_person_present: bool = False
    support_person: Person | None = None
    video_recorded: bool = False
    location: Place = ""
    notes: LongText = ""


@update_of(StatementCreate)
class StatementUpdate(Base):
    pass


class StatementRead(Struct):
    id: int
    case_id: int
    survivor_id: int
    kind: str
    status: str
    taken_at: datetime | None
    taken_by: str
    taken_by_staff_id: int | None
    language: str
    interpreter_name: str | None
    interpreter_language: str | None
    support_person_present: bool
    support_person: str | None
    video_recorded: bool
    location: str
    notes: str
    created_at: datetime
    updated_at: datetime
    version: int


class StatementList(Page):
    items: list[StatementRead]


# ---------------------------------------------------------------- identity documents


class DocumentCreate(Base):
    kind: DocumentKind
    issuing_country: Country
    status: DocumentStatus
    number: DocumentNumber | None = None
    expires_on: Day | None = None
    case_id: Id | None = None
    notes: LongText = ""


@update_of(DocumentCreate)
class DocumentUpdate(Base):
    pass


class DocumentRead(Struct):
    id: int
    survivor_id: int
    case_id: int | None
    kind: str
    issuing_country: str
    number: str | None
    number_recorded: bool
    expires_on: date | None
    status: str
    notes: str
    created_at: datetime
    updated_at: datetime


class DocumentList(Page):
    items: list[DocumentRead]


class CustodyCreate(Base):
    at: AwareDatetime
    released_by: Person
    received_by: Person
    purpose: ShortText = ""
    location: Place = ""
    note: LongText = ""
    resulting_status: DocumentStatus | None = None


class CustodyRead(Struct):
    id: int
    document_id: int
    seq: int
    at: datetime
    released_by: str
    received_by: str
    purpose: str
    location: str
    note: str
    resulting_status: str | None
    recorded_by: int | None
    recorded_at: datetime


# ---------------------------------------------------------------- immigration


class ImmigrationCreate(Base):
    kind: ImmigrationKind
    jurisdiction: Jurisdiction = ""
    case_id: Id | None = None
    receipt_number: ReceiptNumber | None = None
    prepared_on: Day | None = None
    filed_on: Day | None = None
    receipt_on: Day | None = None
    biometrics_on: Day | None = None
    rfe_received_on: Day | None = None
    rfe_due_on: Day | None = None
    rfe_answered_on: Day | None = None
    bona_fide_on: Day | None = None
    reasonable_grounds_on: Day | None = None
    reasonable_grounds_outcome: GroundsOutcome | None = None
    conclusive_grounds_on: Day | None = None
    conclusive_grounds_outcome: GroundsOutcome | None = None
    decision_on: Day | None = None
    outcome: ImmigrationOutcome | None = None
    certification_requested_on: Day | None = None
    certification_signed_on: Day | None = None
    notes: LongText = ""


@update_of(ImmigrationCreate)
class ImmigrationUpdate(Base):
    pass


class Milestone(Struct):
    milestone: str
    on: date


class ImmigrationWarning(Struct):
    code: str
    field: str
    message: str


class ImmigrationRead(Struct):
    id: int
    survivor_id: int
    case_id: int | None
    kind: str
    jurisdiction: str
    receipt_number: str | None
    prepared_on: date | None
    filed_on: date | None
    receipt_on: date | None
    biometrics_on: date | None
    rfe_received_on: date | None
    rfe_due_on: date | None
    rfe_answered_on: date | None
    bona_fide_on: date | None
    reasonable_grounds_on: date | None
    reasonable_grounds_outcome: str | None
    conclusive_grounds_on: date | None
    conclusive_grounds_outcome: str | None
    decision_on: date | None
    outcome: str | None
    certification_requested_on: date | None
    certification_signed_on: date | None
    certification_expires_on: date | None
    notes: str
    stage: str
    milestones: list[Milestone]
    warnings: list[ImmigrationWarning]
    created_at: datetime
    updated_at: datetime


class ImmigrationList(Page):
    items: list[ImmigrationRead]


# ---------------------------------------------------------------- deadlines


class DeadlineCreate(Base):
    due_on: Day
    title: Name
    kind: DeadlineKind = "filing"
    what_to_do: LongText = ""


@update_of(DeadlineCreate)
class DeadlineUpdate(Base):
    done: bool | UnsetType = UNSET


class DeadlineRead(Struct):
    id: int
    key: str
    case_id: int
    kind: str
    due_on: date
    title: str
    what_to_do: str
    done: bool
    done_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DeadlineList(Page):
    items: list[DeadlineRead]


class UpcomingDeadline(Struct):
    key: str
    kind: str
    due_date: date
    days_left: int
    overdue: bool
    title: str
    what_to_do: str
    case_id: int | None
    case_reference: str | None
    survivor_id: int | None
    office_id: int
    timezone: str
    source: str
    source_id: int


class UpcomingDeadlines(Struct):
    items: list[UpcomingDeadline]
    within_days: int
    overdue_days: int


# ---------------------------------------------------------------- timeline


class TimelineItem(Struct):
    at: datetime
    kind: str
    entity: str
    entity_id: int
    title: str
    detail: dict[str, Any]


class Timeline(Struct):
    case_id: int
    items: list[TimelineItem]


# ---------------------------------------------------------------- reports


class Sentences(Struct):
    count: int
    sentenced: int
    sentence_mean_months: float | None
    sentence_median_months: float | None


class CaseFigures(Struct):
    total: int
    by_status: dict[str, int]
    by_outcome: dict[str, int]


class ChargeToJudgment(Struct):
    cases: int
    mean_days: float | None
    median_days: float | None


class ReasonFigure(Struct):
    reason: str | None
    count: int
    rate: float | None


class CourtFigure(Struct):
    court_id: int
    court_name: str
    held: int
    adjourned: int
    adjournment_rate: float | None


class HearingFigures(Struct):
    held: int
    adjourned: int
    cancelled: int
    scheduled: int
    adjournment_rate: float | None
    adjournments_by_reason: list[ReasonFigure]
    by_court: list[CourtFigure]


class Accompaniment(Struct):
    testifying_hearings: int
    accompanied: int
    coverage: float | None


class SmsOfficeFigure(Struct):
    office_id: int
    office_name: str
    sent: int
    delivered: int
    delivery_rate: float | None


class SmsFigures(Struct):
    """Messages handed to the SMS gateway in the period (``sent``) and those it reported
    delivered: ``delivery_rate`` = delivered ÷ sent, null when nothing was sent."""

    sent: int
    delivered: int
    delivery_rate: float | None
    by_office: list[SmsOfficeFigure]


class StatementFigures(Struct):
    taken: int
    by_kind: dict[str, int]


class DocumentFigures(Struct):
    recovered: int
    returned: int
    by_status: dict[str, int]


class DecisionFigure(Struct):
    kind: str
    outcome: str | None
    count: int


class ImmigrationFigures(Struct):
    decisions: int
    approved: int
    by_kind_and_outcome: list[DecisionFigure]
    pending: int


class OutcomeReport(Struct, kw_only=True):
    office_id: int | None
    from_: date | None = msgspec.field(default=None, name="from")
    to: date | None = None
    timezone: str
    scope: str
    cases: CaseFigures
    convictions: Sentences
    charge_to_judgment: ChargeToJudgment
    hearings: HearingFigures
    accompaniment: Accompaniment
    sms: SmsFigures
    statements: StatementFigures
    documents: DocumentFigures
    immigration: ImmigrationFigures
