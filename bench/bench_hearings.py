"""Throughput of ``GET /api/hearings`` against a bare Litestar + Piccolo endpoint, in one run.

    .venv/bin/python bench/bench_hearings.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                                             [--hearings 10000] [--concurrency 16] [--seconds 15]

For each engine (SQLite always, in a temporary directory; PostgreSQL when a server URL is given,
in a database of its own that is dropped afterwards) it

1. migrates a fresh database and fills it with ``--hearings`` hearings (2 accompanying staff
   each on average) over 200 cases, three courts and 20 staff;
2. starts OUR server (``legal-tracker serve``: uvicorn, one worker), logs in as an admin and
   loads ``GET /api/hearings?limit=50`` with a bearer token;
3. starts the BARE app (``bench/bare_app.py`` under uvicorn, one worker) on the same database
   and loads ``GET /hearings`` (the same 50 hearings with their staff ids, nothing else);

and, with ``--workers N``, OUR server again with N uvicorn workers. All stay up; ``--rounds``
interleaved rounds load one at a time with ``wrk`` (Debian's package: a C load generator, so
the client does not take the GIL or a core's worth of Python from the servers),
``--concurrency`` connections, ``--seconds`` split between the rounds, a warm-up before each
server's first round. It prints the median round's requests/s, p50 and p99 latency side by
side, the ratio ours / bare (issue 15 target: >= 0.9x) and N workers / (N x one worker)
(target: >= 0.8).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from _common import ROOT, Server, free_port

BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"


def base_env(database_url: str, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update({
        "LEGAL_TRACKER_DATABASE_URL": database_url, "LEGAL_TRACKER_DATA_DIR": str(data_dir),
        "LEGAL_TRACKER_PORT": str(port), "LEGAL_TRACKER_SCHEDULER": "off",
        "LEGAL_TRACKER_LOG_LEVEL": "WARNING", "LEGAL_TRACKER_SECRET_KEY": SECRET_KEY,
        "LEGAL_TRACKER_LOGIN_RATE_PER_MINUTE": "1000", "BENCH_DATABASE_URL": database_url,
        "LEGAL_TRACKER_REQUIRE_2FA": "off",
        "PYTHONPATH": str(ROOT),
    })
    return env


async def fill(database_url: str, data_dir: Path, hearings: int) -> None:
    """Migrates and fills the database (run in a child process so the engine is its own)."""
    sys.path.insert(0, str(ROOT))
    from legal_tracker import db
    from legal_tracker.access import Actor
    from legal_tracker.cases.tables import Case, Hearing, HearingStaff
    from legal_tracker.migrate import migrate
    from legal_tracker.organisation.service import create_staff
    from legal_tracker.organisation.tables import Court, Office, Staff
    from legal_tracker.settings import Settings

    await db.setup(Settings(database_url=database_url, data_dir=data_dir, secret_key=SECRET_KEY,
                            scheduler=False))
    await migrate()
    rng = random.Random(7)  # noqa: S311 - benchmark data
    now = datetime.now(UTC).replace(microsecond=0)
    office = (await Office.insert(Office(name="Bench office", country="KE", timezone="Africa/Nairobi",
                                         created_at=now, updated_at=now)).returning(Office.id))[0]["id"]
    courts = [(await Court.insert(Court(name=f"Court {i}", timezone="Africa/Nairobi", office=office,
                                        created_at=now, updated_at=now)).returning(Court.id))[0]["id"]
              for i in range(3)]
    await create_staff(Actor(0, "admin", None, "bench"), {
        "email": "admin@bench.example", "name": "Bench Admin", "role": "admin", "office": None,
        "password": PASSWORD})
    staff = [(await Staff.insert(Staff(name=f"Worker {i}", email=f"w{i}@bench.example",
                                       role="caseworker", office=office, created_at=now,
                                       updated_at=now)).returning(Staff.id))[0]["id"]
             for i in range(20)]
    cases = [(await Case.insert(Case(office=office, court=courts[i % 3], reference=f"CR {i}/2026",
                                     created_at=now, updated_at=now)).returning(Case.id))[0]["id"]
             for i in range(200)]
    for chunk in range(0, hearings, 1000):
        rows = [Hearing(case=cases[i % 200], court=courts[i % 3], kind="mention",
                        starts_at=now + timedelta(minutes=rng.randint(-525_600, 525_600)),
                        courtroom=f"Court {i % 9}", created_at=now, updated_at=now)
                for i in range(chunk, min(chunk + 1000, hearings))]
        ids = [r["id"] for r in await Hearing.insert(*rows).returning(Hearing.id)]
        links = [HearingStaff(hearing=h, staff=s) for h in ids
                 for s in rng.sample(staff, rng.choice([1, 2, 3]))]
        await HearingStaff.insert(*links)
    await db.teardown()


@dataclass
class Result:
    rps: float
    p50: float  # ms
    p99: float  # ms
    errors: int


def load(url: str, headers: dict[str, str], concurrency: int, seconds: float,
         warmup: float) -> Result:
    """wrk (Debian's package): a load generator in C that does not compete with the server for
    the GIL, so the ratio measures the servers, not the client."""
    def run(duration: float) -> str:
        command = ["wrk", f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s",
                   "--latency", url]
        for name, value in headers.items():
            command[1:1] = ["-H", f"{name}: {value}"]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    if warmup > 0:
        run(warmup)
    out = run(seconds)

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if found is None:
            raise RuntimeError(out)
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert rate is not None, out
    return Result(float(rate.group(1)), ms("50"), ms("99"), int(errors.group(1)) if errors else 0)


def run_engine(label: str, database_url: str, data_dir: Path, args: argparse.Namespace) -> dict:
    fill_env = base_env(database_url, data_dir, 0)
    subprocess.run([sys.executable, __file__, "--fill-only", database_url, "--data-dir", str(data_dir),
                    "--hearings", str(args.hearings)], env=fill_env, check=True, cwd=ROOT)
    # Every server is started first and stays up (an idle one takes no CPU); then the rounds
    # load them in turn, so a change in the machine's load touches them all alike.
    targets: dict[str, tuple[list[str], str, str, bool]] = {
        "ours": ([str(BIN / "legal-tracker"), "serve", "--no-migrate"], "/health",
                 "/api/hearings?limit=50", True),
        "bare": ([str(BIN / "uvicorn"), "bench.bare_app:app", "--workers", "1",
                  "--log-level", "warning", "--no-access-log"], "/hearings", "/hearings", False),
        # The same list with N uvicorn workers (issue 15: at least 0.8 x N x one worker's rate).
        **{f"ours x{n}": ([str(BIN / "legal-tracker"), "serve", "--no-migrate", "--workers", str(n)],
                          "/health", "/api/hearings?limit=50", True) for n in args.workers},
    }
    rounds: dict[str, list[Result]] = {name: [] for name in targets}
    with contextlib.ExitStack() as stack:
        urls: dict[str, tuple[str, dict[str, str]]] = {}
        for name, (argv, health, path, ours_app) in targets.items():
            port = free_port()
            env = base_env(database_url, data_dir, port)
            if not ours_app:
                argv = [*argv, "--port", str(port)]
            stack.enter_context(Server(argv, env, f"http://127.0.0.1:{port}{health}"))
            headers = {}
            if ours_app:
                login = httpx.post(f"http://127.0.0.1:{port}/api/auth/login",
                                   json={"email": "admin@bench.example", "password": PASSWORD})
                login.raise_for_status()
                headers = {"Authorization": f"Bearer {login.json()['token']}"}
            check = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers).json()
            assert len(check["items"]) == 50, check
            urls[name] = (f"http://127.0.0.1:{port}{path}", headers)
        for i in range(args.rounds):
            for name, (url, headers) in urls.items():
                rounds[name].append(load(url, headers, args.concurrency, args.seconds / args.rounds,
                                         args.warmup if i == 0 else 0))
    # Each figure: the round with the median rate.
    results = {name: sorted(rs, key=lambda r: r.rps)[len(rs) // 2] for name, rs in rounds.items()}
    ours, bare = results["ours"], results["bare"]
    print(f"\n{label}: {args.hearings} hearings, concurrency {args.concurrency}, {args.rounds} "
          f"interleaved rounds of {args.seconds / args.rounds:g} s (the median round shown); "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  {'':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(f"  {name:8} {r.rps:8.1f} {r.p50:8.1f} {r.p99:8.1f} {r.errors:7d}")
    ratio = ours.rps / bare.rps if bare.rps else 0.0
    print(f"  ratio ours/bare: {ratio:.2f}  (target >= 0.90: {'met' if ratio >= 0.9 else 'NOT met'})")
    for workers in args.workers:
        scaled = results[f"ours x{workers}"].rps / (workers * ours.rps) if ours.rps else 0.0
        print(f"  {workers} workers / ({workers} x one worker): {scaled:.2f}  (target >= 0.80: "
              f"{'met' if scaled >= 0.8 else 'NOT met'}; wrk and the database share the cores)")
    return {"engine": label, "ratio": ratio, "ours": ours.rps, "bare": bare.rps}


def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a bench database is made on it")
    parser.add_argument("--hearings", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per server (--seconds is split between them)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--workers", type=int, nargs="*", default=[], metavar="N",
                        help="also load ours served by N uvicorn workers (e.g. --workers 2)")
    parser.add_argument("--fill-only", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_only:
        asyncio.run(fill(args.fill_only, Path(args.data_dir), args.hearings))
        return 0
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    summary = []
    with tempfile.TemporaryDirectory(prefix="lt-bench-") as tmp:
        data_dir = Path(tmp)
        if not args.skip_sqlite:
            summary.append(run_engine("SQLite", f"sqlite:///{data_dir / 'bench.sqlite'}", data_dir, args))
        if args.postgres:
            name = f"lt_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            parts = urlsplit(args.postgres)
            url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
            _pg_admin(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                summary.append(run_engine("PostgreSQL", url, data_dir, args))
            finally:
                _pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\nsummary: " + "; ".join(f"{s['engine']} {s['ours']:.0f} vs {s['bare']:.0f} req/s = "
                                    f"{s['ratio']:.2f}x" for s in summary))
    return 0 if all(s["ratio"] >= 0.9 for s in summary) else 1


# A fixed, benchmark-only field-encryption key (32 zero bytes): the data is synthetic.
SECRET_KEY = "A" * 43

if __name__ == "__main__":
    raise SystemExit(main())
