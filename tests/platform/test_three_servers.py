"""The shape users deploy (issue 15): three ``legal-tracker serve`` processes, each with its own
data directory, on one PostgreSQL database, reached over real HTTP. Whatever one server does,
the others see: a template uploaded through one is drafted through another and downloaded
through the third; a feed subscribed on one is fetched from another; wrong passwords spread
over the three lock the account; 1,000 due reminders are sent once between their tickers."""

from __future__ import annotations

import asyncio
import io
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from docx import Document

from legal_tracker.reminders.tables import Reminder
from tests.conftest import bootstrap_admin
from tests.filings.conftest import DOCX, make_docx
from tests.platform.servers import serving
from tests.reminders.conftest import zone_at_local_hour
from tests.reminders.seed_due import phone_for, seed_due_reminders
from tests.reminders.units.fake_gateway import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, FakeSmsServer

REMINDERS = 1000
PASSWORD = "correct horse battery"


async def _login(client: httpx.AsyncClient, url: str, email: str, password: str = PASSWORD) -> Any:
    return await client.post(url + "/api/auth/login", json={"email": email, "password": password})


async def _auth(client: httpx.AsyncClient, url: str, email: str) -> dict[str, str]:
    response = await _login(client, url, email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _post(client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict) -> dict:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_three_servers_share_everything_but_their_disks(database, tmp_path):
    if database.is_sqlite:
        pytest.skip("the several-servers deployment runs on PostgreSQL")
    await bootstrap_admin(database)
    with FakeSmsServer() as fake_sms, serving(
            database.database_url, tmp_path, 3, scheduler="on", scheduler_interval_seconds="0.5",
            sms_gateway="twilio", twilio_account_sid=TWILIO_ACCOUNT_SID,
            twilio_auth_token=TWILIO_AUTH_TOKEN, twilio_from="+15005550006",
            twilio_base_url=fake_sms.base_url, sms_rate_per_second="0",
            login_rate_per_minute="1000") as servers:
        a, b, c = (s.url for s in servers)
        async with httpx.AsyncClient(timeout=60) as client:
            admin = await _auth(client, a, "admin@example.org")
            office = await _post(client, a + "/api/offices", admin, {
                "name": "Nairobi", "country": "KE", "timezone": "Africa/Nairobi"})
            court = await _post(client, b + "/api/courts", admin, {
                "name": "Kibera Law Courts", "timezone": "Africa/Nairobi", "office_id": office["id"]})
            lawyer = await _post(client, c + "/api/staff", admin, {
                "name": "Lawyer Example", "email": "lawyer@example.org", "role": "lawyer",
                "office_id": office["id"], "password": PASSWORD})
            lawyer_auth = await _auth(client, b, "lawyer@example.org")
            case = await _post(client, a + "/api/cases", admin, {
                "reference": "CR 77/2031", "office_id": office["id"], "court_id": court["id"],
                "staff_ids": [lawyer["id"]]})

            # A template uploaded through A, drafted through B, downloaded through C.
            template = make_docx(["Notice in {{ case.reference }}", "Reason: {{ reason }}"])
            uploaded = await client.post(a + "/api/templates", headers=admin,
                                         data={"key": "notice_of_motion", "title": "Notice"},
                                         files={"file": ("notice.docx", template, DOCX)})
            assert uploaded.status_code == 201, uploaded.text
            filing = await _post(client, b + f"/api/cases/{case['id']}/filings", lawyer_auth, {
                "template": "notice_of_motion", "fields": {"reason": "Fictional reason"}})
            downloaded = await client.get(c + filing["download_url"], headers=lawyer_auth)
            assert downloaded.status_code == 200
            text = "\n".join(p.text for p in Document(io.BytesIO(downloaded.content)).paragraphs)
            assert "Notice in CR 77/2031" in text and "Reason: Fictional reason" in text
            copy = await client.get(c + "/api/templates/notice_of_motion/download", headers=admin)
            assert copy.content == template
            for server in servers:  # nothing was written to any server's disk
                assert not server.data_dir.exists() or not any(server.data_dir.rglob("*"))

            # A feed subscribed on A is fetched from B and C alike.
            sub = await _post(client, a + "/api/calendar-subscriptions", lawyer_auth,
                              {"scope": "case", "target_id": case["id"]})
            path = "/calendars/" + sub["url"].rsplit("/calendars/", 1)[1]
            from_b = await client.get(b + path)
            from_c = await client.get(c + path, headers={"If-None-Match": from_b.headers["etag"]})
            assert from_b.status_code == 200 and "BEGIN:VCALENDAR" in from_b.text
            assert from_c.status_code == 304

            # Six wrong passwords spread over the three servers lock the account everywhere.
            codes = [(await _login(client, (a, b, c)[i % 3], "lawyer@example.org",
                                   "wrong password")).status_code for i in range(6)]
            assert codes == [401] * 6
            for url in (a, b, c):
                assert (await _login(client, url, "lawyer@example.org")).status_code == 401

        # 1,000 due reminders: the three tickers send each one exactly once.
        phones = await seed_due_reminders(REMINDERS, zone_at_local_hour(12))
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            statuses = Counter(r["status"] for r in await Reminder.select(Reminder.status))
            if statuses.get("sent", 0) == REMINDERS:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.5)  # a late duplicate would show now
        received = Counter(r.to for r in fake_sms.requests)
    assert statuses == {"sent": REMINDERS}, statuses
    assert len(fake_sms.requests) == REMINDERS
    assert set(received) == set(phones) == {phone_for(i) for i in range(REMINDERS)}
    assert set(received.values()) == {1}
    ids = await Reminder.select(Reminder.provider_message_id)
    assert len({r["provider_message_id"] for r in ids}) == REMINDERS
