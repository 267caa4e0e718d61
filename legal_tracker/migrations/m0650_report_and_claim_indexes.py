"""Indexes for the outcome report and the reminder claim at a national network's size
(issue 15; measured with ``bench/bench_national.py``, figures in ``bench/README.md``).

* ``hearing_office_idx`` and ``legal_case_status_idx`` keep their keys (every query they
  served before, they serve now) and also carry the columns the outcome report counts: the
  report reads an office's hearings of a year and an office's cases from the index alone (an
  index-only scan on PostgreSQL, a covering index on SQLite) instead of visiting one table page
  per row. PostgreSQL stores them with ``INCLUDE``; SQLite, which has no ``INCLUDE``, as
  trailing key columns.
* ``reminder_pending_idx``: the reminders still to send, in the order the dispatcher claims
  them (``send_at, id``), and only those (a partial index: delivered, failed and sent ones,
  most of the table, are not in it). The claim reads the first due ones in that order and
  stops at its batch size, however many reminders the table holds.
"""

from __future__ import annotations

from legal_tracker.migrations import Dialect

HEARING_REPORT_COLUMNS = "court, status, adjournment_reason, survivor_testifies"
CASE_REPORT_COLUMNS = "outcome, judgment_on, closed_on, charged_on, sentence_months"


def statements(d: Dialect) -> list[str]:
    if d.name == "sqlite":
        hearing = f"(office, starts_at, id, {HEARING_REPORT_COLUMNS})"
        case = f"(office, status, {CASE_REPORT_COLUMNS})"
    else:
        hearing = f"(office, starts_at, id) INCLUDE ({HEARING_REPORT_COLUMNS})"
        case = f"(office, status) INCLUDE ({CASE_REPORT_COLUMNS})"
    return [
        "DROP INDEX hearing_office_idx",
        f"CREATE INDEX hearing_office_idx ON hearing {hearing}",
        "DROP INDEX legal_case_status_idx",
        f"CREATE INDEX legal_case_status_idx ON legal_case {case}",
        "CREATE INDEX reminder_pending_idx ON reminder (send_at, id) WHERE status = 'pending'",
    ]
