"""Casework tables. The schema is created by ``legal_tracker/migrations/m0200_casework.py``.

``identity_document.number_enc`` holds ciphertext (``crypto.cipher()``, context
``identity_document.number``). ``custody_entry`` is append-only in the database itself.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from legal_tracker.cases.tables import Case, Survivor
from legal_tracker.organisation.tables import Staff


class Statement(Table, tablename="statement"):
    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.cascade)
    survivor = ForeignKey(references=Survivor, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=32)
    status = Varchar(length=16, default="planned")
    taken_at = Timestamptz(null=True, default=None)
    taken_by = Varchar(length=200, default="")
    taken_by_staff = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    language = Varchar(length=16, default="en")
    interpreter_name = Varchar(length=200, null=True, default=None)
    interpreter_language = Varchar(length=16, null=True, default=None)
    support_person_present = Boolean(default=False)
    support_person = Varchar(length=200, null=True, default=None)
    video_recorded = Boolean(default=False)
    location = Varchar(length=200, default="")
    notes = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # Rises with every change (m0670): an update applies only to the version read, else 409.
    version = Integer(default=1)


class IdentityDocument(Table, tablename="identity_document"):
    id = Serial(primary_key=True)
    survivor = ForeignKey(references=Survivor, null=False, on_delete=OnDelete.restrict)
    case = ForeignKey(references=Case, null=True, default=None, on_delete=OnDelete.set_null)
    kind = Varchar(length=24)
    issuing_country = Varchar(length=2)
    number_enc = Text(null=True, default=None)
    expires_on = Date(null=True, default=None)
    status = Varchar(length=24)
    notes = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CustodyEntry(Table, tablename="custody_entry"):
    """One hand-over of a document. Entries are never changed or removed; ``seq`` numbers
    them per document (unique, so two concurrent appends cannot fork the chain)."""

    id = Serial(primary_key=True)
    document = ForeignKey(references=IdentityDocument, null=False, on_delete=OnDelete.restrict)
    seq = Integer()
    at = Timestamptz()
    released_by = Varchar(length=200)
    received_by = Varchar(length=200)
    purpose = Varchar(length=500, default="")
    location = Varchar(length=200, default="")
    note = Text(default="")
    resulting_status = Varchar(length=24, null=True, default=None)
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz()


class ImmigrationApplication(Table, tablename="immigration_application"):
    id = Serial(primary_key=True)
    survivor = ForeignKey(references=Survivor, null=False, on_delete=OnDelete.restrict)
    case = ForeignKey(references=Case, null=True, default=None, on_delete=OnDelete.set_null)
    kind = Varchar(length=24)
    jurisdiction = Varchar(length=64, default="")
    receipt_number = Varchar(length=64, null=True, default=None)
    prepared_on = Date(null=True, default=None)
    filed_on = Date(null=True, default=None)
    receipt_on = Date(null=True, default=None)
    biometrics_on = Date(null=True, default=None)
    rfe_received_on = Date(null=True, default=None)
    rfe_due_on = Date(null=True, default=None)
    rfe_answered_on = Date(null=True, default=None)
    bona_fide_on = Date(null=True, default=None)
    reasonable_grounds_on = Date(null=True, default=None)
    reasonable_grounds_outcome = Varchar(length=16, null=True, default=None)
    conclusive_grounds_on = Date(null=True, default=None)
    conclusive_grounds_outcome = Varchar(length=16, null=True, default=None)
    decision_on = Date(null=True, default=None)
    outcome = Varchar(length=24, null=True, default=None)
    certification_requested_on = Date(null=True, default=None)
    certification_signed_on = Date(null=True, default=None)
    notes = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Deadline(Table, tablename="deadline"):
    """A deadline entered by hand (a filing date, a court-ordered submission)."""

    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=24, default="filing")
    due_on = Date()
    title = Varchar(length=200)
    what_to_do = Text(default="")
    done_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
