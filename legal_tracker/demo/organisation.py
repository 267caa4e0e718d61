"""The demo's organisation and its cases: offices, courts, staff, survivors, families, cases
and hearings (see :mod:`legal_tracker.demo` for the whole data set).

Two offices of a fictional organisation ("Demo Nairobi Office", Africa/Nairobi; "Demo Manila
Office", Asia/Manila), three courts each, staff of every role per office, 36 cases across every
status with accused persons, 230-odd hearings past and future with adjournment chains,
survivors with pseudonymous codes and invented legal names (marked "(fictional)"), families
with languages (sw, tl, en) and SMS consent.

Everything goes through the services, so it is encrypted, audited and consistent, and the
hearing lifecycle is the real one: hearings are created, rescheduled, held, cancelled and
adjourned by :mod:`legal_tracker.cases.hearings`. The services check the clock, so one step
is written directly: an adjournment from one past date to another past date (the service only
adjourns into the future), with the same rows and history the service writes. Afterwards the
timestamps of past events are set to when they happened (a hearing "held" three months ago
has its history entry three months ago), so history, versions and chains read as they would
in a live system.

Deterministic: a seeded random generator, and dates relative to the ``now`` it is given.
Closed cases were closed on a day that has come, after their last sitting. Reminders are
planned by the reminder hooks as the hearings and contacts are created, like any others.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker.access import Actor
from legal_tracker.cases import cases, hearings, survivors
from legal_tracker.cases.tables import Case, Contact, Hearing, HearingHistory, Survivor
from legal_tracker.common import to_utc
from legal_tracker.domain import ADJOURNMENT_REASONS
from legal_tracker.organisation import service as organisation

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, fictional data only
ADMIN_EMAIL = "admin@demo.example"
RANDOM_SEED = 2026

SUMMARY_KEYS = ("offices", "courts", "staff", "survivors", "contacts", "cases", "accused",
                "hearings", "adjourned")

OFFICES: list[dict[str, Any]] = [
    {
        "name": "Demo Nairobi Office", "country": "KE", "timezone": "Africa/Nairobi",
        "phone": "+254709000000", "sms_sender_name": "Demo Support", "slug": "nairobi",
        "prefix": "NRB", "languages": ["sw", "en"],
        "courts": [("Kibera Law Courts (demo)", "Kibera Drive, Nairobi"),
                   ("Milimani Law Courts (demo)", "Upper Hill, Nairobi"),
                   ("Mombasa Law Courts (demo)", "Nkrumah Road, Mombasa")],
        "phones": "+2547{:08d}",
        "given": ["Amani", "Baraka", "Neema", "Zawadi", "Imani", "Faraji", "Wanjiru", "Achieng",
                  "Mwende", "Kibet"],
        "family": ["Otieno", "Kamau", "Wambui", "Mutua", "Njoroge", "Akinyi", "Chebet", "Odhiambo",
                   "Kiprono", "Nyambura"],
    },
    {
        "name": "Demo Manila Office", "country": "PH", "timezone": "Asia/Manila",
        "phone": "+63287000000", "sms_sender_name": "Demo Support", "slug": "manila",
        "prefix": "MNL", "languages": ["tl", "en"],
        "courts": [("Manila RTC Branch 12 (demo)", "Padre Faura St, Ermita, Manila"),
                   ("Quezon City RTC (demo)", "Elliptical Road, Quezon City"),
                   ("Pasay City RTC (demo)", "F.B. Harrison St, Pasay")],
        "phones": "+63917{:07d}",
        "given": ["Maria", "Jose", "Ligaya", "Dalisay", "Tala", "Bayani", "Luningning", "Mayumi",
                  "Andres", "Rosario"],
        "family": ["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos",
                   "Villanueva", "Aquino"],
    },
]
STAFF_ROLES = [("admin", 1), ("lawyer", 2), ("caseworker", 3), ("viewer", 1)]
# Per office: how many cases of each status (18 per office, every status present).
CASE_MIX = [("investigation", 2), ("charged", 3), ("trial", 5), ("judgment", 2),
            ("sentencing", 2), ("appeal", 2), ("closed", 2)]
_PROCEEDINGS = ["mention", "plea", "pre_trial", "testimony", "testimony"]
# The hearings a case of each status has had (past) and has ahead (future).
STAGES: dict[str, tuple[list[str], list[str]]] = {
    "investigation": (["bail"], ["mention"]),
    "charged": (["mention", "plea"], ["pre_trial", "mention"]),
    "trial": (_PROCEEDINGS, ["testimony", "testimony"]),
    "judgment": ([*_PROCEEDINGS, "testimony"], ["judgment"]),
    "sentencing": ([*_PROCEEDINGS, "judgment"], ["sentencing"]),
    "appeal": ([*_PROCEEDINGS, "judgment", "sentencing"], ["appeal"]),
    "closed": ([*_PROCEEDINGS, "judgment", "sentencing"], []),
}
OFFENCES = ["sex_trafficking", "labour_trafficking", "child_sexual_exploitation",
            "online_sexual_exploitation", "sexual_abuse", "forced_marriage"]
REASONS = [reason for reason in ADJOURNMENT_REASONS if reason != "other"]
RELATIONSHIPS = ["mother", "aunt", "grandmother", "guardian", "father", "older sister"]


def demo_logins() -> list[str]:
    """What the command prints so that a newcomer can log in."""
    lines = [f"{ADMIN_EMAIL} (organisation-wide admin)"]
    for spec in OFFICES:
        for role, count in STAFF_ROLES:
            lines.extend(f"{role}{i + 1}.{spec['slug']}@demo.example ({role}, {spec['name']})"
                         for i in range(count))
    return lines


async def seed_organisation(summary: dict[str, int], now: datetime) -> None:
    """Inside the caller's transaction (:func:`legal_tracker.demo.seed_demo`)."""
    for key in SUMMARY_KEYS:
        summary.setdefault(key, 0)
    await _Seeder(random.Random(RANDOM_SEED), now, summary).run()  # noqa: S311 - demo data


def _weekday(day: date, forward: bool) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1 if forward else -1)
    return day


class _Seeder:
    def __init__(self, rng: random.Random, now: datetime, summary: dict[str, int]) -> None:
        self.rng = rng
        self.now = now
        self.summary = summary
        self.admin = Actor(0, "admin", None, "seed-demo")
        self.phone_counter = 0
        # When each seeded hearing was fixed, and when its past outcome was recorded.
        self.created_at: dict[int, datetime] = {}
        self.closed_at: dict[int, datetime] = {}
        self.opened: dict[str, list[tuple[int, datetime]]] = {"case": [], "survivor": [], "contact": []}
        self.last_sitting: date | None = None  # of the case being seeded

    def name(self, spec: dict[str, Any]) -> str:
        return f"{self.rng.choice(spec['given'])} {self.rng.choice(spec['family'])}"

    async def run(self) -> None:
        org_admin = await organisation.create_staff(self.admin, {
            "email": ADMIN_EMAIL, "name": "Demo Organisation Admin", "role": "admin", "office": None,
            "password": DEMO_PASSWORD,
        })
        self.admin = Actor(org_admin["id"], "admin", None, "Demo Organisation Admin")
        self.summary["staff"] += 1
        for spec in OFFICES:
            await self.office(spec)
        await self.backdate()

    async def office(self, spec: dict[str, Any]) -> None:
        office = await organisation.create_office(self.admin, {
            k: spec[k] for k in ("name", "country", "timezone", "phone", "sms_sender_name")})
        self.summary["offices"] += 1
        courts = []
        for name, address in spec["courts"]:
            court = await organisation.create_court(self.admin, {
                "name": name, "address": address, "timezone": spec["timezone"], "office": office["id"]})
            courts.append(court["id"])
            self.summary["courts"] += 1
        team: dict[str, list[int]] = {}
        for role, count in STAFF_ROLES:
            for i in range(count):
                staff = await organisation.create_staff(self.admin, {
                    "email": f"{role}{i + 1}.{spec['slug']}@demo.example",
                    "name": f"{self.name(spec)} (demo)", "role": role, "office": office["id"],
                    "password": DEMO_PASSWORD, "language": spec["languages"][i % 2],
                })
                team.setdefault(role, []).append(staff["id"])
                self.summary["staff"] += 1
        n = 0
        previous_survivor: int | None = None
        for status, count in CASE_MIX:
            for _ in range(count):
                previous_survivor = await self.case(spec, office["id"], courts, team, status, n,
                                                    previous_survivor)
                n += 1
        # Two families later withdrew their consent to SMS reminders.
        withdrawn = await Contact.select(Contact.id).where(
            Contact.survivor.office == office["id"]).where(Contact.sms_consent_at.is_not_null()
                                                          ).order_by(Contact.id).limit(2)
        for row in withdrawn:
            await survivors.update_contact(self.admin, row["id"], {"sms_consent": False})

    async def case(self, spec: dict[str, Any], office_id: int, courts: list[int],
                   team: dict[str, list[int]], status: str, n: int,
                   previous_survivor: int | None) -> int:
        rng = self.rng
        opened = self.now - timedelta(days=rng.randint(420, 900) if status != "investigation"
                                      else rng.randint(40, 120))
        links = []
        for _ in range(1 + (rng.random() < 0.35)):
            survivor = await survivors.create_survivor(self.admin, {
                "office": office_id, "code": f"{spec['prefix']}-{self.summary['survivors'] + 1:03d}",
                "legal_name": f"{self.name(spec)} (fictional)", "birth_year": rng.randint(2005, 2013),
                "language": rng.choice(spec["languages"]),
            })
            self.summary["survivors"] += 1
            self.opened["survivor"].append((survivor["id"], opened - timedelta(days=14)))
            links.append({"id": survivor["id"], "role": "complainant"})
            for relation in rng.sample(RELATIONSHIPS, 1 + (rng.random() < 0.5)):
                self.phone_counter += 1
                contact = await survivors.create_contact(self.admin, survivor["id"], {
                    "name": f"{self.name(spec)} (demo)", "relationship": relation,
                    "phone": spec["phones"].format(self.phone_counter * 7919 % 10_000_000),
                    "language": rng.choice(spec["languages"]), "timezone": spec["timezone"],
                    "sms_consent": rng.random() < 0.8,
                })
                self.opened["contact"].append((contact["id"], opened - timedelta(days=10)))
                self.summary["contacts"] += 1
        if previous_survivor is not None and n % 5 == 4:
            links.append({"id": previous_survivor, "role": "witness"})
        lawyer = team["lawyer"][n % len(team["lawyer"])]
        worker = team["caseworker"][n % len(team["caseworker"])]
        staff_ids = [lawyer, worker] + ([team["viewer"][0]] if n % 3 == 0 else [])
        year = opened.year
        accused_status = {
            "investigation": ["at_large", "arrested"], "charged": ["remanded", "on_bail"],
            "trial": ["remanded", "on_bail"], "judgment": ["remanded", "on_bail"],
        }.get(status, ["convicted"])
        acquitted = status == "closed" and n % 2 == 1
        case = await cases.create_case(self.admin, {
            "office": office_id, "court": courts[n % len(courts)],
            "reference": f"DEMO-{spec['prefix']}/{year}/{100 + n:03d}",
            "court_case_number": None if status == "investigation" else f"CR {1000 + n * 37}/{year}",
            "offence_category": OFFENCES[n % len(OFFENCES)], "status": status,
            "charged_on": None if status == "investigation" else (opened + timedelta(days=21)).date(),
            "staff_ids": staff_ids, "survivors": links,
            "accused": [{"name": f"{self.name(spec)} (fictional)",
                         "status": "acquitted" if acquitted else rng.choice(accused_status)}
                        for _ in range(1 + (rng.random() < 0.4))],
        })
        self.summary["cases"] += 1
        self.summary["accused"] += len(case["accused"])
        self.opened["case"].append((case["id"], opened))
        judgment_day = await self.hearings(spec, case, worker, lawyer, status)
        if judgment_day is not None:
            changes: dict[str, Any] = {"judgment_on": judgment_day,
                                       "outcome": "acquitted" if acquitted else "convicted"}
            if not acquitted and status in {"appeal", "closed"}:
                months = rng.choice([60, 120, 180, 240, 360])
                changes.update(sentence=f"{months // 12} years' imprisonment (demo)",
                               sentence_months=months)
            if status == "closed":
                # Closed about two months after judgment, but never on a day still to come,
                # and not before the last sitting (sentencing).
                today = self.now.astimezone(ZoneInfo(spec["timezone"])).date()
                closed_on = min(judgment_day + timedelta(days=60), today)
                changes["closed_on"] = max(closed_on, self.last_sitting or closed_on)
            await cases.update_case(self.admin, case["id"], changes)
        return links[0]["id"]

    def plan(self, status: str, zone: str) -> list[tuple[datetime, str, str]]:
        """(start, kind, fate) in time order; fate is held, adjourned, cancelled or scheduled.
        An adjourned hearing continues as the next entry, of the same kind."""
        rng = self.rng
        past_kinds, future_kinds = STAGES[status]
        past: list[tuple[str, str]] = []
        for kind in past_kinds:
            past.extend((kind, "adjourned") for _ in range(rng.choices([0, 1, 2], [55, 32, 13])[0]))
            past.append((kind, "cancelled" if kind == "mention" and rng.random() < 0.2 else "held"))
        future = [(kind, "scheduled") for kind in future_kinds]
        if future and past[-1][1] == "held" and rng.random() < 0.4:
            # Adjourned at the last sitting, to a date still ahead.
            past[-1] = (past[-1][0], "adjourned")
            future.insert(0, (past[-1][0], "scheduled"))
        today = self.now.astimezone(ZoneInfo(zone)).date()
        days: list[date] = []
        day = today - timedelta(days=rng.randint(3, 14))
        for _ in past:
            days.insert(0, _weekday(day, forward=False))
            day = days[0] - timedelta(days=rng.randint(14, 42))
        day = today + timedelta(days=rng.randint(5, 30))
        for _ in future:
            days.append(_weekday(day, forward=True))
            day = days[-1] + timedelta(days=rng.randint(21, 56))
        zoneinfo = ZoneInfo(zone)
        return [(datetime.combine(d, time(rng.choice([9, 10, 11, 14])), zoneinfo), kind, fate)
                for d, (kind, fate) in zip(days, past + future, strict=True)]

    def hearing_values(self, kind: str, start: datetime, worker: int, lawyer: int) -> dict[str, Any]:
        rng = self.rng
        attends = kind in {"testimony", "judgment", "sentencing", "plea"}
        staff = [worker, lawyer] if kind == "testimony" else [worker] if attends or rng.random() < 0.3 else []
        return {
            "starts_at": start, "kind": kind, "courtroom": f"Court {rng.randint(1, 9)}",
            "duration_minutes": rng.choice([60, 120, 180]) if kind == "testimony" else 60,
            "survivor_attends": attends, "survivor_testifies": kind == "testimony",
            "family_attends": attends and rng.random() < 0.6, "staff_ids": staff,
            "what_to_bring": "Summons letter and ID card" if kind == "testimony" else "",
        }

    async def hearings(self, spec: dict[str, Any], case: dict[str, Any], worker: int, lawyer: int,
                       status: str) -> date | None:
        """Plays the case's hearings through the services; returns the judgment day, if any."""
        rng = self.rng
        plan = self.plan(status, spec["timezone"])
        judgment_day = None
        self.last_sitting = None
        fixed_at = self.now - timedelta(days=900)
        current: dict[str, Any] | None = None
        for i, (start, kind, fate) in enumerate(plan):
            if current is None:  # not created by the previous hearing's adjournment
                values = self.hearing_values(kind, start, worker, lawyer)
                moved = start > self.now and rng.random() < 0.3
                if moved:  # first listed for another day, then rescheduled before it came
                    values["starts_at"] = start + timedelta(days=rng.choice([-7, 7, 14]))
                    if values["starts_at"] <= self.now:
                        values["starts_at"] = start + timedelta(days=7)
                current = await hearings.create_hearing(self.admin, case["id"], values)
                if moved:
                    current = await hearings.reschedule_hearing(
                        self.admin, current["id"], start, "court diary changed")
                self.summary["hearings"] += 1
                self.created_at[current["id"]] = max(fixed_at, start - timedelta(days=120))
            ends = to_utc(start) + timedelta(minutes=current["duration_minutes"])
            nxt = plan[i + 1] if i + 1 < len(plan) else None
            if fate == "held":
                await hearings.record_outcome(self.admin, current["id"], {
                    "outcome_notes": f"The {kind.replace('_', ' ')} proceeded as listed (demo).",
                    "next_steps": "Prepare the survivor and family for the next date." if nxt else None,
                })
                self.closed_at[current["id"]] = ends
                self.last_sitting = start.date()
                if kind == "judgment":
                    judgment_day = start.date()
            elif fate == "cancelled":
                await hearings.cancel_hearing(self.admin, current["id"], "vacated by the court (demo)")
                self.closed_at[current["id"]] = to_utc(start) - timedelta(days=2)
            elif fate == "adjourned":
                assert nxt is not None and nxt[1] == kind
                reason = rng.choice(REASONS)
                note = "Defence sought time to prepare (demo)." if reason == "defence_application" else None
                # An adjournment to a date that has also passed is recorded as of the day
                # it happened (the service's ``at``), through the same code.
                following = await hearings.adjourn_hearing(
                    self.admin, current["id"], nxt[0], reason, note,
                    at=None if nxt[0] > self.now else ends)
                self.summary["hearings"] += 1
                self.summary["adjourned"] += 1
                self.closed_at[current["id"]] = ends
                self.created_at[following["id"]] = ends
                fixed_at = ends
                current = following
                continue
            fixed_at = ends if fate == "held" else fixed_at
            current = None
        return judgment_day

    async def backdate(self) -> None:
        """Past events get the time they happened, so history reads in order."""
        for hearing_id, at in self.created_at.items():
            at = min(at, self.now)
            await HearingHistory.update({HearingHistory.at: at}).where(
                (HearingHistory.hearing == hearing_id) & (HearingHistory.action == "created"))
            await Hearing.update({Hearing.created_at: at, Hearing.updated_at: at}).where(
                Hearing.id == hearing_id)
        for hearing_id, at in self.closed_at.items():
            await HearingHistory.update({HearingHistory.at: at}).where(
                (HearingHistory.hearing == hearing_id)
                & HearingHistory.action.is_in(["held", "adjourned", "cancelled"]))
            await Hearing.update({Hearing.updated_at: at}).where(Hearing.id == hearing_id)
        for table, key in ((Case, "case"), (Survivor, "survivor"), (Contact, "contact")):
            for row_id, at in self.opened[key]:
                await table.update({table.created_at: at}).where(table.id == row_id)
