"""Reminder dispatch throughput: 10,000 due reminders sent to the fake gateway by ONE process.

    .venv/bin/python bench/bench_dispatch.py [--count 10000] [--gateway twilio|africastalking]
        [--database sqlite|postgresql://...] [--batch 200] [--concurrency 16]

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
    gateway = build_gateway(settings)
    dispatcher = Dispatcher(gateway, settings, batch_size=args.batch, concurrency=args.concurrency)
    started = time.perf_counter()
    stats = await dispatcher.run_once()
    elapsed = time.perf_counter() - started
    await gateway.aclose()
    await db.teardown()
    if scratch:
        conn = await asyncpg.connect(args.database)
        await conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await conn.close()
    return {"claimed": stats.claimed, "sent": stats.sent, "failed": stats.failed,
            "seconds": elapsed, "per_second": stats.sent / elapsed if elapsed else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--gateway", choices=["twilio", "africastalking"], default="twilio")
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
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
