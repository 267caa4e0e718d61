"""Realistic, clearly fictional demo data: two offices in different time zones, their courts
and staff, 36 cases across every status, 230-odd hearings past and future with adjournment
chains, survivors with pseudonymous codes, families with languages and consent.

Everything goes through the services (so it is encrypted, audited and consistent) except
where the services rightly refuse to rewrite the past: hearings adjourned before today are
closed directly, with their history. Names are invented; the organisation is "Demo".
Idempotent: a second run finds the demo admin and adds nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker import db
from legal_tracker.access import Actor
from legal_tracker.domain import CASE_STATUSES
from legal_tracker.services import cases, hearings, organisation, survivors
from legal_tracker.services.common import utcnow
from legal_tracker.tables import Hearing, HearingHistory, Staff

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo, fictional data only
ADMIN_EMAIL = "admin@demo.example"

OFFICES = [
    {
        "name": "Demo Nairobi Office", "country": "KE", "timezone": "Africa/Nairobi",
        "phone": "+254709000000", "sms_sender_name": "Demo Support", "slug": "nairobi",
        "prefix": "NRB", "languages": ["sw", "en", "sw"],
        "courts": [("Kibera Law Courts (demo)", "Kibera Drive, Nairobi"),
                   ("Milimani Law Courts (demo)", "Upper Hill, Nairobi"),
                   ("Mombasa Law Courts (demo)", "Nkrumah Road, Mombasa")],
        "phones": "+2547{:08d}",
        "given": ["Amani", "Baraka", "Neema", "Zawadi", "Imani", "Faraji", "Wanjiru", "Achieng"],
        "family": ["Otieno", "Kamau", "Wambui", "Mutua", "Njoroge", "Akinyi", "Chebet", "Odhiambo"],
    },
    {
        "name": "Demo Manila Office", "country": "PH", "timezone": "Asia/Manila",
        "phone": "+63287000000", "sms_sender_name": "Demo Support", "slug": "manila",
        "prefix": "MNL", "languages": ["tl", "en", "tl"],
        "courts": [("Manila RTC Branch 12 (demo)", "Padre Faura St, Ermita, Manila"),
                   ("Quezon City RTC (demo)", "Elliptical Road, Quezon City"),
                   ("Pasay City RTC (demo)", "F.B. Harrison St, Pasay")],
        "phones": "+63917{:07d}",
        "given": ["Maria", "Jose", "Ligaya", "Dalisay", "Tala", "Bayani", "Luningning", "Mayumi"],
        "family": ["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos"],
    },
]
STAFF_ROLES = [("admin", 1), ("lawyer", 2), ("caseworker", 3), ("viewer", 1)]
OFFENCES = ["sex_trafficking", "labour_trafficking", "child_sexual_exploitation",
            "online_sexual_exploitation", "forced_marriage"]
KIND_SEQUENCE = ["mention", "plea", "bail", "pre_trial", "testimony", "testimony", "judgment",
                 "sentencing"]
REASONS = ["accused_absent", "prosecutor_not_ready", "witness_absent", "court_did_not_sit",
           "defence_application", "interpreter_unavailable"]


async def seed_demo(now: datetime | None = None) -> dict[str, Any]:
    now = (now or utcnow()).replace(second=0, microsecond=0)
    if await Staff.exists().where(Staff.email == ADMIN_EMAIL):
        return {"status": "already seeded; nothing added", "admin": ADMIN_EMAIL}
    rng = random.Random(2026)  # noqa: S311 - demo data, deterministic on purpose
    bootstrap = Actor(0, "admin", None, "seed-demo")
    org_admin = await organisation.create_staff(bootstrap, {
        "email": ADMIN_EMAIL, "name": "Demo Organisation Admin", "role": "admin", "office": None,
        "password": DEMO_PASSWORD,
    })
    admin = Actor(org_admin["id"], "admin", None, "Demo Organisation Admin")
    summary: dict[str, Any] = {"offices": 0, "courts": 0, "staff": 1, "survivors": 0,
                               "contacts": 0, "cases": 0, "hearings": 0, "adjourned": 0}
    phone_counter = 1000
    for spec in OFFICES:
        office = await organisation.create_office(admin, {
            k: spec[k] for k in ("name", "country", "timezone", "phone", "sms_sender_name")})
        summary["offices"] += 1
        court_ids = []
        for name, address in spec["courts"]:
            court = await organisation.create_court(admin, {
                "name": name, "address": address, "timezone": spec["timezone"],
                "office": office["id"]})
            court_ids.append(court["id"])
            summary["courts"] += 1
        team: dict[str, list[int]] = {}
        for role, count in STAFF_ROLES:
            for i in range(count):
                staff = await organisation.create_staff(admin, {
                    "email": f"{role}{i + 1}.{spec['slug']}@demo.example",
                    "name": f"{rng.choice(spec['given'])} {rng.choice(spec['family'])} (demo)",
                    "role": role, "office": office["id"], "password": DEMO_PASSWORD,
                    "language": spec["languages"][0],
                })
                team.setdefault(role, []).append(staff["id"])
                summary["staff"] += 1
        for n in range(18):
            phone_counter = await _seed_case(rng, spec, office["id"], court_ids, team, admin, n,
                                             now, summary, phone_counter)
    try:
        from legal_tracker.casework_seed import seed_casework  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        await seed_casework(summary)
    summary["demo logins"] = (f"{ADMIN_EMAIL} (organisation admin), admin1.nairobi@demo.example, "
                              "lawyer1.nairobi@demo.example, caseworker1.manila@demo.example, … "
                              f"all with the password {DEMO_PASSWORD}")
    return summary


async def _seed_case(rng: random.Random, spec: dict[str, Any], office_id: int, court_ids: list[int],
                     team: dict[str, list[int]], admin: Actor, n: int, now: datetime,
                     summary: dict[str, Any], phone_counter: int) -> int:
    status = CASE_STATUSES[n % len(CASE_STATUSES)]
    lawyer = team["lawyer"][n % len(team["lawyer"])]
    worker = team["caseworker"][n % len(team["caseworker"])]
    viewer = team["viewer"][0]
    survivor_ids = []
    for _ in range(1 + (n % 3 == 0)):
        legal = f"{rng.choice(spec['given'])} {rng.choice(spec['family'])}"
        survivor = await survivors.create_survivor(admin, {
            "office": office_id, "legal_name": legal + " (fictional)",
            "birth_year": rng.randint(2005, 2014), "language": rng.choice(spec["languages"]),
        })
        survivor_ids.append(survivor["id"])
        summary["survivors"] += 1
        for relation in ["mother", "aunt", "guardian", "father"][: 1 + rng.randint(0, 1)]:
            phone_counter += 1
            await survivors.create_contact(admin, survivor["id"], {
                "name": f"{rng.choice(spec['given'])} {rng.choice(spec['family'])} (demo)",
                "relationship": relation, "phone": spec["phones"].format(phone_counter * 7),
                "language": rng.choice(spec["languages"]), "sms_consent": rng.random() < 0.85,
            })
            summary["contacts"] += 1
    opened = now - timedelta(days=rng.randint(120, 900))
    case = await cases.create_case(admin, {
        "office": office_id, "court": court_ids[n % len(court_ids)],
        "reference": f"{spec['prefix']}/{2024 + n % 3}/{100 + n:03d} (demo)",
        "court_case_number": f"CR {1000 + n * 37}/{2024 + n % 3}",
        "offence_category": OFFENCES[n % len(OFFENCES)], "status": status,
        "charged_on": (opened + timedelta(days=30)).date() if status != "investigation" else None,
        "staff_ids": [lawyer, worker, viewer], "survivor_ids": survivor_ids,
        "accused": [{"name": f"{rng.choice(spec['family']).upper()} (accused, demo)",
                     "status": rng.choice(["remanded", "on_bail", "at_large"])}
                    for _ in range(1 + n % 2)],
    })
    summary["cases"] += 1
    if status in {"judgment", "sentencing", "appeal", "closed"}:
        convicted = n % 4 != 1
        await cases.update_case(admin, case["id"], {
            "outcome": "convicted" if convicted else "acquitted",
            "sentence_months": rng.choice([60, 120, 180, 240]) if convicted else None,
            "sentence": "imprisonment (demo)" if convicted else None,
            "judgment_on": (now - timedelta(days=rng.randint(10, 90))).date(),
        })
    await _seed_hearings(rng, spec, case, court_ids, worker, admin, n, now, summary)
    return phone_counter


def _local(day: date, zone: str, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), ZoneInfo(zone))


async def _seed_hearings(rng: random.Random, spec: dict[str, Any], case: dict[str, Any],
                         court_ids: list[int], worker: int, admin: Actor, n: int, now: datetime,
                         summary: dict[str, Any]) -> None:
    zone = spec["timezone"]
    today = now.astimezone(ZoneInfo(zone)).date()
    count = 5 + n % 4
    # Past hearings every few weeks up to today, then the future ones.
    start_day = today - timedelta(days=21 * (count - 2) + rng.randint(0, 6))
    previous: dict[str, Any] | None = None
    for i in range(count):
        day = start_day + timedelta(days=21 * i + rng.randint(0, 4))
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        kind = KIND_SEQUENCE[min(i, len(KIND_SEQUENCE) - 1)]
        starts = _local(day, zone, rng.choice([9, 10, 11, 14]))
        hearing = await hearings.create_hearing(admin, case["id"], {
            "starts_at": starts, "kind": kind, "court": case["court"] or court_ids[0],
            "courtroom": f"Court {rng.randint(1, 9)}", "duration_minutes": rng.choice([60, 120, 180]),
            "survivor_attends": kind in {"testimony", "judgment", "sentencing"} or i == 0,
            "survivor_testifies": kind == "testimony", "family_attends": kind != "mention",
            "staff_ids": [worker] if kind in {"testimony", "judgment", "plea"} or i % 2 else [],
            "what_to_bring": "Summons letter and ID" if kind == "testimony" else "",
        })
        summary["hearings"] += 1
        if previous is not None and previous["status"] == "scheduled":
            if rng.random() < 0.45:
                await _adjourn_in_the_past(previous, hearing, rng.choice(REASONS), admin)
                summary["adjourned"] += 1
            else:
                await hearings.record_outcome(admin, previous["id"], {
                    "outcome_notes": "Proceeded as listed (demo).",
                    "next_steps": "Prepare for the next date.",
                })
        previous = hearing if datetime.fromisoformat(str(hearing["starts_at"])) < now else None


async def _adjourn_in_the_past(old: dict[str, Any], new: dict[str, Any], reason: str,
                               admin: Actor) -> None:
    """The adjourn service only moves hearings forward from today; a past adjournment is
    written as it would have been on the day."""
    at = datetime.fromisoformat(str(old["starts_at"])).astimezone(UTC)
    async with db.transaction():
        await Hearing.update({
            Hearing.status: "adjourned", Hearing.adjournment_reason: reason,
            Hearing.adjourned_to: new["id"], Hearing.version: old["version"] + 1,
            Hearing.updated_at: at,
        }).where(Hearing.id == old["id"])
        await Hearing.update({Hearing.adjourned_from: old["id"]}).where(Hearing.id == new["id"])
        await HearingHistory.insert(HearingHistory(
            hearing=old["id"], at=at, actor=admin.staff_id, action="adjourned",
            version=old["version"] + 1, from_starts_at=at,
            to_starts_at=datetime.fromisoformat(str(new["starts_at"])).astimezone(UTC),
            reason=reason, note="demo",
        ))
