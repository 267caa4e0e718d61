"""The fixed vocabularies of the domain, shared by services, schemas and the seed data."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["admin", "lawyer", "caseworker", "viewer"]
CaseStatus = Literal[
    "investigation", "charged", "trial", "judgment", "sentencing", "appeal", "closed"
]
CaseOutcome = Literal[
    "convicted", "partly_convicted", "acquitted", "dismissed", "withdrawn", "plea_agreement",
    "other",
]
OffenceCategory = Literal[
    "sex_trafficking", "labour_trafficking", "child_sexual_exploitation",
    "online_sexual_exploitation", "sexual_abuse", "forced_marriage", "other",
]
AccusedStatus = Literal[
    "at_large", "arrested", "remanded", "on_bail", "convicted", "acquitted", "discharged",
]
SurvivorRole = Literal["complainant", "witness"]
HearingKind = Literal[
    "mention", "plea", "bail", "pre_trial", "testimony", "judgment", "sentencing", "appeal",
]
HearingStatus = Literal["scheduled", "held", "adjourned", "cancelled"]
AdjournmentReason = Literal[
    "accused_absent", "prosecutor_not_ready", "witness_absent", "court_did_not_sit",
    "defence_application", "interpreter_unavailable", "other",
]

ROLES: tuple[str, ...] = get_args(Role)
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)
HEARING_KINDS: tuple[str, ...] = get_args(HearingKind)
HEARING_STATUSES: tuple[str, ...] = get_args(HearingStatus)
ADJOURNMENT_REASONS: tuple[str, ...] = get_args(AdjournmentReason)
OFFENCE_CATEGORIES: tuple[str, ...] = get_args(OffenceCategory)
ACCUSED_STATUSES: tuple[str, ...] = get_args(AccusedStatus)

MAX_ID = 2_147_483_647  # PostgreSQL INTEGER: larger ids cannot exist, so they are "not found"
