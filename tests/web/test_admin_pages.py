"""The administration pages over HTTP (in-process): inviting staff (with the invitation emailed
through a real SMTP server), the errors beside the fields, role and office as a conditional
change, deactivation ending the person's session, unlocking, offices and courts, the audit
log with names, and who may do what."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from api.app import create_app
from legal_tracker.common import utcnow
from legal_tracker.organisation.tables import Staff
from legal_tracker.settings import Settings
from tests.accounts.conftest import STRONG, MailServer, mail_server  # noqa: F401 - a fixture
from tests.conftest import World
from tests.web.test_foundation import csrf_of, sign_in
from tests.web.test_pages import _post


@asynccontextmanager
async def _browser(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own (its own cookies), like a second person's browser."""
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as c:
        yield c


async def _offices(world: World) -> tuple[dict, dict]:
    return await world.office(), await world.office("Manila", "Asia/Manila", "PH")


async def test_invite_with_errors_beside_the_fields_then_the_emailed_link_works(
        world: World, mail_server: MailServer) -> None:  # noqa: F811 - the fixture
    nairobi, _manila = await _offices(world)
    settings = world.settings.with_overrides(smtp_url=mail_server.url,
                                             mail_from="tracker@example.org")
    async with _browser(settings) as web:
        await sign_in(web, "admin@example.org")
        # The main navigation leads an administrator here.
        assert 'href="/app/admin"' in (await web.get("/app/")).text
        page = "/app/admin/staff/new"
        r = await _post(web, page, {"name": "", "email": "not an address", "role": "boss",
                                    "office_id": str(nairobi["id"])})
        assert r.status_code == 422
        for field in ("name", "role"):
            assert f'id="f-{field}-error"' in r.text, field
        assert 'value="not an address"' in r.text  # what was typed stays
        r = await _post(web, page, {"name": "Neema Newcomer", "email": "not an address",
                                    "role": "caseworker", "office_id": str(nairobi["id"])})
        assert r.status_code == 422 and 'id="f-email-error"' in r.text
        r = await _post(web, page, {"name": "Neema Newcomer", "email": "admin@example.org",
                                    "role": "caseworker", "office_id": str(nairobi["id"])})
        assert r.status_code == 422 and "already uses this address" in r.text
        r = await _post(web, page, {"name": "Neema Newcomer", "email": "neema@example.org",
                                    "role": "caseworker", "office_id": str(nairobi["id"])})
        assert r.status_code == 201, r.text
        assert "The invitation was emailed to neema@example.org" in r.text
        shown = re.search(r'<code id="invitation-url">([^<]+)</code>', r.text).group(1)
        assert len(mail_server.box.messages) == 1
        assert mail_server.box.recipients[0] == ["neema@example.org"]
        body = mail_server.box.messages[0].get_payload(decode=True).decode()
        assert shown in body
        for word in ("trafficking", "abuse", "victim", "survivor", "case", "court"):
            assert word not in body.lower(), word
        token = shown.rsplit("/", 1)[1]
        # The list shows the newcomer; their page says they have not chosen a password.
        listing = (await web.get("/app/admin")).text
        assert "Neema Newcomer" in listing and "Nairobi" in listing
        staff_id = int(re.search(r'/app/admin/staff/(\d+)">Neema', listing).group(1))
        person = (await web.get(f"/app/admin/staff/{staff_id}")).text
        assert "Invited: no password chosen yet" in person and "Send a new invitation" in person
        # A new invitation replaces the emailed one.
        r = await _post(web, f"/app/admin/staff/{staff_id}/invitation", {},
                        f"/app/admin/staff/{staff_id}")
        assert r.status_code == 200 and len(mail_server.box.messages) == 2
        newer = re.search(r'<code id="invitation-url">([^<]+)</code>', r.text).group(1)
        assert newer != shown
    async with _browser(world.settings) as newcomer:
        assert "replaced by a newer one" in (await newcomer.get(f"/app/invitation/{token}")).text
        path = newer.removeprefix("https://tracker.example.org")
        r = await _post(newcomer, path, {"password": STRONG, "confirm": STRONG})
        assert r.status_code == 200 and "Your password is set" in r.text
        assert (await world.client.post("/api/auth/login", json={
            "email": "neema@example.org", "password": STRONG})).status_code == 200


async def test_without_mail_the_link_is_shown_to_pass_on(world: World, web: httpx.AsyncClient) -> None:
    nairobi, _ = await _offices(world)
    await sign_in(web, "admin@example.org")
    r = await _post(web, "/app/admin/staff/new", {
        "name": "Otieno Other", "email": "otieno@example.org", "role": "lawyer",
        "office_id": str(nairobi["id"])})
    assert r.status_code == 201
    assert "emailed" not in r.text and "/app/invitation/" in r.text


async def test_role_and_office_change_is_conditional_and_audited_with_names(
        world: World, web: httpx.AsyncClient) -> None:
    nairobi, manila = await _offices(world)
    lawyer_id, _ = await world.user("lawyer", nairobi["id"], email="amina@example.org",
                                    name="Amina Lawyer")
    await sign_in(web, "admin@example.org")
    person = f"/app/admin/staff/{lawyer_id}"
    seen = {"expected_role": "lawyer", "expected_office": str(nairobi["id"])}
    # Someone else makes her a caseworker meanwhile: the page's change loses the race (409).
    await world.client.patch(f"/api/staff/{lawyer_id}", json={"role": "caseworker"},
                             headers=world.admin)
    r = await _post(web, f"{person}/change", {**seen, "role": "viewer",
                                              "office_id": str(manila["id"])}, person)
    assert r.status_code == 409 and "someone else changed" in r.text
    assert (await world.client.get(f"/api/staff/{lawyer_id}", headers=world.admin)).json()[
        "role"] == "caseworker"
    r = await _post(web, f"{person}/change", {"expected_role": "caseworker",
                                              "expected_office": str(nairobi["id"]),
                                              "role": "viewer", "office_id": str(manila["id"])},
                    person)
    assert r.status_code == 303 and r.headers["location"].endswith("done=staff_saved")
    got = (await world.client.get(f"/api/staff/{lawyer_id}", headers=world.admin)).json()
    assert got["role"] == "viewer" and got["office_id"] == manila["id"]
    # An unknown role is refused beside the field.
    r = await _post(web, f"{person}/change", {"expected_role": "viewer", "role": "boss",
                                              "expected_office": str(manila["id"]),
                                              "office_id": str(manila["id"])}, person)
    assert r.status_code == 422 and 'id="f-change-role-error"' in r.text
    # The audit log names who did it and to whom, with the old and new values.
    admin_id = (await world.client.get("/api/staff", headers=world.admin)).json()["items"]
    admin_id = next(s["id"] for s in admin_id if s["email"] == "admin@example.org")
    r = await web.get("/app/admin/audit", params={"actor_id": admin_id, "entity": "staff",
                                                  "entity_id": lawyer_id, "action": "update"})
    assert r.status_code == 200
    events = r.text.split('<ol class="cards audit">')[1]
    assert "Org Admin" in events and "Amina Lawyer" in events
    assert "Office: Nairobi → Manila; Role: Caseworker → Viewer" in events
    assert f"#{lawyer_id}" not in events
    # Unfiltered: every kind of event (sign-ins, creations…) reads as words.
    r = await web.get("/app/admin/audit")
    assert r.status_code == 200 and "Signed in" in r.text
    # Filters: a day range with nothing in it, and a last day before the first.
    r = await web.get("/app/admin/audit", params={"from": "2001-01-01", "to": "2001-01-02"})
    assert "No event matches." in r.text
    r = await web.get("/app/admin/audit", params={"from": "2030-01-02", "to": "2030-01-01"})
    assert r.status_code == 422 and 'id="f-to-error"' in r.text


async def test_deactivate_ends_the_session_reactivate_and_unlock(
        world: World, web: httpx.AsyncClient) -> None:
    nairobi, _ = await _offices(world)
    worker_id, _ = await world.user("caseworker", nairobi["id"], email="grace@example.org",
                                    name="Grace Caseworker")
    async with _browser(world.settings) as grace:
        await sign_in(grace, "grace@example.org")
        assert (await grace.get("/app/cases")).status_code == 200
        await sign_in(web, "admin@example.org")
        person = f"/app/admin/staff/{worker_id}"
        confirm = (await web.get(f"{person}/deactivate")).text
        assert "Deactivate Grace Caseworker?" in confirm
        r = await _post(web, f"{person}/deactivate", {}, f"{person}/deactivate")
        assert r.status_code == 303
        assert "Deactivated" in (await web.get(r.headers["location"])).text
        # Her session ended at once: the next page sends her to sign in.
        r = await grace.get("/app/cases")
        assert r.status_code == 303 and r.headers["location"].startswith("/app/login")
        # Deactivating twice is a lost race, said in words.
        r = await _post(web, f"{person}/deactivate", {}, f"{person}/deactivate")
        assert r.status_code == 409
        r = await _post(web, f"{person}/reactivate", {}, person)
        assert r.status_code == 303
        assert (await sign_in(grace, "grace@example.org")).status_code == 303
        assert (await grace.get("/app/cases")).status_code == 200
    # Locked after wrong passwords; the admin unlocks.
    await Staff.update({Staff.locked_until: utcnow() + timedelta(minutes=15),
                        Staff.failed_logins: 6}).where(Staff.id == worker_id)
    html = (await web.get(person)).text
    assert "Locked until" in html and "Unlock the account" in html
    assert "Locked" in (await web.get("/app/admin")).text
    r = await _post(web, f"{person}/unlock", {}, person)
    assert r.status_code == 303
    row = await Staff.select(Staff.locked_until).where(Staff.id == worker_id).first()
    assert row["locked_until"] is None
    assert "The account was unlocked." in (await web.get(r.headers["location"])).text


async def test_an_office_admin_manages_only_their_office_and_others_are_refused(
        world: World, web: httpx.AsyncClient) -> None:
    nairobi, manila = await _offices(world)
    await world.user("admin", nairobi["id"], email="nadmin@example.org", name="Nairobi Admin")
    manila_id, _ = await world.user("lawyer", manila["id"], email="m@example.org", name="Manila Lawyer")
    local_id, _ = await world.user("lawyer", nairobi["id"], email="l@example.org", name="Local Lawyer")
    await world.user("viewer", nairobi["id"], email="viewer@example.org", name="Vic Viewer")
    await sign_in(web, "nadmin@example.org")
    listing = (await web.get("/app/admin")).text
    assert "Local Lawyer" in listing and "Manila Lawyer" not in listing
    # Another office's person: not found, and changing them changes nothing.
    assert (await web.get(f"/app/admin/staff/{manila_id}")).status_code == 404
    token = await csrf_of(web, "/app/admin")
    r = await web.post(f"/app/admin/staff/{manila_id}/deactivate", data={"_csrf_token": token})
    assert r.status_code == 404
    assert (await world.client.get(f"/api/staff/{manila_id}", headers=world.admin)).json()["active"]
    # Nor may they move their own people to another office.
    person = f"/app/admin/staff/{local_id}"
    r = await _post(web, f"{person}/change", {"expected_role": "lawyer", "role": "lawyer",
                                              "expected_office": str(nairobi["id"]),
                                              "office_id": str(manila["id"])}, person)
    assert r.status_code == 422 and "your own office" in r.text
    # The organisation-wide admin is listed but not theirs to change.
    org_admin = re.search(r'/app/admin/staff/(\d+)">Org Admin', listing).group(1)
    html = (await web.get(f"/app/admin/staff/{org_admin}")).text
    assert "only an organisation-wide admin may change it" in html and "Deactivate" not in html
    # Opening an office is for organisation-wide admins.
    assert (await web.get("/app/admin/offices/new")).status_code == 403
    assert (await web.get(f"/app/admin/offices/{manila['id']}")).status_code == 403
    # A viewer sees no Administration link and is refused every administration page.
    async with _browser(world.settings) as viewer:
        await sign_in(viewer, "viewer@example.org")
        assert 'href="/app/admin"' not in (await viewer.get("/app/")).text
        for path in ("/app/admin", "/app/admin/audit", "/app/admin/offices",
                     f"/app/admin/staff/{local_id}", "/app/admin/staff/new"):
            assert (await viewer.get(path)).status_code == 403, path
        token = await csrf_of(viewer, "/app/")
        r = await viewer.post(f"/app/admin/staff/{local_id}/deactivate", data={"_csrf_token": token})
        assert r.status_code == 403
    assert (await world.client.get(f"/api/staff/{local_id}", headers=world.admin)).json()["active"]


async def test_offices_and_courts_with_time_zones_from_a_list(
        world: World, web: httpx.AsyncClient) -> None:
    await sign_in(web, "admin@example.org")
    r = await _post(web, "/app/admin/offices/new", {"name": "", "country": "KE",
                                                    "timezone": "Mars/Olympus"})
    assert r.status_code == 422
    assert 'id="f-name-error"' in r.text and 'id="f-timezone-error"' in r.text
    assert '<option value="Africa/Nairobi">Africa/Nairobi</option>' in r.text
    r = await _post(web, "/app/admin/offices/new", {"name": "Kisumu", "country": "KE",
                                                    "timezone": "Africa/Nairobi",
                                                    "phone": "0712"})
    assert r.status_code == 422 and 'id="f-phone-error"' in r.text
    r = await _post(web, "/app/admin/offices/new", {"name": "Kisumu", "country": "KE",
                                                    "timezone": "Africa/Nairobi"})
    assert r.status_code == 303
    offices = (await world.client.get("/api/offices", headers=world.admin)).json()["items"]
    kisumu = next(o for o in offices if o["name"] == "Kisumu")
    page = f"/app/admin/offices/{kisumu['id']}"
    html = (await web.get(page)).text
    assert '<option value="Africa/Nairobi" selected>' in html and '<option value="KE" selected>' in html
    r = await _post(web, page, {"name": "Kisumu West", "country": "KE",
                                "timezone": "Africa/Kampala"}, page)
    assert r.status_code == 303
    got = (await world.client.get(f"/api/offices/{kisumu['id']}", headers=world.admin)).json()
    assert got["name"] == "Kisumu West" and got["timezone"] == "Africa/Kampala"
    # Courts: add with a problem beside the field, then edit.
    r = await _post(web, "/app/admin/courts/new", {"name": "Winam Court", "timezone": "",
                                                   "office_id": str(kisumu["id"])})
    assert r.status_code == 422 and 'id="f-timezone-error"' in r.text
    r = await _post(web, "/app/admin/courts/new", {"name": "Winam Court", "address": "Kisumu",
                                                   "timezone": "Africa/Nairobi",
                                                   "office_id": str(kisumu["id"])})
    assert r.status_code == 303
    listing = (await web.get("/app/admin/offices")).text
    assert "Winam Court" in listing and "Kisumu West" in listing
    court_id = re.search(r'/app/admin/courts/(\d+)">Winam Court', listing).group(1)
    r = await _post(web, f"/app/admin/courts/{court_id}", {
        "name": "Winam Law Courts", "address": "Kisumu", "timezone": "Africa/Nairobi",
        "office_id": str(kisumu["id"])}, f"/app/admin/courts/{court_id}")
    assert r.status_code == 303
    assert "Winam Law Courts" in (await web.get("/app/admin/offices")).text
    # The page names of the public surface lead here.
    r = await web.get("/app/courts")
    assert r.status_code == 308 and r.headers["location"] == "/app/admin/offices"


async def test_reports_page_shows_the_sms_delivery_rate_and_its_chart(
        world: World, web: httpx.AsyncClient) -> None:
    from legal_tracker.reminders.tables import Reminder
    from tests.casework.test_reports import _family_reminders

    nairobi, _ = await _offices(world)
    await _family_reminders(world, nairobi, None)
    rows = await Reminder.select(Reminder.id).where(Reminder.office == nairobi["id"]).order_by(
        Reminder.id)
    # Three handed to the gateway, two of them delivered: 66.7 %.
    for row, status in zip(rows[:3], ("delivered", "delivered", "failed"), strict=True):
        await Reminder.update({Reminder.status: status, Reminder.sent_at: utcnow()}).where(
            Reminder.id == row["id"])
    await sign_in(web, "admin@example.org")
    html = (await web.get("/app/reports")).text
    figures = html.split('class="cards figures"')[1].split("</ul>")[0]
    assert "SMS delivery rate" in figures and "66.7 %" in figures
    assert "2 delivered of 3 messages sent" in figures
    opening = '<section class="report-table" aria-labelledby="t-sms_delivery_by_office">'
    section = html.split(opening)[1].split("</section>")[0]
    assert section.count('class="chart-bar"') == 1 and "66.7 %" in section
    assert "<td>Nairobi</td><td>3</td><td>2</td><td>66.7</td>" in section
    csv_text = (await web.get("/app/reports/csv/sms_delivery_by_office")).text
    assert csv_text.splitlines()[1] == "Nairobi,3,2,66.7"


async def test_password_reset_link_and_two_factor_reset_for_a_lost_phone(
        world: World, web: httpx.AsyncClient) -> None:
    from tests.accounts.conftest import code

    nairobi, _ = await _offices(world)
    staff_id, headers = await world.user("lawyer", nairobi["id"], email="phone@example.org",
                                         name="Lost Phone")
    await sign_in(web, "admin@example.org")
    person = f"/app/admin/staff/{staff_id}"
    # Nothing to reset yet: said in words, nothing changed.
    r = await _post(web, f"{person}/two-factor-reset", {}, person)
    assert r.status_code == 409 and "no second factor set up" in r.text
    secret = (await world.client.post("/api/auth/mfa/setup", headers=headers)).json()["secret"]
    assert (await world.client.post("/api/auth/mfa/confirm", headers=headers,
                                    json={"code": code(secret)})).status_code == 200
    r = await _post(web, f"{person}/two-factor-reset", {}, person)
    assert r.status_code == 303 and r.headers["location"].endswith("done=mfa_reset")
    # Their sessions ended, and they sign in with their password alone again.
    assert (await world.client.get("/api/offices", headers=headers)).status_code == 401
    status = (await world.client.get("/api/auth/mfa", headers=await world.login(
        "phone@example.org"))).json()
    assert status["enrolled"] is False
    # A reset link, shown once, that sets a new password.
    r = await _post(web, f"{person}/password-reset", {}, person)
    assert r.status_code == 200 and "Password reset link for Lost Phone" in r.text
    url = re.search(r'<code id="invitation-url">([^<]+)</code>', r.text).group(1)
    assert "/app/reset/" in url
    async with _browser(world.settings) as them:
        r = await _post(them, url.removeprefix("https://tracker.example.org"),
                        {"password": STRONG, "confirm": STRONG})
        assert r.status_code == 200 and "Your password is set" in r.text
    assert (await world.client.post("/api/auth/login", json={
        "email": "phone@example.org", "password": STRONG})).status_code == 200
