"""The fixed vocabularies of casework, shared by services, schemas and the demo data."""

from __future__ import annotations

from typing import Literal, get_args

StatementKind = Literal[
    "police_statement", "witness_statement", "affidavit", "victim_impact_statement",
    "forensic_interview",
]
StatementStatus = Literal["planned", "taken", "signed", "filed"]
DocumentKind = Literal["passport", "national_id", "birth_certificate", "work_permit", "other"]
DocumentStatus = Literal[
    "withheld", "seized_as_evidence", "in_custody", "recovered", "returned",
    "replacement_requested", "replaced", "lost",
]
ImmigrationKind = Literal["t_visa", "u_visa", "continued_presence", "uk_nrm", "canada_trp", "other"]
ImmigrationOutcome = Literal["approved", "denied", "withdrawn", "other"]
GroundsOutcome = Literal["positive", "negative"]
DeadlineKind = Literal["filing", "submission", "court_order", "other"]

STATEMENT_KINDS: tuple[str, ...] = get_args(StatementKind)
STATEMENT_STATUSES: tuple[str, ...] = get_args(StatementStatus)
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
DOCUMENT_STATUSES: tuple[str, ...] = get_args(DocumentStatus)
IMMIGRATION_KINDS: tuple[str, ...] = get_args(ImmigrationKind)
IMMIGRATION_OUTCOMES: tuple[str, ...] = get_args(ImmigrationOutcome)

# Statements move forward only: planned -> taken -> signed -> filed (a step may be skipped).
STATEMENT_FLOW = {"planned": {"planned", "taken", "signed", "filed"},
                  "taken": {"taken", "signed", "filed"}, "signed": {"signed", "filed"},
                  "filed": {"filed"}}
# Outcomes that count as a conviction in the reports.
CONVICTIONS = ("convicted", "partly_convicted", "plea_agreement")
