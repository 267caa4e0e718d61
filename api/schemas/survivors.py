"""Survivors and their family contacts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from msgspec import UNSET, Meta, Struct, UnsetType

from api.schemas.common import TEXT, Base, Id, Language, Name, Page, Phone, Timezone, update_of

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


@update_of(SurvivorCreate, exclude={"office_id"})
class SurvivorUpdate(Base):
    # A code is generated when none is given, and cannot be cleared.
    code: Code | UnsetType = UNSET


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


@update_of(ContactCreate)
class ContactUpdate(Base):
    pass


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
    sms_consent_by_staff_id: int | None  # who recorded the last change; None: by SMS reply
    sms_consent_via: str | None  # "staff", or the reply and provider, e.g. "sms_stop_twilio"
    created_at: datetime
    updated_at: datetime


class ContactList(Page):
    items: list[ContactRead]

