"""Cases, their accused and survivors, and hearings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.schemas.common import (
    TEXT,
    AwareDatetime,
    Base,
    Id,
    IdList,
    LongText,
    Minutes,
    Name,
    Page,
    Reference,
    ShortText,
    update_of,
)
from legal_tracker.domain import (
    AccusedStatus,
    AdjournmentReason,
    CaseOutcome,
    CaseStatus,
    HearingKind,
    OffenceCategory,
    SurvivorRole,
)


class AccusedIn(Base):
    name: Name
    status: AccusedStatus = "at_large"
    id: Id | None = None


class AccusedRead(Struct):
    id: int
    name: str
    status: str


class CaseSurvivorIn(Base):
    id: Id
    role: SurvivorRole = "complainant"


class CaseSurvivorRead(Struct):
    id: int
    role: str


class CaseCreate(Base):
    reference: Reference
    court_case_number: Reference | None = None
    office_id: Id | None = None
    court_id: Id | None = None
    offence_category: OffenceCategory = "other"
    status: CaseStatus = "investigation"
    charged_on: date | None = None
    staff_ids: IdList = []
    survivor_ids: IdList | None = None
    survivors: Annotated[list[CaseSurvivorIn], Meta(max_length=50)] | None = None
    accused: Annotated[list[AccusedIn], Meta(max_length=50)] = []


@update_of(CaseCreate, exclude={"office_id"})
class CaseUpdate(Base):
    survivor_ids: IdList | UnsetType = UNSET
    survivors: Annotated[list[CaseSurvivorIn], Meta(max_length=50)] | UnsetType = UNSET
    # Set as the case moves on (also by recording a hearing's outcome).
    outcome: CaseOutcome | None | UnsetType = UNSET
    sentence: ShortText | None | UnsetType = UNSET
    sentence_months: Annotated[int, Meta(ge=0, le=2000)] | None | UnsetType = UNSET
    judgment_on: date | None | UnsetType = UNSET
    closed_on: date | None | UnsetType = UNSET


class CaseRead(Struct):
    id: int
    reference: str
    court_case_number: str | None
    office_id: int
    court_id: int | None
    offence_category: str
    status: str
    outcome: str | None
    sentence: str | None
    sentence_months: int | None
    charged_on: date | None
    judgment_on: date | None
    closed_on: date | None
    staff_ids: list[int]
    survivor_ids: list[int]
    survivors: list[CaseSurvivorRead]
    accused: list[AccusedRead]
    created_at: datetime
    updated_at: datetime


class CaseList(Page):
    items: list[CaseRead]


# ---------------------------------------------------------------- hearings


Courtroom = Annotated[str, Meta(max_length=64, pattern=TEXT)]


class HearingCreate(Base):
    starts_at: AwareDatetime
    kind: HearingKind
    court_id: Id | None = None
    courtroom: Courtroom = ""
    duration_minutes: Minutes = 120
    survivor_attends: bool = False
    survivor_testifies: bool = False
    family_attends: bool = False
    staff_ids: IdList = []
    what_to_bring: ShortText = ""
    notes: LongText = ""


@update_of(HearingCreate)
class HearingUpdate(Base):
    # A hearing always sits in a court.
    court_id: Id | UnsetType = UNSET


class Warning_(Struct):
    staff_id: int
    hearing_id: int
    message: str


class StaffRef(Struct):
    id: int
    name: str


class HearingRead(Struct):
    id: int
    case_id: int
    case_reference: str
    office_id: int
    court_id: int
    court_name: str
    court_timezone: str
    courtroom: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    kind: str
    status: str
    staff_ids: list[int]
    survivor_attends: bool
    survivor_testifies: bool
    family_attends: bool
    what_to_bring: str
    notes: str
    outcome_notes: str | None
    next_steps: str | None
    adjournment_reason: str | None
    adjournment_note: str | None
    cancel_reason: str | None
    adjourned_to_id: int | None
    adjourned_from_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    warnings: list[Warning_] = []
    # Who accompanies, with names ("who is in court today"); the same people as staff_ids.
    accompanying_staff: list[StaffRef] = []
    # SMS reminders of this hearing, counted by status (legal_tracker.reminders.summaries).
    reminder_summary: dict[str, int] | None = None


class HearingList(Page):
    items: list[HearingRead]
    # Keyset paging: pass it back as ``cursor`` for the next page (fast at any depth).
    next_cursor: str | None = None


Reason = Annotated[str, Meta(min_length=1, max_length=500, pattern=TEXT)]


class RescheduleIn(Base):
    starts_at: AwareDatetime
    reason: Reason | None = None


class AdjournIn(Base):
    next_starts_at: AwareDatetime
    reason: AdjournmentReason
    note: Reason | None = None


class CancelIn(Base):
    reason: Reason


class OutcomeIn(Base):
    outcome_notes: LongText
    next_steps: LongText | None = None
    case_status: CaseStatus | None = None
    case_outcome: CaseOutcome | None = None
    sentence: ShortText | None = None
    sentence_months: Annotated[int, Meta(ge=0, le=2000)] | None = None
    judgment_on: date | None = None


class HearingHistoryRead(Struct):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    version: int
    from_starts_at: datetime | None
    to_starts_at: datetime | None
    reason: str | None
    note: str | None


class CasePage(Struct):
    """GET /api/cases: one page of cases and the number of all that match."""

    items: list[CaseRead]
    limit: int
    offset: int
    next_offset: int | None
    total: int
