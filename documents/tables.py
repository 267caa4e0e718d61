"""Tables of the documents area: uploaded filing templates and drafted filings.

``legal_tracker.db`` binds every imported table; :func:`register` (called by
:func:`api.bootstrap.bootstrap_application`) registers the encrypted columns for
``legal-tracker rotate-key``.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from documents.storage import FILE_KEY_CONTEXT
from legal_tracker.cases.tables import Case, Hearing, Survivor
from legal_tracker.key_rotation import EncryptedColumn, register_encrypted_column
from legal_tracker.organisation.tables import Court, Staff


class FilingTemplate(Table, tablename="filing_template"):
    """One version of an organisation's template; a new upload of a key adds a version."""

    id = Serial(primary_key=True)
    template_key = Varchar(length=64)
    version = Integer()
    title = Varchar(length=200)
    description = Text(default="")
    sha256 = Varchar(length=64)  # of the .docx; its bytes are template_blob's row of this digest
    size_bytes = Integer()
    required = JSON(default="[]")  # variable names, as found at upload
    optional = JSON(default="[]")
    uploaded_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class Filing(Table, tablename="filing"):
    """A drafted filing. The .docx is stored encrypted with its own random key
    (``file_key_enc``, sealed with the installation key) in ``filing_blob``; ``stored_name``
    is the SHA-256 of the encrypted bytes (checked on every read)."""

    id = Serial(primary_key=True)
    case = ForeignKey(references=Case, null=False, on_delete=OnDelete.restrict)
    version = Integer()  # per case and template key: regenerating adds a version
    template_key = Varchar(length=64)
    template_version = Integer()
    template_sha256 = Varchar(length=64)
    template_title = Varchar(length=200)
    hearing = ForeignKey(references=Hearing, null=True, default=None, on_delete=OnDelete.set_null)
    survivor = ForeignKey(references=Survivor, null=True, default=None, on_delete=OnDelete.set_null)
    court = ForeignKey(references=Court, null=True, default=None, on_delete=OnDelete.set_null)
    field_names = JSON(default="[]")
    fields_enc = Text(null=True, default=None)  # the typed values, JSON, encrypted
    legal_name_revealed = Boolean(default=False)
    author = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    locale = Varchar(length=16, default="en")
    drafted_on = Date()
    sha256 = Varchar(length=64)  # of the .docx as downloaded
    size_bytes = Integer()
    stored_name = Varchar(length=80)
    file_key_enc = Text()
    created_at = Timestamptz()


class TemplateBlob(Table, tablename="template_blob"):
    """An uploaded template's .docx, once per content digest (see documents.storage)."""

    sha256 = Varchar(length=64, primary_key=True)
    content = Bytea()
    size_bytes = Integer()
    created_at = Timestamptz()


class FilingBlob(Table, tablename="filing_blob"):
    """A filing's encrypted .docx (format docx, version 1) and PDFs made from it (format pdf,
    one row per version), sealed with the filing's own key (see documents.storage)."""

    id = Serial(primary_key=True)
    filing = ForeignKey(references=Filing, null=False, on_delete=OnDelete.cascade)
    format = Varchar(length=8)
    version = Integer()
    sha256 = Varchar(length=64)  # of the plain bytes
    size_bytes = Integer()
    content = Bytea()
    created_at = Timestamptz()


FIELDS_CONTEXT = "filing.fields"

ENCRYPTED_COLUMNS = (
    EncryptedColumn("filing", "fields_enc", FIELDS_CONTEXT),
    EncryptedColumn("filing", "file_key_enc", FILE_KEY_CONTEXT),
)


def register() -> None:
    for column in ENCRYPTED_COLUMNS:
        register_encrypted_column(column)
