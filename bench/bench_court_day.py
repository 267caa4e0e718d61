"""Server time of the court-day page against the JSON roster it shows, side by side, with wrk.

    .venv/bin/python bench/bench_court_day.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                                              [--hearings 200] [--seconds 10] [--connections 4]

It starts ``legal-tracker serve`` (uvicorn, one worker) on a fresh database (SQLite in a
temporary directory; PostgreSQL in a database of its own, dropped afterwards), creates through
the API one office with three courts and ``--hearings`` hearings on one day over 20 cases (the
lawyer measured is on half of them, so the roster holds full and restricted entries), signs the
lawyer in to the web app (session cookie) and to the API (bearer token), then alternately loads

* ``GET /app/?day=D`` (the court-day page: the roster service, grouping, Jinja, gzip), and
* ``GET /api/roster?day=D`` (the same roster service, msgspec JSON),

with wrk (``--connections`` connections, one thread), three rounds of each, interleaved, and
prints the mean latency and rate of each and the ratio page / API. Target: <= 2.
Both requests send ``Accept-Encoding: gzip`` as a browser would.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hearings import BIN, PASSWORD, ROOT, base_env, free_port, wait_for  # noqa: E402

WRK_LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")
WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, header: str, seconds: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-H", header,
                          "-H", "Accept-Encoding: gzip", url],
                         capture_output=True, text=True, check=True).stdout
    latency = WRK_LATENCY.search(out)
    rate = WRK_RATE.search(out)
    if not latency or not rate or "Non-2xx" in out:
        raise RuntimeError("wrk failed:\n" + out)
    return float(latency.group(1)) * UNIT[latency.group(2)], float(rate.group(1))


def seed(base: str, hearings: int) -> tuple[str, str, str]:
    """Returns (the day, the lawyer's bearer header, the lawyer's session cookie header)."""
    api = httpx.Client(base_url=base, timeout=60)
    token = api.post("/api/auth/login", json={"email": "admin@bench.example",
                                              "password": PASSWORD}).json()["token"]
    admin = {"Authorization": f"Bearer {token}"}

    def post(path: str, body: dict, headers: dict = admin) -> dict:
        r = api.post(path, json=body, headers=headers)
        r.raise_for_status()
        return r.json()

    office = post("/api/offices", {"name": "Bench office", "country": "KE",
                                   "timezone": "Africa/Nairobi"})
    courts = [post("/api/courts", {"name": f"Court {n}", "timezone": "Africa/Nairobi",
                                   "office_id": office["id"]}) for n in range(3)]
    staff = [post("/api/staff", {"name": f"Staff {n}", "email": f"s{n}@bench.example",
                                 "role": "caseworker", "password": PASSWORD,
                                 "office_id": office["id"]})["id"] for n in range(10)]
    lawyer = post("/api/staff", {"name": "Bench Lawyer", "email": "lawyer@bench.example",
                                 "role": "lawyer", "password": PASSWORD, "office_id": office["id"]})
    day = (datetime.now(ZoneInfo("Africa/Nairobi")) + timedelta(days=7)).date()
    cases = [post("/api/cases", {"reference": f"CR {n}/2026", "office_id": office["id"],
                                 "court_id": courts[n % 3]["id"],
                                 "staff_ids": [lawyer["id"]] if n % 2 == 0 else [staff[0]]})
             for n in range(20)]
    for n in range(hearings):
        start = datetime(day.year, day.month, day.day, 8 + (n % 9), (n * 7) % 60,
                         tzinfo=ZoneInfo("Africa/Nairobi"))
        post(f"/api/cases/{cases[n % 20]['id']}/hearings", {
            "starts_at": start.isoformat(), "kind": "mention", "courtroom": f"Room {n % 5}",
            "survivor_attends": n % 3 == 0, "staff_ids": [staff[n % 10]] if n % 4 else []})
    bearer = api.post("/api/auth/login", json={"email": "lawyer@bench.example",
                                               "password": PASSWORD}).json()["token"]
    web = httpx.Client(base_url=base, timeout=60)
    page = web.get("/app/login")
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    web.post("/app/login", data={"email": "lawyer@bench.example", "password": PASSWORD,
                                 "_csrf_token": csrf})
    session = web.cookies.get("lt_session")
    assert session, "web sign-in failed"
    roster = api.get("/api/roster", params={"day": day.isoformat()},
                     headers={"Authorization": f"Bearer {bearer}"}).json()
    assert roster["total"] == hearings, roster["total"]
    # A browser holds the CSRF cookie too (without it every page would set a new one).
    cookies = f"lt_session={session}; lt_csrf={web.cookies.get('lt_csrf')}"
    return day.isoformat(), f"Authorization: Bearer {bearer}", f"Cookie: {cookies}"


def run(database_url: str, data_dir: Path, args: argparse.Namespace) -> None:
    port = free_port()
    env = base_env(database_url, data_dir, port)
    subprocess.run([str(BIN / "legal-tracker"), "create-user", "--email", "admin@bench.example",
                    "--role", "admin", "--name", "Bench Admin"], input=PASSWORD + "\n", text=True,
                   env=env, check=True, capture_output=True, cwd=ROOT)
    server = subprocess.Popen([str(BIN / "legal-tracker"), "serve", "--no-migrate"], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health")
        day, bearer, cookie = seed(base, args.hearings)
        page_url, api_url = f"{base}/app/?day={day}", f"{base}/api/roster?day={day}"
        page_size = len(httpx.get(page_url, headers={"Cookie": cookie.split(": ", 1)[1],
                                                     "Accept-Encoding": "gzip"}).content)
        wrk(page_url, cookie, 2, args.connections)  # warm-up
        wrk(api_url, bearer, 2, args.connections)
        results: dict[str, list[tuple[float, float]]] = {"page": [], "api": []}
        for _ in range(3):
            results["api"].append(wrk(api_url, bearer, args.seconds, args.connections))
            results["page"].append(wrk(page_url, cookie, args.seconds, args.connections))
        mean = {k: (sum(r[0] for r in v) / len(v), sum(r[1] for r in v) / len(v))
                for k, v in results.items()}
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"{engine}: {args.hearings} hearings on one day; page body {page_size} bytes decoded")
        for name in ("api", "page"):
            print(f"  {name:4}  {mean[name][0]:7.1f} ms mean latency  {mean[name][1]:7.1f} req/s  "
                  f"rounds {[round(r[0], 1) for r in results[name]]}")
        print(f"  ratio page / api (latency): {mean['page'][0] / mean['api'][0]:.2f}  (target <= 2)")
    finally:
        server.terminate()
        server.wait(10)


async def _pg(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database is made there)")
    parser.add_argument("--hearings", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", Path(tmp), args)
    if args.postgres:
        name = f"bench_day_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg(args.postgres, f'CREATE DATABASE "{name}"'))
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
        try:
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run([str(BIN / "legal-tracker"), "migrate"], check=True, cwd=ROOT,
                               env=base_env(url, Path(tmp), 0), capture_output=True)
                run(url, Path(tmp), args)
        finally:
            asyncio.run(_pg(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
