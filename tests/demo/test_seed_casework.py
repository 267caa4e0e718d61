"""The casework demo data: added once with the core demo data, in its transaction, and enough
for the reports and the deadline list to show real numbers."""

from __future__ import annotations

from legal_tracker.access import Actor
from legal_tracker.casework.deadlines import upcoming_deadlines
from legal_tracker.casework.reports import outcome_report
from legal_tracker.casework.tables import (
    CustodyEntry,
    Deadline,
    IdentityDocument,
    ImmigrationApplication,
    Statement,
)
from legal_tracker.demo import CASEWORK_KEYS as KEYS
from legal_tracker.demo import seed_demo

TABLES = {"statements": Statement, "identity_documents": IdentityDocument, "custody_entries": CustodyEntry,
          "immigration_applications": ImmigrationApplication, "deadlines": Deadline}


async def _counts() -> dict[str, int]:
    return {key: await table.count() for key, table in TABLES.items()}


async def test_seed_casework_once_with_real_numbers(database):
    summary = await seed_demo()
    counts = await _counts()
    assert {k: summary[k] for k in KEYS} == counts
    assert counts["statements"] >= 60 and counts["identity_documents"] >= 10
    assert counts["custody_entries"] > counts["identity_documents"]
    assert counts["immigration_applications"] >= 10 and counts["deadlines"] >= 3

    again = await seed_demo()
    assert not any(again.values()) and await _counts() == counts

    admin = Actor(1, "admin", None)
    report = await outcome_report(admin)
    assert report["statements"]["taken"] > 30
    assert report["documents"]["recovered"] > 0 and report["documents"]["returned"] > 0
    assert report["immigration"]["decisions"] > 0 and report["immigration"]["pending"] > 0
    assert report["hearings"]["adjourned"] >= 20 and 0 < report["hearings"]["adjournment_rate"] < 1
    assert report["convictions"]["count"] > 0 and report["convictions"]["sentence_median_months"]
    assert report["charge_to_judgment"]["median_days"] > 0
    assert 0 < report["accompaniment"]["coverage"] <= 1
    kinds = {d["kind"] for d in await upcoming_deadlines(admin, within_days=60)}
    assert {"rfe_answer", "certification_expiry", "document_expiry", "filing"} <= kinds
