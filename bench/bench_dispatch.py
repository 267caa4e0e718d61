"""Reminder dispatch throughput: 10,000 due reminders sent to the fake gateway.

    .venv/bin/python bench/bench_dispatch.py [--count 10000] [--gateway twilio|africastalking]
        [--database sqlite|postgresql://...] [--batch 200] [--concurrency 16] [--processes 3]

With ``--processes 3`` three spawned dispatcher processes race over the same backlog (as with
several app workers) and the claims each took are printed: each claim is at most ``--batch``.

The fake gateway (tests/reminders/units/fake_gateway.py, real HTTP on 127.0.0.1) runs in its own process
so it does not share the dispatcher's interpreter lock. The dispatcher is the production one
(claim, re-check, render, decrypt, send with bounded concurrency, record) with no send-rate
limit (``LEGAL_TRACKER_SMS_RATE_PER_SECOND`` throttles real deployments). Target: >= 300
messages/s. Prints claimed/sent and messages per second.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def serve_fake(port_queue: object, stop: object, count_queue: object) -> None:
    from tests.reminders.units.fake_gateway import FakeSmsServer

    with FakeSmsServer(record_bodies=False) as server:
        port_queue.put(server.port)  # type: ignore[attr-defined]
        stop.wait()  # type: ignore[attr-defined]
        requests = server.requests
        count_queue.put((len(requests), len({r.to for r in requests}),  # type: ignore[attr-defined]
                         sum(1 for r in requests if r.accepted)))


async def run(args: argparse.Namespace, base_url: str, data_dir: Path) -> dict[str, float]:
    from legal_tracker import db
    from legal_tracker.crypto import generate_key
    from legal_tracker.migrate import migrate
    from legal_tracker.reminders.dispatcher import Dispatcher, build_gateway
    from legal_tracker.settings import Settings
    from tests.reminders.conftest import zone_at_local_hour
    from tests.reminders.seed_due import seed_due_reminders
    from tests.reminders.units.fake_gateway import (
        AT_API_KEY,
        AT_USERNAME,
        TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN,
    )

    url = f"sqlite:///{data_dir / 'bench.sqlite'}"
    scratch = None
    if args.database.startswith("postgres"):
        # A scratch database of our own on that server, dropped afterwards.
        import os
        from urllib.parse import urlsplit, urlunsplit

        import asyncpg

        scratch = f"lt_bench_{os.getpid()}"
        conn = await asyncpg.connect(args.database)
        await conn.execute(f'CREATE DATABASE "{scratch}"')
        await conn.close()
        parts = urlsplit(args.database)
        url = urlunsplit((parts.scheme, parts.netloc, "/" + scratch, parts.query, parts.fragment))
    settings = Settings(
        environment="test", data_dir=data_dir, database_url=url, secret_key=generate_key(),
        scheduler=False, sms_gateway=args.gateway, sms_rate_per_second=0,
        twilio_account_sid=TWILIO_ACCOUNT_SID, twilio_auth_token=TWILIO_AUTH_TOKEN,
        twilio_from="+15005550006", twilio_base_url=base_url,
        africastalking_username=AT_USERNAME, africastalking_api_key=AT_API_KEY,
        africastalking_base_url=base_url, public_url="https://tracker.example.org",
    )
    await db.setup(settings)
    await migrate()
    await seed_due_reminders(args.count, zone_at_local_hour(12))
    if args.processes > 1:
        # Several dispatcher processes (as with several app workers) share the backlog.
        await db.teardown()
        started = time.perf_counter()
        claims = share_backlog(args, settings, url, base_url)
        elapsed = time.perf_counter() - started
        await db.setup(settings)
        from legal_tracker.reminders.tables import Reminder

        sent = await Reminder.count().where(Reminder.status == "sent")
        await db.teardown()
        print("claimed per process:", claims)
        stats_out = {"claimed": sum(claims), "sent": sent, "failed": 0}
    else:
        gateway = build_gateway(settings)
        dispatcher = Dispatcher(gateway, settings, batch_size=args.batch,
                                concurrency=args.concurrency)
        started = time.perf_counter()
        stats = await dispatcher.run_once()
        elapsed = time.perf_counter() - started
        await gateway.aclose()
        await db.teardown()
        stats_out = {"claimed": stats.claimed, "sent": stats.sent, "failed": stats.failed}
    if scratch:
        conn = await asyncpg.connect(args.database)
        await conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await conn.close()
    return {**stats_out, "seconds": elapsed,
            "per_second": stats_out["sent"] / elapsed if elapsed else 0.0}


def share_backlog(args: argparse.Namespace, settings: object, url: str, base_url: str) -> list[int]:
    """Run ``args.processes`` dispatcher processes at once (spawned, started at a barrier);
    each reports how many reminders it claimed."""
    import os

    from tests.reminders.seed_due import dispatch_worker
    from tests.reminders.units.fake_gateway import (
        AT_API_KEY,
        AT_USERNAME,
        TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN,
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update({
        "LEGAL_TRACKER_DATABASE_URL": url, "LEGAL_TRACKER_ENV": "test",
        "LEGAL_TRACKER_SECRET_KEY": settings.secret_key,  # type: ignore[attr-defined]
        "LEGAL_TRACKER_DATA_DIR": str(settings.data_dir),  # type: ignore[attr-defined]
        "LEGAL_TRACKER_SMS_GATEWAY": args.gateway, "LEGAL_TRACKER_SMS_RATE_PER_SECOND": "0",
        "LEGAL_TRACKER_TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "LEGAL_TRACKER_TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "LEGAL_TRACKER_TWILIO_FROM": "+15005550006", "LEGAL_TRACKER_TWILIO_BASE_URL": base_url,
        "LEGAL_TRACKER_AFRICASTALKING_USERNAME": AT_USERNAME,
        "LEGAL_TRACKER_AFRICASTALKING_API_KEY": AT_API_KEY,
        "LEGAL_TRACKER_AFRICASTALKING_BASE_URL": base_url,
        "LEGAL_TRACKER_PUBLIC_URL": "https://tracker.example.org",
        "LEGAL_TRACKER_LOG_LEVEL": "WARNING",
    })
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(args.processes), context.Queue()
    workers = [context.Process(target=dispatch_worker, args=(env, barrier, results, args.batch))
               for _ in range(args.processes)]
    for worker in workers:
        worker.start()
    claims = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    return claims


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--gateway", choices=["twilio", "africastalking"], default="twilio")
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--processes", type=int, default=1,
                        help="dispatcher processes sharing the backlog (spawned, racing)")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    ports, stop, counts = context.Queue(), context.Event(), context.Queue()
    server = context.Process(target=serve_fake, args=(ports, stop, counts), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{ports.get(timeout=30)}"
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(args, base_url, Path(tmp)))
    stop.set()
    requests, distinct, accepted = counts.get(timeout=60)
    server.join(timeout=10)
    print(f"gateway={args.gateway} database={args.database.split('://')[0]} count={args.count} "
          f"batch={args.batch} concurrency={args.concurrency}")
    print(f"claimed {result['claimed']}, sent {result['sent']}, failed {result['failed']} "
          f"in {result['seconds']:.2f}s = {result['per_second']:.0f} messages/s")
    print(f"fake gateway received {requests} requests for {distinct} numbers ({accepted} accepted)")
    ok = result["sent"] == args.count == requests == distinct and result["per_second"] >= 300
    print("target >= 300 messages/s:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
