"""Calendar feed latency, side by side with Radicale serving the same events, in one run.

    .venv/bin/pip install -e '.[bench]'   # Radicale, the reference server; wrk and curl from Debian
    .venv/bin/python bench/bench_calendar.py [--events 500 5000] [--seconds 5] [--restarts 5]

For each size it seeds a fresh SQLite database with N hearings one member of staff
accompanies, starts our server (uvicorn, one worker) and Radicale (one collection holding
the very same events), and measures median latencies:

* ours, cold: the first GET after a restart (each hearing's event was stored by an earlier
  fetch, the process has nothing in memory), with curl, over several restarts;
* ours, warm 200: full responses (no validator), one connection, with wrk;
* ours, 304: If-None-Match with the current ETag, with wrk;
* Radicale: full GET of the collection, with wrk.

Targets (issue 14): cold <= 0.5x Radicale, warm 200 <= 0.05x, 304 <= 0.02x.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def seed(env: dict[str, str], events: int) -> str:
    """Returns a feed token for a staff member accompanying ``events`` hearings."""
    os.environ.update(env)
    from calendars.subscriptions import create_subscription
    from legal_tracker import db
    from legal_tracker.access import Actor
    from legal_tracker.cases.tables import Case, CaseStaff, Hearing, HearingStaff
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
    # Assigned to the case: a staff feed shows only hearings its member may see.
    await CaseStaff.insert(CaseStaff(case=case, staff=staff))
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


def wrk_median_ms(url: str, seconds: int, headers: dict[str, str] | None = None) -> float:
    """Median latency of sequential requests on one keep-alive connection, measured by wrk."""
    cmd = ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        cmd[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(out)
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "50%":
            value = parts[1]
            for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
                if value.endswith(unit):
                    return float(value.removesuffix(unit)) * factor
    raise RuntimeError(f"no median in wrk output:\n{out}")


def curl_ms(url: str) -> float:
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "200", out
    return float(out[1]) * 1000


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)


def run_size(events: int, seconds: int, restarts: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="bench-cal-"))
    port = free_port()
    env = {**os.environ,
           "LEGAL_TRACKER_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite'}",
           "LEGAL_TRACKER_DATA_DIR": str(work), "LEGAL_TRACKER_SCHEDULER": "off",
           "LEGAL_TRACKER_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "LEGAL_TRACKER_LOG_LEVEL": "WARNING", "LEGAL_TRACKER_FEED_RATE_PER_MINUTE": "1000000"}
    token = asyncio.run(seed(env, events))
    serve = [PYTHON, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port),
             "--log-level", "warning", "--no-access-log"]
    ours = start(serve, env, work / "ours.log")
    rport = free_port()
    storage = work / "radicale"
    config = work / "radicale.conf"
    config.write_text(f"[server]\nhosts = 127.0.0.1:{rport}\nmax_content_length = 200000000\n"
                      "[auth]\ntype = none\n"
                      f"[storage]\nfilesystem_folder = {storage}\n[logging]\nlevel = warning\n"
                      "[rights]\ntype = authenticated\n")
    radicale = start([PYTHON, "-m", "radicale", "--config", str(config)], env, work / "radicale.log")
    auth = {"Authorization": "Basic YmVuY2g6eA=="}  # bench:x; Radicale's auth is "none"
    try:
        feed_url = f"http://127.0.0.1:{port}/calendars/{token}.ics"
        health = f"http://127.0.0.1:{port}/health"
        wait_for(health)
        wait_for(f"http://127.0.0.1:{rport}/")
        body = httpx.get(feed_url, timeout=900).content  # renders and stores every event
        collection = f"http://127.0.0.1:{rport}/bench/court/"
        httpx.request("PROPFIND", f"http://127.0.0.1:{rport}/bench/", headers=auth)
        put = httpx.put(collection, content=body, timeout=900,
                        headers={"Content-Type": "text/calendar", **auth})
        assert put.status_code in (200, 201), put.text
        check = httpx.get(collection, headers=auth, timeout=900)
        assert check.text.count("BEGIN:VEVENT") == events, "radicale holds a different set"
        cold = []
        for _ in range(restarts):
            ours.terminate()
            ours.wait(10)
            ours = start(serve, env, work / "ours.log")
            wait_for(health)  # the process is up and its database open; nothing else
            cold.append(curl_ms(feed_url))
        etag = httpx.get(feed_url, timeout=900).headers["etag"]
        full = wrk_median_ms(feed_url, seconds)
        not_modified = wrk_median_ms(feed_url, seconds, {"If-None-Match": etag})
        reference = wrk_median_ms(collection, seconds, auth)
    finally:
        for proc in (ours, radicale):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"events": events, "cold_ms": statistics.median(cold), "ours_200_ms": full,
            "ours_304_ms": not_modified, "radicale_ms": reference, "bytes": len(body)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--restarts", type=int, default=5)
    args = parser.parse_args()
    print(f"{'events':>7} {'bytes':>9} {'cold':>10} {'warm 200':>10} {'304':>10} {'radicale':>10} "
          f"{'cold/rad':>8} {'200/rad':>8} {'304/rad':>8}")
    for n in args.events:
        r = run_size(n, args.seconds, args.restarts)
        rad = r["radicale_ms"]
        print(f"{r['events']:>7} {r['bytes']:>9} {r['cold_ms']:>8.2f}ms {r['ours_200_ms']:>8.2f}ms "
              f"{r['ours_304_ms']:>8.2f}ms {rad:>8.2f}ms {r['cold_ms'] / rad:>8.3f} "
              f"{r['ours_200_ms'] / rad:>8.3f} {r['ours_304_ms'] / rad:>8.3f}")


if __name__ == "__main__":
    main()
