"""Schemathesis against the whole API, as an authenticated organisation admin, through a real
uvicorn server on loopback (so it runs the same on SQLite and PostgreSQL): no operation may
answer 5xx, and every response must match the schema the API itself publishes.

Bounded and deterministic: a fixed number of derandomised examples per operation."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import schemathesis
import schemathesis.specs.openapi.checks as sc
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import TEST_KEY, reset_postgres

# What "no 5xx and no response that breaks its own schema" means. Left out on purpose:
# positive_data_acceptance (the domain rightly rejects schema-valid values such as an unknown
# time zone or an id that does not exist) and the stateful checks.
CHECKS = [not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
          sc.response_headers_conformance, sc.response_schema_conformance, sc.ignored_auth]
EXAMPLES = int(os.environ.get("LEGAL_TRACKER_FUZZ_EXAMPLES", "30"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory, pg_database):
    import asyncio

    work: Path = tmp_path_factory.mktemp("fuzz")
    if pg_database:
        asyncio.run(reset_postgres(pg_database))
    url = pg_database or f"sqlite:///{work / 'fuzz.sqlite'}"
    port = _port()
    env = {**os.environ, "LEGAL_TRACKER_DATABASE_URL": url, "LEGAL_TRACKER_DATA_DIR": str(work),
           "LEGAL_TRACKER_SECRET_KEY": TEST_KEY, "LEGAL_TRACKER_SCHEDULER": "off",
           "LEGAL_TRACKER_LOGIN_RATE_PER_MINUTE": "100000", "LEGAL_TRACKER_LOG_LEVEL": "WARNING",
           "LEGAL_TRACKER_FEED_RATE_PER_MINUTE": "100000",
           # Fuzzed wrong passwords (POST /api/auth/password) must not lock the account the
           # run signs in with; two-factor sign-in has tests of its own (tests/accounts).
           "LEGAL_TRACKER_LOGIN_MAX_FAILURES": "1000000", "LEGAL_TRACKER_REQUIRE_2FA": "off"}
    cli = [sys.executable, "-m", "legal_tracker.cli"]
    subprocess.run([*cli, "create-user", "--email", "fuzz@example.org", "--role", "admin",
                    "--name", "Fuzz Admin"], input=b"correct horse battery\n", env=env,
                   check=True, capture_output=True)
    # A second person for the operations that end sessions or change one's own password, so
    # they never touch the admin's token the other operations use.
    subprocess.run([*cli, "create-user", "--email", "fuzz2@example.org", "--role", "viewer",
                    "--name", "Fuzz Viewer"], input=b"correct horse battery\n", env=env,
                   check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port),
         "--log-level", "warning", "--no-access-log"], env=env, stdout=subprocess.DEVNULL,
        stderr=open(work / "server.log", "w"))  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    # A little data so that operations on existing ids reach their handlers.
    headers = _login(base)
    office = httpx.post(base + "/api/offices", headers=headers, json={
        "name": "Fuzz office", "country": "KE", "timezone": "Africa/Nairobi"}).json()
    court = httpx.post(base + "/api/courts", headers=headers, json={
        "name": "Fuzz court", "timezone": "Africa/Nairobi", "office_id": office["id"]}).json()
    survivor = httpx.post(base + "/api/survivors", headers=headers,
                          json={"office_id": office["id"]}).json()
    case = httpx.post(base + "/api/cases", headers=headers, json={
        "reference": "FZ 1", "office_id": office["id"], "court_id": court["id"],
        "survivor_ids": [survivor["id"]]}).json()
    httpx.post(base + f"/api/cases/{case['id']}/hearings", headers=headers,
               json={"starts_at": "2031-01-01T09:00:00+03:00", "kind": "mention"})
    yield base, headers, work
    server.terminate()
    server.wait(10)


def _login(base: str, email: str = "fuzz@example.org") -> dict[str, str]:
    token = httpx.post(base + "/api/auth/login", json={"email": email,
                                                       "password": "correct horse battery"}).json()
    return {"Authorization": f"Bearer {token['token']}"}


def test_no_operation_fails_or_breaks_its_schema(fuzz_server):
    """One derandomised Hypothesis run per operation; every failure is collected so one run
    names them all. (Schemathesis's pytest plugin does not load under pytest 9, so the
    operations are driven directly.)"""
    base, headers, work = fuzz_server
    schema = schemathesis.openapi.from_url(base + "/schema/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Logging out revokes the token it is called with: give it a token of its own. Ending
        # sessions and changing one's password end others: another person's, of their own.
        own_token = operation.path == "/api/auth/logout"
        other_person = operation.path in {"/api/auth/sessions/{session_id}", "/api/auth/password"}

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case) -> None:
            auth = (_login(base) if own_token  # noqa: B023 - run() runs right away
                    else _login(base, "fuzz2@example.org") if other_person  # noqa: B023
                    else headers)
            case.call_and_validate(base_url=base, headers=auth, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    print(f"schemathesis: {operations} operations x {EXAMPLES} examples, {len(failures)} failing")
    assert operations > 20
    assert failures == [], "\n\n".join(failures)
    # Nothing the server logged is a traceback either.
    log = (work / "server.log").read_text()
    assert "Traceback" not in log, log[-3000:]
