"""Cases and hearings: survivors and their families, prosecutions, accused, hearings and
their history.

The schema is created by the hand-written migrations in ``legal_tracker/migrations``;
these classes describe it for queries. Columns ending in ``_enc`` hold ciphertext.
"""

from __future__ import annotations

from piccolo.columns import (
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

from legal_tracker.organisation.tables import Court, Office, Staff


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
    # Who recorded the last consent change (m0670): a member of staff, or nobody when the
    # family replied STOP / START; ``sms_consent_via`` says how ("staff", "sms_stop_twilio").
    sms_consent_by = ForeignKey(references=Staff, null=True, default=None,
                                on_delete=OnDelete.set_null)
    sms_consent_via = Varchar(length=32, null=True, default=None)
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
    # The case's office, kept in step by triggers (m0643): office-scoped queries use its index.
    office = ForeignKey(references=Office, null=True, default=None, on_delete=OnDelete.restrict)
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
