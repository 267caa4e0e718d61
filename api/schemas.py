"""Request and response bodies: msgspec Structs, separate Create / Update / Read types.

Create types reject unknown fields and carry every length and range limit, so bad input is
refused before a service runs. Update types use ``UNSET`` for "not given" and ``None`` for
"clear this". Read types carry what a caller may see, never ciphertext.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from legal_tracker.domain import (
    MAX_ID,
    AccusedStatus,
    CaseOutcome,
    CaseStatus,
    HearingKind,
    HearingStatus,
    OffenceCategory,
    Role,
    SurvivorRole,
)

# Free text may hold anything but NUL, which PostgreSQL cannot store in a text column.
TEXT = r"^[^\x00]*$"

Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=TEXT)]
ShortText = Annotated[str, Meta(max_length=500, pattern=TEXT)]
LongText = Annotated[str, Meta(max_length=10_000, pattern=TEXT)]
Timezone = Annotated[str, Meta(min_length=1, max_length=64, examples=["Africa/Nairobi"])]
Country = Annotated[str, Meta(min_length=2, max_length=2, pattern="^[A-Z]{2}$", examples=["KE"])]
Language = Annotated[str, Meta(min_length=2, max_length=16, examples=["sw"])]
Phone = Annotated[str, Meta(min_length=4, max_length=32, examples=["+254712345678"])]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]
AwareDatetime = Annotated[datetime, Meta(tz=True)]
Reference = Annotated[str, Meta(min_length=1, max_length=64, pattern=TEXT)]
Minutes = Annotated[int, Meta(ge=5, le=24 * 60)]
IdList = Annotated[list[Id], Meta(max_length=100)]


class Base(Struct, forbid_unknown_fields=True, omit_defaults=False):
    pass


def values_of(struct: Struct, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields a client actually sent, with API names mapped to column names."""
    rename = rename or {}
    out = {}
    for key, value in msgspec.structs.asdict(struct).items():
        if value is UNSET:
            continue
        if isinstance(value, list):
            value = [msgspec.structs.asdict(v) if isinstance(v, Struct) else v for v in value]
        elif isinstance(value, Struct):
            value = msgspec.structs.asdict(value)
        out[rename.get(key, key)] = value
    return out


class Page(Struct):
    limit: int
    offset: int
    next_offset: int | None


# ---------------------------------------------------------------- offices & courts


class ReminderPolicy(Base):
    days_before: Annotated[list[Annotated[int, Meta(ge=0, le=60)]], Meta(max_length=10)] = msgspec.field(
        default_factory=lambda: [7, 3, 1])
    quiet_start: Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "21:00"
    quiet_end: Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "07:00"


class OfficeCreate(Base):
    name: Name
    country: Country
    timezone: Timezone
    phone: Phone | None = None
    sms_sender_name: Annotated[str, Meta(max_length=64, pattern=TEXT)] | None = None
    reminder_policy: ReminderPolicy | None = None


class OfficeUpdate(Base):
    name: Name | UnsetType = UNSET
    country: Country | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    sms_sender_name: Annotated[str, Meta(max_length=64, pattern=TEXT)] | None | UnsetType = UNSET
    reminder_policy: ReminderPolicy | None | UnsetType = UNSET


class OfficeRead(Struct):
    id: int
    name: str
    country: str
    timezone: str
    phone: str | None
    sms_sender_name: str | None
    reminder_policy: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class OfficeList(Page):
    items: list[OfficeRead]


class CourtCreate(Base):
    name: Name
    timezone: Timezone
    address: ShortText = ""
    office_id: Id | None = None


class CourtUpdate(Base):
    name: Name | UnsetType = UNSET
    timezone: Timezone | UnsetType = UNSET
    address: ShortText | UnsetType = UNSET
    office_id: Id | None | UnsetType = UNSET


class CourtRead(Struct):
    id: int
    name: str
    address: str
    timezone: str
    office_id: int | None
    created_at: datetime
    updated_at: datetime


class CourtList(Page):
    items: list[CourtRead]


# ---------------------------------------------------------------- staff

Password = Annotated[str, Meta(min_length=10, max_length=200)]


class StaffCreate(Base):
    name: Name
    email: Email
    role: Role
    office_id: Id | None = None
    phone: Phone | None = None
    language: Language = "en"
    password: Password | None = None


class StaffUpdate(Base):
    name: Name | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    role: Role | UnsetType = UNSET
    office_id: Id | None | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    password: Password | UnsetType = UNSET


class StaffRead(Struct):
    id: int
    name: str
    email: str
    role: str
    office_id: int | None
    phone: str | None
    language: str
    active: bool
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime


class StaffList(Page):
    items: list[StaffRead]


# ---------------------------------------------------------------- survivors & contacts

Relationship = Annotated[str, Meta(min_length=1, max_length=64, pattern=TEXT)]
Code = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")]
BirthYear = Annotated[int, Meta(ge=1900, le=2100)]


class SurvivorCreate(Base):
    code: Code | None = None
    legal_name: Name | None = None
    birth_year: BirthYear | None = None
    birth_date: date | None = None
    language: Language = "en"
    office_id: Id | None = None


class SurvivorUpdate(Base):
    code: Code | UnsetType = UNSET
    legal_name: Name | None | UnsetType = UNSET
    birth_year: BirthYear | None | UnsetType = UNSET
    birth_date: date | None | UnsetType = UNSET
    language: Language | UnsetType = UNSET


class SurvivorRead(Struct):
    id: int
    code: str
    legal_name: str | None
    legal_name_recorded: bool
    birth_year: int | None
    birth_date: date | None
    language: str
    office_id: int
    created_at: datetime
    updated_at: datetime


class SurvivorList(Page):
    items: list[SurvivorRead]


class ContactCreate(Base):
    name: Name
    relationship: Relationship
    phone: Phone
    language: Language = "en"
    timezone: Timezone | None = None
    sms_consent: bool = False


class ContactUpdate(Base):
    name: Name | UnsetType = UNSET
    relationship: Relationship | UnsetType = UNSET
    phone: Phone | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    timezone: Timezone | None | UnsetType = UNSET
    sms_consent: bool | UnsetType = UNSET


class ContactRead(Struct):
    id: int
    survivor_id: int
    name: str
    relationship: str
    phone: str | None
    language: str
    timezone: str | None
    sms_consent: bool
    sms_consent_at: datetime | None
    sms_consent_withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactList(Page):
    items: list[ContactRead]


# ---------------------------------------------------------------- cases


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


class CaseUpdate(Base):
    reference: Reference | UnsetType = UNSET
    court_case_number: Reference | None | UnsetType = UNSET
    court_id: Id | None | UnsetType = UNSET
    offence_category: OffenceCategory | UnsetType = UNSET
    status: CaseStatus | UnsetType = UNSET
    outcome: CaseOutcome | None | UnsetType = UNSET
    sentence: ShortText | None | UnsetType = UNSET
    sentence_months: Annotated[int, Meta(ge=0, le=2000)] | None | UnsetType = UNSET
    charged_on: date | None | UnsetType = UNSET
    judgment_on: date | None | UnsetType = UNSET
    closed_on: date | None | UnsetType = UNSET
    staff_ids: IdList | UnsetType = UNSET
    survivor_ids: IdList | UnsetType = UNSET
    survivors: Annotated[list[CaseSurvivorIn], Meta(max_length=50)] | UnsetType = UNSET
    accused: Annotated[list[AccusedIn], Meta(max_length=50)] | UnsetType = UNSET


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


class HearingUpdate(Base):
    kind: HearingKind | UnsetType = UNSET
    court_id: Id | UnsetType = UNSET
    courtroom: Courtroom | UnsetType = UNSET
    duration_minutes: Minutes | UnsetType = UNSET
    survivor_attends: bool | UnsetType = UNSET
    survivor_testifies: bool | UnsetType = UNSET
    family_attends: bool | UnsetType = UNSET
    staff_ids: IdList | UnsetType = UNSET
    what_to_bring: ShortText | UnsetType = UNSET
    notes: LongText | UnsetType = UNSET
    starts_at: AwareDatetime | UnsetType = UNSET


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
    # SMS reminders of this hearing, counted by status (legal_tracker.reminders.service).
    reminder_summary: dict[str, int] | None = None


class HearingList(Page):
    items: list[HearingRead]
    # Keyset paging: pass it back as ``cursor`` for the next page (fast at any depth).
    next_cursor: str | None = None


Reason = Annotated[str, Meta(min_length=1, max_length=500, pattern=TEXT)]
AdjournmentReason = Literal[
    "accused_absent", "prosecutor_not_ready", "witness_absent", "court_did_not_sit",
    "defence_application", "interpreter_unavailable", "other",
]


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


# ---------------------------------------------------------------- auth & misc


class LoginIn(Base):
    email: Annotated[str, Meta(min_length=1, max_length=254, pattern=TEXT)]
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class LoginOut(Struct):
    token: str
    expires_at: datetime
    staff_id: int


class Health(Struct):
    status: str


HearingStatusFilter = HearingStatus
