"""Three dispatcher processes race over 1,000 due reminders: each message is sent once.

Separate OS processes (multiprocessing, spawned: each with its own engine, started together
at a barrier so they really race), against the fake gateway over real HTTP; then the
``legal-tracker dispatch`` command itself. Required on PostgreSQL (FOR UPDATE SKIP LOCKED);
also run on SQLite, where the compare-and-set claim in IMMEDIATE transactions must hold too.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from legal_tracker.reminders.tables import Reminder
from tests.conftest import TEST_KEY
from tests.reminders.conftest import zone_at_local_hour
from tests.reminders.seed_due import dispatch_worker, phone_for, seed_due_reminders
from tests.reminders.units.fake_gateway import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN

ROOT = Path(__file__).resolve().parents[2]
COUNT = 1000


def _env(database, fake_sms, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update({
        "LEGAL_TRACKER_DATABASE_URL": database.database_url,
        "LEGAL_TRACKER_SECRET_KEY": TEST_KEY, "LEGAL_TRACKER_ENV": "test",
        "LEGAL_TRACKER_DATA_DIR": str(tmp_path), "LEGAL_TRACKER_SMS_GATEWAY": "twilio",
        "LEGAL_TRACKER_TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "LEGAL_TRACKER_TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "LEGAL_TRACKER_TWILIO_FROM": "+15005550006",
        "LEGAL_TRACKER_TWILIO_BASE_URL": fake_sms.base_url,
        "LEGAL_TRACKER_PUBLIC_URL": "https://tracker.example.org",
        "LEGAL_TRACKER_SMS_RATE_PER_SECOND": "0", "LEGAL_TRACKER_LOG_LEVEL": "WARNING",
    })
    return env


async def test_three_processes_send_each_reminder_exactly_once(database, fake_sms, tmp_path):
    phones = await seed_due_reminders(COUNT, zone_at_local_hour(12))
    env = _env(database, fake_sms, tmp_path)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [context.Process(target=dispatch_worker, args=(env, barrier, results, 20))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    claimed = sorted(results.get(timeout=5) for _ in workers)
    assert sum(claimed) == COUNT
    assert sum(1 for c in claimed if c > 0) >= 2, claimed  # they really raced
    received = Counter(r.to for r in fake_sms.requests)
    assert len(fake_sms.requests) == COUNT
    assert set(received) == set(phones) and set(received.values()) == {1}
    statuses = Counter(r["status"] for r in await Reminder.select(Reminder.status))
    assert statuses == {"sent": COUNT}
    ids = await Reminder.select(Reminder.provider_message_id)
    assert len({r["provider_message_id"] for r in ids}) == COUNT
    print("claims per process:", claimed)


async def test_the_dispatch_command_runs_one_pass_and_exits(database, fake_sms, tmp_path):
    await seed_due_reminders(5, zone_at_local_hour(12))
    env = _env(database, fake_sms, tmp_path)
    done = subprocess.run([sys.executable, "-m", "legal_tracker.cli", "dispatch"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("claimed 5, sent 5, failed 0")
    assert sorted(r.to for r in fake_sms.requests) == [phone_for(i) for i in range(5)]
    again = subprocess.run([sys.executable, "-m", "legal_tracker.cli", "dispatch"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert again.stdout.startswith("claimed 0, sent 0") and len(fake_sms.requests) == 5
