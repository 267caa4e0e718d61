"""A claim never takes more than its batch, on either engine, whatever the planner's statistics
(issue 16 item 1): three processes share a 10,000-reminder backlog, and a process killed with
kill -9 strands at most one batch (left ``sending`` until its lease runs out, then
``unconfirmed``)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from legal_tracker import db
from legal_tracker.reminders.dispatcher import Dispatcher
from legal_tracker.reminders.gateways import ConsoleGateway
from legal_tracker.reminders.tables import Reminder
from tests.reminders.conftest import zone_at_local_hour
from tests.reminders.seed_due import claim_worker, seed_due_reminders
from tests.reminders.test_exactly_once import _env

BACKLOG = 10_000
BATCH = 200


@pytest.mark.parametrize("analyzed", [False, True], ids=["fresh-statistics", "analyzed"])
async def test_three_processes_share_a_backlog_in_batches(database, fake_sms, tmp_path, analyzed):
    await seed_due_reminders(BACKLOG, zone_at_local_hour(12))
    if analyzed:
        await db.execute("ANALYZE reminder" if not db.is_sqlite() else "ANALYZE")
    env = _env(database, fake_sms, tmp_path)
    context = multiprocessing.get_context("spawn")
    # One process claims a batch and is killed with kill -9 before recording anything (with
    # a queue of its own: killing a process can leave a shared queue's lock taken).
    held_queue, results = context.Queue(), context.Queue()
    victim = context.Process(target=claim_worker, args=(env, None, held_queue, BATCH, True))
    victim.start()
    held = held_queue.get(timeout=120)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=30)
    assert len(held) == 1 and 0 < held[0] <= BATCH, held
    stranded = await Reminder.count().where(Reminder.status == "sending")
    assert stranded == held[0]

    # Three processes drain the rest together, never more than a batch per claim.
    barrier = context.Barrier(3)
    workers = [context.Process(target=claim_worker, args=(env, barrier, results, BATCH, False))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    claims = [results.get(timeout=5) for _ in workers]
    sizes = [size for claim in claims for size in claim]
    assert max(sizes) <= BATCH, Counter(sizes)
    assert sum(sizes) == BACKLOG - stranded
    assert sum(1 for claim in claims if claim) >= 2, claims  # they really shared it
    statuses = Counter(r["status"] for r in await Reminder.select(Reminder.status))
    assert statuses == {"sent": BACKLOG - stranded, "sending": stranded}

    # Once the lease has run out the stranded batch is unconfirmed, never re-sent.
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await Dispatcher(ConsoleGateway(), database).expire_leases(later) == stranded
    statuses = Counter(r["status"] for r in await Reminder.select(Reminder.status))
    assert statuses == {"sent": BACKLOG - stranded, "unconfirmed": stranded}
