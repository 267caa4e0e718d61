"""The web app's survivor and statements pages (issue 12).

* ``statement.version``: rises with every change, so an update made from a page that was read
  before someone else's change answers 409 instead of overwriting it (as a hearing's does).
* ``contact.sms_consent_by`` / ``contact.sms_consent_via``: who recorded the last consent
  change (a member of staff, or nobody when the family replied STOP or START by SMS) and how,
  so the survivor page can say "withdrawn on 3 Dec by Grace" without searching the audit log.
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect


def statements(d: Dialect) -> list[str]:
    return [
        "ALTER TABLE statement ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        f"ALTER TABLE contact ADD COLUMN sms_consent_by {d.fk('staff', 'SET NULL')}",
        "ALTER TABLE contact ADD COLUMN sms_consent_via VARCHAR(32)",
    ]
