"""Seed many due reminders quickly (tests and bench/bench_dispatch.py): one office, court,
case and hearing, ``count`` consenting contacts with distinct numbers, one due reminder each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from legal_tracker import crypto, db
from legal_tracker.cases.tables import Case, CaseSurvivor, Contact, Hearing, Survivor
from legal_tracker.organisation.tables import Court, Office
from legal_tracker.reminders.tables import Reminder


def phone_for(i: int) -> str:
    return f"+2547120{i:05d}"


async def seed_due_reminders(count: int, zone: str) -> list[str]:
    now = datetime.now(UTC)
    cipher = crypto.cipher()
    async with db.transaction():
        office = (await Office.insert(Office(name="Bench office", country="KE", timezone=zone,
                                             phone="+254700000000", reminder_policy="{}",
                                             created_at=now, updated_at=now)).returning(Office.id))[0]["id"]
        court = (await Court.insert(Court(name="Kibera Law Courts", timezone=zone, office=office,
                                          created_at=now, updated_at=now)).returning(Court.id))[0]["id"]
        survivor = (await Survivor.insert(Survivor(office=office, code="S-BENCH", created_at=now,
                                                   updated_at=now)).returning(Survivor.id))[0]["id"]
        case = (await Case.insert(Case(office=office, court=court, reference="CR 1/2026",
                                       created_at=now, updated_at=now)).returning(Case.id))[0]["id"]
        await CaseSurvivor.insert(CaseSurvivor(case=case, survivor=survivor))
        hearing = (await Hearing.insert(Hearing(
            case=case, court=court, starts_at=now + timedelta(days=5), kind="mention",
            family_attends=True, version=1, created_at=now, updated_at=now,
        )).returning(Hearing.id))[0]["id"]
        phones = [phone_for(i) for i in range(count)]
        contact_ids: list[int] = []
        for start in range(0, count, 500):
            rows = await Contact.insert(*[Contact(
                survivor=survivor, name="Family", relationship="parent",
                phone_enc=cipher.encrypt(p, context="contact.phone"),
                phone_index=cipher.blind_index(p, context="phone"), sms_consent_at=now,
                created_at=now, updated_at=now) for p in phones[start:start + 500]]).returning(Contact.id)
            contact_ids.extend(r["id"] for r in rows)
        for start in range(0, count, 500):
            await Reminder.insert(*[Reminder(
                hearing=hearing, hearing_version=1, contact=cid, kind="d3", slot=0, case=case,
                survivor=survivor, office=office, timezone=zone,
                send_at=now - timedelta(seconds=i % 60), status="pending", created_at=now,
                updated_at=now) for i, cid in enumerate(contact_ids[start:start + 500])])
    return phones


def dispatch_worker(env: dict[str, str], barrier: object, results: object, batch: int) -> None:
    """One dispatcher process: its own settings and engine; starts when all are ready."""
    import asyncio
    import os

    os.environ.update(env)
    from legal_tracker.reminders.dispatcher import Dispatcher, build_gateway
    from legal_tracker.settings import load_settings

    async def main() -> int:
        settings = load_settings()
        await db.setup(settings)
        gateway = build_gateway(settings)
        try:
            barrier.wait()  # type: ignore[attr-defined]
            stats = await Dispatcher(gateway, settings, batch_size=batch).run_once()
        finally:
            await gateway.aclose()
            await db.teardown()
        return stats.claimed

    results.put(asyncio.run(main()))  # type: ignore[attr-defined]


def claim_worker(env: dict[str, str], barrier: object, results: object, batch: int,
                 hold: bool) -> None:
    """A dispatcher process that only claims (no gateway): ``hold`` claims one batch, reports
    its size and waits to be killed; otherwise it drains the backlog batch by batch, marking
    each claimed row sent, and reports every claim's size."""
    import asyncio
    import os
    import time as clock

    os.environ.update(env)
    from legal_tracker.reminders.dispatcher import Dispatcher
    from legal_tracker.reminders.gateways import ConsoleGateway
    from legal_tracker.settings import load_settings

    async def main() -> list[int]:
        settings = load_settings()
        await db.setup(settings)
        dispatcher = Dispatcher(ConsoleGateway(), settings, batch_size=batch)
        sizes: list[int] = []
        try:
            if barrier is not None:
                barrier.wait()  # type: ignore[attr-defined]
            while True:
                ids = await dispatcher.claim(batch, datetime.now(UTC))
                if not ids:
                    break
                sizes.append(len(ids))
                if hold:
                    results.put(sizes)  # type: ignore[attr-defined]
                    clock.sleep(600)  # killed here, rows still 'sending'
                for start in range(0, len(ids), 1000):
                    await Reminder.update({Reminder.status: "sent", Reminder.lease_owner: None,
                                           Reminder.lease_until: None}).where(
                        Reminder.id.is_in(ids[start:start + 1000]))
        finally:
            await db.teardown()
        return sizes

    results.put(asyncio.run(main()))  # type: ignore[attr-defined]
