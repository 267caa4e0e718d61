"""Start-up of the whole application: the domain core, then the outer packages.

Called by the application factory and by the command line before they touch the database;
idempotent. Dependencies point inwards (api -> calendars, documents -> legal_tracker), so the
registrations of the outer packages are made here rather than by the core.
"""

from __future__ import annotations

import calendars.tables
import documents.service
import documents.tables
from legal_tracker.bootstrap import bootstrap

# Imported for their table classes, which legal_tracker.db.bind binds with the core's.
OUTER_TABLE_MODULES = (calendars.tables, documents.tables)


def bootstrap_application() -> None:
    bootstrap()
    documents.tables.register()  # encrypted columns, for key rotation
    documents.service.register()  # filings in the case timeline
