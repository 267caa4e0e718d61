"""Offices, courts and staff."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from api.schemas.common import (
    TEXT,
    Base,
    Country,
    Email,
    Id,
    Language,
    Name,
    Page,
    Phone,
    ShortText,
    Timezone,
    update_of,
)
from legal_tracker.domain import Role


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
    # The language filings are drafted in (BCP 47); a filing may ask for another.
    language: Language = "en"


@update_of(OfficeCreate)
class OfficeUpdate(Base):
    pass


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
    language: str = "en"


class OfficeList(Page):
    items: list[OfficeRead]


class CourtCreate(Base):
    name: Name
    timezone: Timezone
    address: ShortText = ""
    office_id: Id | None = None


@update_of(CourtCreate)
class CourtUpdate(Base):
    pass


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

# Length and strength are judged by legal_tracker.accounts.passwords, which says why in words.
Password = Annotated[str, Meta(min_length=1, max_length=200)]


class StaffCreate(Base):
    name: Name
    email: Email
    role: Role
    office_id: Id | None = None
    phone: Phone | None = None
    language: Language = "en"
    password: Password | None = None


@update_of(StaffCreate)
class StaffUpdate(Base):
    active: bool | UnsetType = UNSET
    # A password cannot be cleared, only replaced.
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

