"""The demo's casework, seeded after the organisation and its cases in the same transaction
(:func:`legal_tracker.demo.seed_demo`): statements, identity
documents with chains of custody, immigration applications at several milestones and
deadlines entered by hand, so that the outcome reports and the deadline list show real numbers.

Everything goes through the casework services (encrypted, audited, validated). Deterministic
(a seeded generator; dates relative to the ``now`` it is given) and idempotent: if any
statement exists the casework data is taken to be there and nothing is added.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker.access import Actor
from legal_tracker.cases.tables import Case, CaseStaff, CaseSurvivor
from legal_tracker.casework import deadlines, identity_documents, immigration, statements
from legal_tracker.casework.tables import Statement
from legal_tracker.organisation.tables import Staff

RANDOM_SEED = 4242
KEYS = ("statements", "identity_documents", "custody_entries", "immigration_applications",
        "deadlines")
# How far a case has gone, in the order of CASE_STATUSES.
_PROGRESS = {"investigation": 0, "charged": 1, "trial": 2, "judgment": 3, "sentencing": 4,
             "appeal": 5, "closed": 6}


async def seed_casework(summary: dict[str, Any], now: datetime) -> None:
    """Inside the caller's transaction (:func:`legal_tracker.demo.seed_demo`)."""
    for key in KEYS:
        summary.setdefault(key, 0)
    if await Statement.exists():
        return
    admin = await Staff.select(Staff.id, Staff.name).where(
        (Staff.role == "admin") & Staff.office.is_null()).order_by(Staff.id).first()
    cases = await Case.select(Case.id, Case.status, Case.office, Case.created_at,
                              Case.office.timezone.as_alias("tz"),
                              Case.office.country.as_alias("country")).order_by(Case.id)
    if admin is None or not cases:
        return
    actor = Actor(admin["id"], "admin", None, admin["name"])
    seeder = _Seeder(actor, random.Random(RANDOM_SEED), now, summary)  # noqa: S311 - demo data
    for n, case in enumerate(cases):
        await seeder.case(n, case)


class _Seeder:
    def __init__(self, actor: Actor, rng: random.Random, now: datetime, summary: dict[str, Any]) -> None:
        self.actor, self.rng, self.now, self.summary = actor, rng, now, summary
        self.documented: set[int] = set()

    def today(self, tz: str) -> date:
        return self.now.astimezone(ZoneInfo(tz)).date()

    def at(self, day: date, tz: str, hour: int = 10) -> datetime:
        moment = datetime.combine(day, time(hour), ZoneInfo(tz))
        return min(moment, self.now - timedelta(hours=1)).astimezone(UTC)

    async def case(self, n: int, case: dict[str, Any]) -> None:
        rng, tz = self.rng, case["tz"]
        progress = _PROGRESS.get(case["status"], 0)
        survivors = [r["survivor"] for r in await CaseSurvivor.select(CaseSurvivor.survivor).where(
            CaseSurvivor.case == case["id"]).order_by(CaseSurvivor.survivor)]
        staff = [r["staff"] for r in await CaseStaff.select(CaseStaff.staff).where(
            CaseStaff.case == case["id"]).order_by(CaseStaff.staff)]
        opened = case["created_at"].astimezone(ZoneInfo(tz)).date()
        today = self.today(tz)
        if not survivors:
            return
        main = survivors[0]
        # ---- statements: a police statement once charged, more as the trial goes on
        plan: list[tuple[str, str]] = [("police_statement", "taken" if progress else "planned")]
        if progress >= 1:
            plan.append(("forensic_interview", "taken") if n % 3 == 0 else ("witness_statement", "filed"))
        if progress >= 2:
            plan.append(("affidavit", "filed"))
        if progress >= 4:
            plan.append(("victim_impact_statement", "filed" if progress >= 5 else "taken"))
        if progress == 2 and n % 2 == 0:
            plan.append(("witness_statement", "planned"))
        for i, (kind, status) in enumerate(plan):
            interpreter = n % 4 == 1
            body: dict[str, Any] = {
                "kind": kind, "survivor": main, "status": status,
                "taken_by": ("Investigating officer (demo)" if kind == "police_statement"
                             else "Prosecutor (demo)"),
                "taken_by_staff": staff[1] if len(staff) > 1 and kind == "forensic_interview" else None,
                "language": "sw" if tz == "Africa/Nairobi" else "tl",
                "interpreter_name": "Court interpreter (demo)" if interpreter else None,
                "interpreter_language": ("sw" if tz == "Africa/Nairobi" else "tl") if interpreter else None,
                "support_person_present": kind != "affidavit",
                "support_person": "Aftercare case manager (demo)" if kind != "affidavit" else None,
                "video_recorded": kind == "forensic_interview",
                "location": "Police station" if kind == "police_statement" else "Prosecutor's office",
            }
            if status != "planned":
                day = min(opened + timedelta(days=7 + 30 * i), today - timedelta(days=1))
                body["taken_at"] = self.at(day, tz)
            await statements.create_statement(self.actor, case["id"], body)
            self.summary["statements"] += 1
        # ---- identity documents: every other case's survivor had papers taken
        if n % 2 == 0 and main not in self.documented:
            self.documented.add(main)
            await self.document(n, case, main, progress, opened, today)
        # ---- immigration: foreign survivors in a few cases, at different milestones
        if n % 4 == 2:
            await self.visa(n // 4, case, main, today)
        # ---- deadlines entered by hand
        if progress in (1, 2, 3) and n % 2 == 1:
            await deadlines.create_deadline(self.actor, case["id"], {
                "due_on": today + timedelta(days=rng.randint(2, 40)), "kind": "filing",
                "title": rng.choice(["File written submissions", "File witness list",
                                     "Serve the victim impact statement", "File the bail objection"]),
                "what_to_do": "Draft from the filing templates, have it signed and file it at the registry."})
            self.summary["deadlines"] += 1

    async def document(self, n: int, case: dict[str, Any], survivor: int, progress: int,
                       opened: date, today: date) -> None:
        tz, rng = case["tz"], self.rng
        kind = ["passport", "national_id", "birth_certificate", "work_permit"][n % 4]
        country = case["country"] if kind != "work_permit" else ("AE" if n % 3 else "SA")
        # A few expire soon, so they appear as deadlines.
        expires = today + timedelta(days=rng.choice([45, 75, 400, 900, 1500]))
        doc = await identity_documents.create_document(self.actor, survivor, {
            "kind": kind, "issuing_country": country, "status": "withheld",
            "number": f"DEMO{rng.randint(1000000, 9999999)}", "expires_on": expires, "case": case["id"],
            "notes": "Kept by the employer (demo).",
        })
        self.summary["identity_documents"] += 1
        hands = [("Employer (demo)", "DCI anti-trafficking unit", "seized as evidence in a raid",
                  "Police exhibits store", "seized_as_evidence")]
        if progress >= 2:
            hands.append(("DCI anti-trafficking unit", "Court registry", "produced as an exhibit",
                          "Court exhibits room", "in_custody"))
        if progress >= 3:
            hands.append(("Court registry", "Aftercare organisation (demo)", "released after judgment",
                          "Organisation safe", "recovered"))
        if progress >= 5:
            hands.append(("Aftercare organisation (demo)", "Survivor", "returned to the survivor",
                          "Survivor's home", "returned"))
        start = opened + timedelta(days=3)
        span = max((today - start).days - 2, len(hands))
        for i, (released, received, purpose, place, status) in enumerate(hands):
            day = start + timedelta(days=span * i // len(hands))
            await identity_documents.append_custody(self.actor, doc["id"], {
                "at": self.at(day, tz, 11), "released_by": released, "received_by": received,
                "purpose": purpose, "location": place, "resulting_status": status})
            self.summary["custody_entries"] += 1

    async def visa(self, k: int, case: dict[str, Any], survivor: int, today: date) -> None:
        d = today
        specs: list[dict[str, Any]] = [
            # T visa filed, request for evidence due in three weeks.
            {"kind": "t_visa", "jurisdiction": "US", "prepared_on": d - timedelta(days=240),
             "filed_on": d - timedelta(days=220), "receipt_on": d - timedelta(days=200),
             "receipt_number": "EAC-DEMO-0001", "biometrics_on": d - timedelta(days=150),
             "rfe_received_on": d - timedelta(days=40), "rfe_due_on": d + timedelta(days=21),
             "bona_fide_on": d - timedelta(days=90)},
            # U visa: certification signed five months ago, petition not yet filed.
            {"kind": "u_visa", "jurisdiction": "US", "prepared_on": d - timedelta(days=100),
             "certification_requested_on": d - timedelta(days=170),
             "certification_signed_on": d - timedelta(days=155)},
            # Continued presence granted.
            {"kind": "continued_presence", "jurisdiction": "US", "filed_on": d - timedelta(days=300),
             "decision_on": d - timedelta(days=200), "outcome": "approved"},
            # UK NRM: positive reasonable grounds, conclusive grounds awaited.
            {"kind": "uk_nrm", "jurisdiction": "GB", "filed_on": d - timedelta(days=120),
             "reasonable_grounds_on": d - timedelta(days=115), "reasonable_grounds_outcome": "positive"},
            # Canada TRP decided; a U visa filed late with a stale certification and decided.
            {"kind": "canada_trp", "jurisdiction": "CA", "filed_on": d - timedelta(days=400),
             "biometrics_on": d + timedelta(days=9), "decision_on": None},
            {"kind": "u_visa", "jurisdiction": "US", "certification_signed_on": d - timedelta(days=700),
             "filed_on": d - timedelta(days=450), "receipt_on": d - timedelta(days=430),
             "receipt_number": "LIN-DEMO-0002", "decision_on": d - timedelta(days=30), "outcome": "denied"},
            {"kind": "t_visa", "jurisdiction": "US", "filed_on": d - timedelta(days=500),
             "decision_on": d - timedelta(days=60), "outcome": "approved"},
        ]
        for spec in (specs[k % len(specs)], specs[(k + 3) % len(specs)]):
            body = {key: value for key, value in spec.items() if value is not None}
            body["case"] = case["id"]
            await immigration.create_application(self.actor, survivor, body)
            self.summary["immigration_applications"] += 1
