"""Calendar feed latency, side by side with Radicale serving the same events, in one run.

    .venv/bin/pip install radicale      # the reference server (not a project dependency)
    .venv/bin/python bench/bench_calendar.py [--events 500 5000] [--requests 200]

For each size it seeds a fresh SQLite database with N hearings one member of staff
accompanies, starts our server (uvicorn, one worker) and Radicale (one collection holding
the very same events), and times sequential GETs over keep-alive connections:

* ours, full 200 response (no validator);
* ours, 304 (If-None-Match with the current ETag);
* Radicale, full GET of the collection.

Targets: 200 <= 0.5x Radicale, 304 <= 0.05x Radicale (medians).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from _common import Server, free_port

PYTHON = sys.executable


async def seed(env: dict[str, str], events: int) -> str:
    """Returns a feed token for a staff member accompanying ``events`` hearings."""
    os.environ.update(env)
    from calendars.subscriptions import create_subscription
    from legal_tracker import db
    from legal_tracker.access import Actor
    from legal_tracker.cases.tables import Case, Hearing, HearingStaff
    from legal_tracker.migrate import migrate
    from legal_tracker.organisation.tables import Court, Office, Staff
    from legal_tracker.settings import load_settings

    settings = load_settings()
    await db.setup(settings)
    await migrate()
    now = datetime.now(UTC).replace(microsecond=0)
    office = (await Office.insert(Office(name="Bench office", country="KE", timezone="Africa/Nairobi",
                                         created_at=now, updated_at=now)).returning(Office.id))[0]["id"]
    courts = []
    for i, zone in enumerate(["Africa/Nairobi", "Europe/London", "America/New_York"]):
        courts.append((await Court.insert(Court(name=f"Court {i}", address=f"{i} Court Road",
                                                timezone=zone, office=office, created_at=now,
                                                updated_at=now)).returning(Court.id))[0]["id"])
    staff = (await Staff.insert(Staff(name="Bench Worker", email="bench@example.org", role="caseworker",
                                      office=office, created_at=now,
                                      updated_at=now)).returning(Staff.id))[0]["id"]
    case = (await Case.insert(Case(office=office, court=courts[0], reference="CR 1/2026",
                                   created_at=now, updated_at=now)).returning(Case.id))[0]["id"]
    batch = []
    for i in range(events):
        batch.append(Hearing(case=case, court=courts[i % 3], courtroom=f"Room {i % 7}",
                             starts_at=now + timedelta(hours=6 * i - 24 * 30), kind="mention",
                             what_to_bring="ID card", version=1 + i % 3, created_at=now,
                             updated_at=now))
    ids = []
    for start in range(0, len(batch), 500):
        ids += [r["id"] for r in await Hearing.insert(*batch[start:start + 500]).returning(Hearing.id)]
    for start in range(0, len(ids), 500):
        await HearingStaff.insert(*[HearingStaff(hearing=h, staff=staff) for h in ids[start:start + 500]])
    actor = Actor(staff, "caseworker", office, "Bench Worker")
    created = await create_subscription(actor, settings.public_url, "staff", staff)
    await db.teardown()
    return created.url.rsplit("/", 1)[1].removesuffix(".ics")


async def timed(client: httpx.AsyncClient, url: str, n: int, headers: dict[str, str] | None = None,
                expect: int = 200) -> list[float]:
    for _ in range(5):  # warm-up
        await client.get(url, headers=headers)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.get(url, headers=headers)
        samples.append(time.perf_counter() - start)
        assert response.status_code == expect, response.status_code
    return samples


async def run_size(events: int, requests: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="bench-cal-"))
    port = free_port()
    env = {**os.environ,
           "LEGAL_TRACKER_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}",
           "LEGAL_TRACKER_DATA_DIR": str(work), "LEGAL_TRACKER_SCHEDULER": "off",
           "LEGAL_TRACKER_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "LEGAL_TRACKER_LOG_LEVEL": "WARNING", "LEGAL_TRACKER_FEED_RATE_PER_MINUTE": "1000000"}
    token = await seed(env, events)
    ours = Server([PYTHON, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port),
                   "--log-level", "warning", "--no-access-log"], env,
                  f"http://127.0.0.1:{port}/health", work / "ours.log")
    rport = free_port()
    storage = work / "radicale"
    config = work / "radicale.conf"
    config.write_text(f"[server]\nhosts = 127.0.0.1:{rport}\nmax_content_length = 200000000\n"
                      "[auth]\ntype = none\n"
                      f"[storage]\nfilesystem_folder = {storage}\n[logging]\nlevel = warning\n"
                      "[rights]\ntype = authenticated\n")
    radicale = Server([PYTHON, "-m", "radicale", "--config", str(config)], env,
                      f"http://127.0.0.1:{rport}/", work / "radicale.log")
    with ours, radicale:
        feed_url = f"http://127.0.0.1:{port}/calendars/{token}.ics"
        async with httpx.AsyncClient(timeout=900) as client:
            body = (await client.get(feed_url)).content
            collection = f"http://127.0.0.1:{rport}/bench/court/"
            auth = {"Authorization": "Basic YmVuY2g6eA=="}  # bench:x; Radicale's auth is "none"
            await client.request("PROPFIND", f"http://127.0.0.1:{rport}/bench/", headers=auth)
            put = await client.put(collection, content=body,
                                   headers={"Content-Type": "text/calendar", **auth})
            assert put.status_code in (200, 201), put.text
            check = await client.get(collection, headers=auth)
            assert check.text.count("BEGIN:VEVENT") == events, "radicale holds a different set"
            etag = (await client.get(feed_url)).headers["etag"]
            full = await timed(client, feed_url, requests)
            not_modified = await timed(client, feed_url, requests, {"If-None-Match": etag}, 304)
            reference = await timed(client, collection, requests, auth)
    med = statistics.median
    return {"events": events, "ours_200_ms": med(full) * 1000, "ours_304_ms": med(not_modified) * 1000,
            "radicale_ms": med(reference) * 1000, "bytes": len(body)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(f"{'events':>7} {'bytes':>9} {'ours 200':>10} {'ours 304':>10} {'radicale':>10} "
          f"{'200/rad':>8} {'304/rad':>8}")
    for n in args.events:
        r = asyncio.run(run_size(n, args.requests))
        print(f"{r['events']:>7} {r['bytes']:>9} {r['ours_200_ms']:>8.2f}ms {r['ours_304_ms']:>8.2f}ms "
              f"{r['radicale_ms']:>8.2f}ms {r['ours_200_ms'] / r['radicale_ms']:>8.3f} "
              f"{r['ours_304_ms'] / r['radicale_ms']:>8.3f}")


if __name__ == "__main__":
    main()
