"""End-to-end cost of drafting a filing through the API beside a bare docxtpl render.

    .venv/bin/python bench/bench_filing.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                                           [--template adjournment_application] [--rounds 40]

For each engine (SQLite always, in a temporary directory; PostgreSQL when a server URL is given,
in a database of its own that is dropped afterwards) it migrates a fresh database, creates an
office, a court, a lawyer, a survivor, a case with two accused and a hearing with two
accompanying staff through the API, then alternates, ``--rounds`` times after a warm-up:

* **ours**: ``POST /api/cases/{id}/filings`` through the real application (an in-process httpx
  ``ASGITransport`` client, so no socket): bearer authentication, need-to-know, loading the
  case, court, hearing, staff, survivor and office, the sandboxed render in a worker thread,
  encryption, writing the file, the row and its audit record, the JSON answer;
* **bare**: docxtpl rendering the same template with the same values (already worded, as
  ``build_context`` gives them) in a plain ``jinja2.Environment(autoescape=True)`` with only
  the ``long_date`` filter registered, and saving the .docx to memory.

It prints the median and p90 of each and the ratio of the medians. Target: ours <= 2x bare.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from docxtpl import DocxTemplate
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from documents import BUILTIN_TEMPLATES, build_context  # noqa: E402
from documents.demo import DEMO_FIELDS, demo_context  # noqa: E402
from documents.formatting import long_date, resolve_locale  # noqa: E402
from legal_tracker import db  # noqa: E402
from legal_tracker.access import Actor  # noqa: E402
from legal_tracker.crypto import generate_key  # noqa: E402
from legal_tracker.migrate import migrate  # noqa: E402
from legal_tracker.organisation.service import create_staff  # noqa: E402
from legal_tracker.settings import Settings  # noqa: E402

PASSWORD = "bench-password-123"


def bare_render(template: bytes, namespace: dict, locale) -> bytes:
    doc = DocxTemplate(io.BytesIO(template))
    env = Environment(autoescape=True)  # noqa: S701 - docxtpl needs XML escaping, as ours does
    env.filters["long_date"] = lambda value: long_date(value, locale)
    doc.render(namespace, env)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def _post(client: httpx.AsyncClient, path: str, body: dict, headers: dict) -> dict:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _login(client: httpx.AsyncClient, email: str) -> dict:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def run_engine(name: str, url: str, workdir: Path, key: str, rounds: int,
                     warmup: int) -> tuple[list[float], list[float]]:
    settings = Settings(environment="test", data_dir=workdir, database_url=url,
                        secret_key=generate_key(), scheduler=False, login_rate_per_minute=100_000,
                        log_level="WARNING", require_2fa="off")
    await db.setup(settings)
    try:
        await migrate()
        await create_staff(Actor(0, "admin", None, "bench"), {
            "email": "admin@bench.example", "role": "admin", "name": "Bench Admin", "office": None,
            "password": PASSWORD})
        app = create_app(settings, manage_database=False)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            admin = await _login(client, "admin@bench.example")
            office = await _post(client, "/api/offices", {
                "name": "Demo Aftercare Kenya", "country": "KE", "timezone": "Africa/Nairobi",
                "phone": "+254207654321"}, admin)
            court = await _post(client, "/api/courts", {
                "name": "Chief Magistrate's Court at Demoville", "timezone": "Africa/Nairobi",
                "address": "Law Courts Building, 12 Justice Road", "office_id": office["id"]}, admin)
            staff = []
            for i, role in enumerate(("lawyer", "caseworker", "caseworker")):
                staff.append(await _post(client, "/api/staff", {
                    "name": f"Bench Person {i}", "email": f"p{i}@bench.example", "role": role,
                    "office_id": office["id"], "phone": "+254711000111", "password": PASSWORD},
                    admin))
            lawyer = await _login(client, "p0@bench.example")
            survivor = await _post(client, "/api/survivors", {
                "office_id": office["id"], "legal_name": "Amani Fictional Wanjiku"}, admin)
            case = await _post(client, "/api/cases", {
                "reference": "DEMO-KE-2031-031", "court_case_number": "CR E4471/2031",
                "office_id": office["id"], "court_id": court["id"], "status": "trial",
                "staff_ids": [s["id"] for s in staff], "survivor_ids": [survivor["id"]],
                "accused": [{"name": "Josephat Demo Mwangi"}, {"name": "Evans Sample Otieno"}]},
                admin)
            hearing = await _post(client, f"/api/cases/{case['id']}/hearings", {
                "starts_at": "2031-03-11T09:30:00+03:00", "kind": "testimony",
                "courtroom": "Courtroom 3", "staff_ids": [s["id"] for s in staff[1:]]}, admin)
            body = {"template": key, "hearing_id": hearing["id"], "fields": DEMO_FIELDS[key]}
            path = f"/api/cases/{case['id']}/filings"

            template = BUILTIN_TEMPLATES[key].read_bytes()
            context = demo_context(key)
            namespace = build_context(context)
            locale = resolve_locale("en", "KE")

            ours: list[float] = []
            bare: list[float] = []
            for i in range(warmup + rounds):
                start = time.perf_counter()
                await _post(client, path, body, lawyer)
                mid = time.perf_counter()
                bare_render(template, namespace, locale)
                end = time.perf_counter()
                if i >= warmup:
                    ours.append((mid - start) * 1000)
                    bare.append((end - mid) * 1000)
        return ours, bare
    finally:
        await db.teardown()


def _p90(values: list[float]) -> float:
    return sorted(values)[int(0.9 * (len(values) - 1))]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--template", default="adjournment_application", choices=sorted(BUILTIN_TEMPLATES))
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    print(f"# {platform.system()} {platform.machine()}, Python {platform.python_version()}, "
          f"template {args.template}, {args.rounds} rounds after {args.warmup} warm-up")
    print(f"{'engine':<11} {'ours p50':>9} {'ours p90':>9} {'bare p50':>9} {'bare p90':>9} {'ratio':>6}")
    engines = [("SQLite", None)]
    if args.postgres:
        engines.append(("PostgreSQL", args.postgres))
    worst = 0.0
    for name, server in engines:
        with tempfile.TemporaryDirectory(prefix="bench-filing-") as tmp:
            work = Path(tmp)
            if server is None:
                ours, bare = await run_engine(name, f"sqlite:///{work / 'bench.sqlite'}", work,
                                              args.template, args.rounds, args.warmup)
            else:
                import asyncpg

                dbname = f"bench_filing_{uuid.uuid4().hex[:8]}"
                admin = await asyncpg.connect(server)
                await admin.execute(f'CREATE DATABASE "{dbname}"')
                parts = urlsplit(server)
                url = urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))
                try:
                    ours, bare = await run_engine(name, url, work, args.template, args.rounds,
                                                  args.warmup)
                finally:
                    await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
                    await admin.close()
        ratio = statistics.median(ours) / statistics.median(bare)
        worst = max(worst, ratio)
        print(f"{name:<11} {statistics.median(ours):>7.1f}ms {_p90(ours):>7.1f}ms "
              f"{statistics.median(bare):>7.1f}ms {_p90(bare):>7.1f}ms {ratio:>5.2f}x")
    print(f"target: ours <= 2.0x bare -> {'met' if worst <= 2.0 else 'NOT met'}")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
