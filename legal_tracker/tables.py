"""Core tables: the organisation, its people, survivors and their families, cases and hearings.

The schema itself is created by the hand-written migrations in ``legal_tracker/migrations``;
these classes describe it for queries. ``tests/test_migrations.py`` checks the two agree on
both engines. Columns ending in ``_enc`` hold ciphertext from :mod:`legal_tracker.crypto`.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    M2M,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.m2m import LazyTableReference
from piccolo.table import Table


class Office(Table, tablename="office"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    country = Varchar(length=2)
    timezone = Varchar(length=64)
    phone = Varchar(length=32, null=True, default=None)
    sms_sender_name = Varchar(length=64, null=True, default=None)
    reminder_policy = JSON(default="{}")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Court(Table, tablename="court"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    address = Varchar(length=500, default="")
    timezone = Varchar(length=64)
    office = ForeignKey(references=Office, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Staff(Table, tablename="staff"):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    email = Varchar(length=254, unique=True)
    role = Varchar(length=16)
    office = ForeignKey(references=Office, null=True, default=None, on_delete=OnDelete.restrict)
    phone_enc = Text(null=True, default=None)
    language = Varchar(length=16, default="en")
    password_hash = Text(null=True, default=None)
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Survivor(Table, tablename="survivor"):
    id = Serial(primary_key=True)
    office = ForeignKey(references=Office, null=False, on_delete=OnDelete.restrict)
    code = Varchar(length=32)
    legal_name_enc = Text(null=True, default=None)
    birth_year = Integer(null=True, default=None)
    birth_date = Date(null=True, default=None)
    language = Varchar(length=16, default="en")
    created_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Contact(Table, tablename="contact"):
    id = Serial(primary_key=True)
    survivor = ForeignKey(references=Survivor, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    relationship = Varchar(length=64)
    phone_enc = Text(null=True, default=None)
    phone_index = Varchar(length=64, null=True, default=None, index=True)
    language = Varchar(length=16, default="en")
    timezone = Varchar(length=64, null=True, default=None)
    sms_consent_at = Timestamptz(null=True, default=None)
    sms_consent_withdrawn_at = Timestamptz(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Case(Table, tablename="legal_case"):
    id = Serial(primary_key=True)
    office = ForeignKey(references=Office, null=False, on_delete=OnDelete.restrict)
    court = ForeignKey(references=Court, null=True, default=None, on_delete=OnDelete.restrict)
    reference = Varchar(length=64)
    court_case_number = Varchar(length=64, null=True, default=None)
    offence_category = Varchar(length=48, default="other")
    status = Varchar(length=16, default="investigation")
    outcome = Varchar(length=24, null=True, default=None)
    sentence = Text(null=True, default=None)
    sentence_months = Integer(null=True, default=None)
    charged_on = Date(null=True, default=None)
    judgment_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    created_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CaseStaff(Table, tablename="case_staff"):
    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.cascade)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)


class CaseSurvivor(Table, tablename="case_survivor"):
    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.cascade)
    survivor = ForeignKey(references=Survivor, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=16, default="complainant")


class Accused(Table, tablename="accused"):
    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    status = Varchar(length=16, default="at_large")


class Hearing(Table, tablename="hearing"):
    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.restrict)
    court = ForeignKey(references=Court, null=False, on_delete=OnDelete.restrict)
    courtroom = Varchar(length=64, default="")
    starts_at = Timestamptz()
    duration_minutes = Integer(default=120)
    kind = Varchar(length=16)
    status = Varchar(length=16, default="scheduled")
    survivor_attends = Boolean(default=False)
    survivor_testifies = Boolean(default=False)
    family_attends = Boolean(default=False)
    what_to_bring = Text(default="")
    notes = Text(default="")
    outcome_notes = Text(null=True, default=None)
    next_steps = Text(null=True, default=None)
    adjournment_reason = Varchar(length=32, null=True, default=None)
    adjournment_note = Text(null=True, default=None)
    cancel_reason = Text(null=True, default=None)
    adjourned_to = Integer(null=True, default=None)
    adjourned_from = Integer(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    staff = M2M(LazyTableReference("HearingStaff", module_path=__name__))


class HearingStaff(Table, tablename="hearing_staff"):
    id = Serial(primary_key=True)
    hearing = ForeignKey(references=Hearing, null=False, on_delete=OnDelete.cascade)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)


class HearingHistory(Table, tablename="hearing_history"):
    """What happened to a hearing and why: every reschedule, adjournment, cancellation,
    outcome and change, with the time it had before."""

    id = Serial(primary_key=True)
    hearing = ForeignKey(references=Hearing, null=False, on_delete=OnDelete.cascade)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    action = Varchar(length=24)
    version = Integer()
    from_starts_at = Timestamptz(null=True, default=None)
    to_starts_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=32, null=True, default=None)
    note = Text(null=True, default=None)


class AuthToken(Table, tablename="auth_token"):
    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    last_used_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    action = Varchar(length=48)
    entity = Varchar(length=48)
    entity_id = Varchar(length=64, null=True, default=None)
    office = Integer(null=True, default=None)
    ip = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=256, null=True, default=None)
    detail = JSON(default="{}")
