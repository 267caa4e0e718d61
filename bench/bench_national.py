"""What a national network's data costs (issue 15): p50/p99 of the endpoints that grow with the
data, at 1/100 scale and at full scale, and their ratio.

    .venv/bin/python bench/bench_national.py --postgres postgresql://postgres@127.0.0.1:5432/postgres \
        [--scales 0.01 1] [--seconds 5]

Full scale is 1,000,000 hearings, 100,000 cases, 75,000 survivors and 75,000 contacts,
3,000,000 reminders and 5,000,000 audit events over 20 offices, 60 courts and 200 staff. Each
scale gets a database of its own (dropped afterwards unless ``--keep``; with ``--reuse PREFIX``
made and filled once, then kept and only migrated on later runs), migrated, then filled with
one ``INSERT … SELECT … FROM generate_series`` per table (no Python loop over rows), vacuumed
and ANALYZEd. ``--only WORD...`` measures only the endpoints whose label has one of the words.
Then one ``legal-tracker serve`` (one worker, scheduler off) is measured with ``wrk``
(one connection, ``--latency``; never a Python load generator) on:

* the first page and a deep page (offset at half the hearings; and the same depth by cursor)
  of ``GET /api/hearings``;
* the roster of a day of one office (``GET /api/hearings?office_id=&day=``);
* a case timeline; ``GET /api/deadlines`` as an organisation-wide admin;
* the outcome report for one office over a year;
* a 500-event case feed (case 1, topped up to exactly 500 hearings in a feed's window before
  measuring): warm (the body cached for its ETag) and 304; "304 after a write elsewhere" (a
  hearing of another case touched before each request, so the change counter has moved and
  the feed's state is worked out again) and cold (a hearing of the feed touched before each
  request) are timed one request at a time from this script, since every request must follow
  a change. Every answer timed is checked: the feed parsed with icalendar must have exactly
  500 hearing events (before wrk, and each cold answer), a 304 must be a 304, and wrk's
  bytes per response must match the checked body (a benchmark must not time an empty answer);
* the reminder claim (the dispatcher's ``claim`` of 200 due reminders, in-process).

Fill times are printed too: on a 2-core machine shared with others, full scale may take many
minutes; ``--scales 0.01 0.1`` measures what fits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import icalendar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import free_port  # noqa: E402

PASSWORD = "bench-password-123"
OFFICES, COURTS, STAFF = 20, 60, 200
FULL = {"hearings": 1_000_000, "cases": 100_000, "survivors": 75_000, "contacts": 75_000,
        "reminders": 3_000_000, "audit": 5_000_000}


def with_db(url: str, name: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, p.fragment))


def sizes(scale: float) -> dict[str, int]:
    return {k: max(1, int(v * scale)) for k, v in FULL.items()}


async def migrate_and_admin(url: str, key: str, tmp: Path, admin: bool = True) -> None:
    from legal_tracker import db
    from legal_tracker.access import Actor
    from legal_tracker.migrate import migrate
    from legal_tracker.organisation.service import create_staff
    from legal_tracker.settings import Settings

    settings = Settings(environment="test", data_dir=tmp, database_url=url, secret_key=key,
                        scheduler=False)
    await db.setup(settings, pool=False)
    try:
        await migrate(legacy_files_dir=tmp / "none")
        if not admin:
            return
        await create_staff(Actor(0, "admin", None, "bench"), {
            "email": "admin@bench.example", "role": "admin", "name": "Org Admin", "office": None,
            "password": PASSWORD})
    finally:
        await db.teardown()


FILL = [
    ("offices", """INSERT INTO office (name, country, timezone, reminder_policy, created_at, updated_at)
        SELECT 'Office ' || g, 'KE', 'Africa/Nairobi', '{{}}', now(), now()
        FROM generate_series(1, {offices}) g"""),
    ("courts", """INSERT INTO court (name, timezone, office, created_at, updated_at)
        SELECT 'Court ' || g, 'Africa/Nairobi', ((g - 1) % {offices}) + 1, now(), now()
        FROM generate_series(1, {courts}) g"""),
    # Staff ids 2..201 (1 is the admin): office ((id - 2) % 20) + 1.
    ("staff", """INSERT INTO staff (name, email, role, office, active, created_at, updated_at)
        SELECT 'Staff ' || g, 'staff' || g || '@bench.example',
               CASE WHEN g % 10 = 0 THEN 'caseworker' ELSE 'lawyer' END,
               ((g - 1) % {offices}) + 1, TRUE, now(), now()
        FROM generate_series(1, {staff}) g"""),
    ("survivors", """INSERT INTO survivor (office, code, created_at, updated_at)
        SELECT ((g - 1) % {offices}) + 1, 'S-' || g, now(), now()
        FROM generate_series(1, {survivors}) g"""),
    ("contacts", """INSERT INTO contact (survivor, name, relationship, phone_enc, phone_index,
                                         sms_consent_at, created_at, updated_at)
        SELECT ((g - 1) % {survivors}) + 1, 'Family', 'parent', $1, 'idx' || g, now(), now(), now()
        FROM generate_series(1, {contacts}) g"""),
    # Case c: office ((c - 1) % 20) + 1, court office + 20 * (c % 3), one lawyer, one survivor.
    ("cases", """INSERT INTO legal_case (office, court, reference, status, created_at, updated_at)
        SELECT ((g - 1) % {offices}) + 1, ((g - 1) % {offices}) + 1 + {offices} * (g % 3),
               'CR ' || g || '/2030', CASE WHEN g % 4 = 0 THEN 'closed' ELSE 'trial' END,
               now() - interval '800 days', now()
        FROM generate_series(1, {cases}) g"""),
    ("case_staff", """INSERT INTO case_staff ("case", staff)
        SELECT g, ((g - 1) % {offices}) + 2 + {offices} * (g % 10) FROM generate_series(1, {cases}) g"""),
    ("case_survivor", """INSERT INTO case_survivor ("case", survivor)
        SELECT g, ((g - 1) % {survivors}) + 1 FROM generate_series(1, {cases}) g"""),
    # Hearings spread over two years back and one ahead, ten per case.
    ("hearings", """INSERT INTO hearing ("case", court, starts_at, kind, status, family_attends,
                                         survivor_attends, survivor_testifies, version,
                                         created_at, updated_at)
        SELECT c, ((c - 1) % {offices}) + 1 + {offices} * (c % 3), t,
               (ARRAY['mention','plea','bail','testimony','judgment'])[1 + g % 5],
               CASE WHEN t > now() THEN 'scheduled' WHEN g % 3 = 0 THEN 'adjourned' ELSE 'held' END,
               g % 4 = 0, g % 7 = 0, g % 7 = 0, 1, t - interval '30 days', t - interval '30 days'
        FROM (SELECT g, ((g - 1) % {cases}) + 1 AS c,
                     now() - interval '730 days' + (g * interval '1095 days') / {hearings} AS t
              FROM generate_series(1, {hearings}) g) s"""),
    ("hearing_staff", """INSERT INTO hearing_staff (hearing, staff)
        SELECT h.id, ((h."case" - 1) % {offices}) + 2 + {offices} * (h.id % 10) FROM hearing h"""),
    ("reminders", """INSERT INTO reminder (hearing, hearing_version, contact, kind, slot, "case",
                                           survivor, office, timezone, send_at, status,
                                           provider, created_at, updated_at)
        SELECT h, 1, ct, 'd3', 0, ((h - 1) % {cases}) + 1, ((ct - 1) % {survivors}) + 1,
               ((ct - 1) % {survivors}) % {offices} + 1, 'Africa/Nairobi',
               now() + ((g % 700) - 400) * interval '1 day',
               CASE WHEN g % 700 < 400 THEN 'delivered' ELSE 'pending' END,
               'twilio', now(), now()
        FROM (SELECT g, ((g - 1) % {hearings}) + 1 AS h, ((g - 1) % {contacts}) + 1 AS ct
              FROM generate_series(1, {reminders}) g) s"""),
    ("audit", """INSERT INTO audit_event (at, actor, action, entity, entity_id, office)
        SELECT now() - (g * interval '1 second'), (g % {staff}) + 2,
               (ARRAY['read','create','update'])[1 + g % 3], 'case', (g % {cases})::text,
               (g % {offices}) + 1
        FROM generate_series(1, {audit}) g"""),
]


# The 500-event feed: a case subscription to case 1, which is given exactly FEED_EVENTS hearings
# in a feed's window (``calendars.service``: from 90 days back, cancelled ones only for 30
# days). Topped up again before every measurement, since with ``--reuse`` the oldest of them
# leave the window as the days pass.
FEED_CASE, FEED_EVENTS = 1, 500
IN_FEED_WINDOW = """FROM hearing WHERE "case" = $1 AND starts_at >= now() - interval '90 days'
    AND (status <> 'cancelled' OR updated_at >= now() - interval '30 days')"""


async def top_up_feed_case(conn: asyncpg.Connection) -> None:
    await conn.execute(f"""INSERT INTO hearing ("case", court, starts_at, kind, status, version,
                                                created_at, updated_at)
        SELECT $1, (SELECT court FROM legal_case WHERE id = $1),
               now() + interval '1 day' + g * interval '12 hours', 'mention', 'scheduled', 1,
               now(), now()
        FROM generate_series(1, $2 - (SELECT count(*) {IN_FEED_WINDOW})) g""",
                       FEED_CASE, FEED_EVENTS)
    count = await conn.fetchval(f"SELECT count(*) {IN_FEED_WINDOW}", FEED_CASE)
    if count != FEED_EVENTS:
        raise RuntimeError(f"case {FEED_CASE} has {count} hearings in a feed's window, "
                           f"not {FEED_EVENTS}: the feed would not measure what it says")


def feed_events(response: httpx.Response) -> int:
    """The hearing events of a feed response, parsed with icalendar; fails loudly on another
    status than 200 or on a body that is not a calendar (a benchmark must not time an empty
    answer)."""
    if response.status_code != 200:
        raise RuntimeError(f"feed: HTTP {response.status_code}: {response.text[:300]!r}")
    calendar = icalendar.Calendar.from_ical(response.content)
    return sum(1 for event in calendar.walk("VEVENT")
               if str(event.get("UID", "")).startswith("hearing-"))


def check_feed(response: httpx.Response) -> None:
    found = feed_events(response)
    if found != FEED_EVENTS:
        raise RuntimeError(f"the {FEED_EVENTS}-event feed has {found} hearing events "
                           f"(HTTP {response.status_code}, {len(response.content):,} bytes)")


async def fill(url: str, n: dict[str, int]) -> dict[str, float]:
    from legal_tracker.crypto import FieldCipher, _decode_key

    cipher = FieldCipher(_decode_key(os.environ["BENCH_KEY"]))
    phone = cipher.encrypt("+254700000000", context="contact.phone")
    params = {"offices": OFFICES, "courts": COURTS, "staff": STAFF, **n}
    times: dict[str, float] = {}
    conn = await asyncpg.connect(url, timeout=60)
    try:
        for name, sql in FILL:
            started = time.perf_counter()
            text = sql.format(**params)
            await (conn.execute(text, phone) if "$1" in text else conn.execute(text))
            times[name] = time.perf_counter() - started
        started = time.perf_counter()
        await top_up_feed_case(conn)
        # VACUUM too, not only ANALYZE: a freshly bulk-loaded table has no visibility map, so
        # PostgreSQL cannot answer from an index alone until autovacuum has passed, which on a
        # running installation it long has.
        await conn.execute("VACUUM ANALYZE")
        times["analyze"] = time.perf_counter() - started
    finally:
        await conn.close()
    return times


def wrk(url: str, token: str | None, seconds: int, headers: dict[str, str] | None = None,
        body_bytes: tuple[int, int] | None = None) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) from wrk with one connection. ``body_bytes`` (at least,
    at most): the mean bytes read per response (headers and body) must fall in that range, or
    what was timed was not the answer that was checked beforehand."""
    command = ["wrk", "-t1", "-c1", f"-d{seconds}s", "--timeout", "60s", "--latency", url]
    for k, v in ({**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}).items():
        command[1:1] = ["-H", f"{k}: {v}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            raise RuntimeError(out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses")
    if body_bytes is not None:
        m = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", out)
        if not m:
            raise RuntimeError(out)
        total = float(m.group(2)) * 1024 ** "BKMGT".index(m.group(3)[0])
        mean = total / int(m.group(1))
        if not body_bytes[0] <= mean <= body_bytes[1]:
            raise RuntimeError(f"{url}: {mean:,.0f} bytes per response, expected "
                               f"{body_bytes[0]:,} to {body_bytes[1]:,}")
    return ms("50"), ms("99"), rate


async def claim_times(url: str, key: str, rounds: int = 30) -> list[float]:
    from legal_tracker import db
    from legal_tracker.common import utcnow
    from legal_tracker.reminders.dispatcher import Dispatcher
    from legal_tracker.reminders.gateways.console import ConsoleGateway
    from legal_tracker.settings import Settings

    settings = Settings(environment="test", database_url=url, secret_key=key, scheduler=False)
    await db.setup(settings)
    out = []
    try:
        dispatcher = Dispatcher(ConsoleGateway(), settings)
        for _ in range(rounds):
            await db.execute(
                "UPDATE reminder SET status = 'pending', send_at = now() - interval '1 minute', "
                "lease_owner = NULL, lease_until = NULL WHERE id IN (SELECT id FROM reminder "
                "WHERE status = 'pending' ORDER BY id LIMIT 200)")
            started = time.perf_counter()
            claimed = await dispatcher.claim(200, utcnow())
            out.append((time.perf_counter() - started) * 1000)
            await db.execute("UPDATE reminder SET status = 'pending', send_at = now() + "
                             "interval '30 days', lease_owner = NULL, lease_until = NULL "
                             "WHERE id = ANY({})", claimed)
    finally:
        await db.teardown()
    return out


def measure(url: str, key: str, seconds: int, n: dict[str, int], tmp: Path,
            only: list[str] | None = None) -> dict[str, tuple]:
    def want(label: str) -> bool:
        return not only or any(word in label for word in only)

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGAL_TRACKER_")}
    env.update({"LEGAL_TRACKER_DATABASE_URL": url, "LEGAL_TRACKER_SECRET_KEY": key,
                "LEGAL_TRACKER_PORT": str(port), "LEGAL_TRACKER_SCHEDULER": "off",
                "LEGAL_TRACKER_LOG_LEVEL": "WARNING", "LEGAL_TRACKER_DATA_DIR": str(tmp),
                "LEGAL_TRACKER_LOGIN_RATE_PER_MINUTE": "1000", "LEGAL_TRACKER_REQUIRE_2FA": "off",
                "LEGAL_TRACKER_FEED_RATE_PER_MINUTE": "100000000",
                "LEGAL_TRACKER_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    server = subprocess.Popen([sys.executable, "-m", "legal_tracker.cli", "serve", "--no-migrate"],
                              cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=(tmp / "server.log").open("wb"))
    base = f"http://127.0.0.1:{port}"
    results: dict[str, tuple] = {}
    try:
        _wait_for_server(server, base + "/health", tmp / "server.log")
        token = httpx.post(base + "/api/auth/login", json={
            "email": "admin@bench.example", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        deep = n["hearings"] // 2
        cursor = httpx.get(base + "/api/hearings", params={"limit": 50, "offset": deep - 50},
                           headers=auth, timeout=120).json()["next_cursor"]
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
        year_from = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 365 * 86400))
        year_to = time.strftime("%Y-%m-%d", time.gmtime())
        feeds = any(want(label) for label in ("500-event feed, warm 200", "500-event feed, 304",
                                              "500-event feed, 304 after a write elsewhere",
                                              "500-event feed, cold (after a change)"))
        if feeds:
            asyncio.run(_top_up(url))
            sub = httpx.post(base + "/api/calendar-subscriptions", headers=auth,
                             json={"scope": "case", "target_id": FEED_CASE}).json()
            feed = base + "/calendars/" + sub["url"].rsplit("/calendars/", 1)[1]
            # As wrk asks: no Accept-Encoding, so the plain body (httpx would ask for gzip).
            plain = {"Accept-Encoding": "identity"}
            first = httpx.get(feed, headers=plain, timeout=120)
            check_feed(first)
            size = len(first.content)
        endpoints = {
            "hearings, first page": f"{base}/api/hearings?limit=50",
            "hearings, half-way by offset": f"{base}/api/hearings?limit=50&offset={deep}",
            "hearings, half-way by cursor": f"{base}/api/hearings?limit=50&cursor={cursor}",
            "roster of a day (one office)": f"{base}/api/hearings?office_id=3&day={day}&limit=200",
            "case timeline": f"{base}/api/cases/1/timeline",
            "deadlines (org admin)": f"{base}/api/deadlines",
            "outcome report, one office, a year":
                f"{base}/api/reports/outcomes?office_id=3&from={year_from}&to={year_to}",
        }
        for label, target in endpoints.items():
            if want(label):
                results[label] = wrk(target, token, seconds)
        if want("500-event feed, warm 200"):
            check_feed(httpx.get(feed, headers=plain, timeout=120))
            # Each response: the checked body plus its headers (well under 2 kB).
            results["500-event feed, warm 200"] = wrk(feed, None, seconds,
                                                      body_bytes=(size, size + 2048))
        if want("500-event feed, 304"):
            etag = {"If-None-Match": first.headers["etag"]}
            unchanged = httpx.get(feed, headers={**plain, **etag}, timeout=120)
            if unchanged.status_code != 304:
                raise RuntimeError(f"feed with its ETag: HTTP {unchanged.status_code}, not 304")
            results["500-event feed, 304"] = wrk(feed, None, seconds, etag, body_bytes=(1, 2048))
        # A write anywhere moves the change counter (m0655), so on a busy installation the 304
        # usually needs the feed's state query: timed one request at a time after a write to
        # another case's hearing.
        elsewhere = []
        for _ in range(15 if want("500-event feed, 304 after a write elsewhere") else 0):
            asyncio.run(_touch(url, 0, case=FEED_CASE + 1))
            started = time.perf_counter()
            response = httpx.get(feed, headers={**plain, "If-None-Match": first.headers["etag"]},
                                 timeout=120)
            elsewhere.append((time.perf_counter() - started) * 1000)
            if response.status_code != 304:
                raise RuntimeError(f"feed after a write elsewhere: HTTP {response.status_code}")
        if elsewhere:
            results["500-event feed, 304 after a write elsewhere"] = _pcts(elsewhere) + (None,)
        cold = []
        for i in range(15 if want("500-event feed, cold (after a change)") else 0):
            asyncio.run(_touch(url, i))
            started = time.perf_counter()
            response = httpx.get(feed, headers=plain, timeout=120)
            cold.append((time.perf_counter() - started) * 1000)
            check_feed(response)
        if cold:
            results["500-event feed, cold (after a change)"] = _pcts(cold) + (None,)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if want("reminder claim (200 due)"):
        results["reminder claim (200 due)"] = _pcts(asyncio.run(claim_times(url, key))) + (None,)
    return results


def _wait_for_server(server: subprocess.Popen, url: str, log: Path, timeout: float = 180) -> None:
    """Until ``url`` answers; fails at once, with the server's own words, when it exits (e.g.
    ``--reuse`` with another BENCH_KEY than the one the database was filled with)."""
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{log.read_text(errors='replace')[-2000:]}")


async def _top_up(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await top_up_feed_case(conn)
    finally:
        await conn.close()


async def _touch(url: str, i: int, case: int = FEED_CASE) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("UPDATE hearing SET updated_at = now(), version = version + 1 "
                           "WHERE id = (SELECT id FROM hearing WHERE \"case\" = $2 AND starts_at > now() "
                           "ORDER BY starts_at OFFSET $1 LIMIT 1)", i, case)
    finally:
        await conn.close()


def _pcts(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="a server URL (a database is made per scale)")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 1.0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", metavar="PREFIX",
                        help="use (or make once and keep) the databases PREFIX_<scale>: filled "
                        "only if new, migrated every run (so new indexes apply); BENCH_KEY must "
                        "stay the same between runs")
    parser.add_argument("--only", nargs="+", metavar="WORD",
                        help="measure only the endpoints whose label contains one of the words")
    args = parser.parse_args()
    from legal_tracker.crypto import generate_key

    key = os.environ.setdefault("BENCH_KEY", generate_key())
    table: dict[float, dict[str, tuple]] = {}
    import tempfile

    for scale in args.scales:
        suffix = str(scale).replace('.', '_')
        name = (f"{args.reuse}_{suffix}" if args.reuse
                else f"bench_national_{suffix}_{uuid.uuid4().hex[:6]}")
        new = not (args.reuse and asyncio.run(_exists(args.postgres, name)))
        if new:
            asyncio.run(_admin(args.postgres, f'CREATE DATABASE "{name}"'))
        url = with_db(args.postgres, name)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                n = sizes(scale)
                asyncio.run(migrate_and_admin(url, key, Path(tmp), admin=new))
                if new:
                    started = time.perf_counter()
                    times = asyncio.run(fill(url, n))
                    print(f"\nscale {scale:g}: " + ", ".join(f"{k} {v:,}" for k, v in n.items())
                          + f"; filled in {time.perf_counter() - started:.0f} s ("
                          + ", ".join(f"{k} {v:.1f}" for k, v in times.items()) + ")", flush=True)
                else:
                    print(f"\nscale {scale:g}: reusing {name}", flush=True)
                table[scale] = measure(url, key, args.seconds, n, Path(tmp), args.only)
                for label, (p50, p99, rate) in table[scale].items():
                    print(f"  {label:40s} p50 {p50:8.1f} ms  p99 {p99:8.1f} ms"
                          + (f"  {rate:8.1f} req/s" if rate else ""), flush=True)
        finally:
            if not (args.keep or args.reuse):
                asyncio.run(_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    if len(table) >= 2:
        small, large = min(table), max(table)
        print(f"\n| endpoint | p50 / p99 ms at {small:g} | p50 / p99 ms at {large:g} "
              "| p50 ratio | p99 ratio |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label in table[small]:
            a, b = table[small][label], table[large][label]
            print(f"| {label} | {a[0]:.1f} / {a[1]:.1f} | {b[0]:.1f} / {b[1]:.1f} | "
                  f"{b[0] / a[0]:.2f} | {b[1] / a[1]:.2f} |")


async def _exists(url: str, name: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
