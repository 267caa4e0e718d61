"""The web app's side of accounts: an invited person chooses a password on a page, a used link
says so plainly, and a person whose account needs two-factor sign-in sets it up and signs in
through the pages (codes from pyotp, as an authenticator app would make them)."""

from __future__ import annotations

import re
import uuid

import httpx
import pyotp

from legal_tracker.settings import Settings
from tests.accounts.conftest import mail_server  # noqa: F401 - a fixture
from web.session import COOKIE

STRONG = "violet harbour lantern 2031"


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def _form(web, path: str) -> tuple[str, str]:
    page = await web.get(path)
    return page.text, _csrf(page.text)


async def test_an_invited_person_chooses_a_password_on_the_page_once(web, world):
    office = await world.office()
    created = await world.post("/api/staff", {"name": "Wanjiku Otieno", "role": "caseworker",
                                              "email": f"w-{uuid.uuid4().hex[:6]}@example.org",
                                              "office_id": office["id"]})
    path = created["invitation_url"].split("tracker.example.org", 1)[1]
    html, token = await _form(web, path)
    assert "Choose your password" in html
    # Two different passwords: the problem is shown beside the second field.
    refused = await web.post(path, data={"_csrf_token": token, "password": STRONG, "confirm": "x"})
    assert refused.status_code == 422 and "The two passwords are not the same" in refused.text
    # A weak one is refused in words.
    refused = await web.post(path, data={"_csrf_token": token, "password": "password",
                                         "confirm": "password"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    done = await web.post(path, data={"_csrf_token": token, "password": STRONG, "confirm": STRONG})
    assert done.status_code == 200 and "Your password is set" in done.text
    again = await web.get(path)
    assert again.status_code == 410 and "already used" in again.text
    signed_in = await world.client.post("/api/auth/login", json={"email": created["email"],
                                                                 "password": STRONG})
    assert signed_in.status_code == 200


async def test_a_link_that_never_existed_is_not_found(web):
    page = await web.get("/app/reset/not-a-real-token")
    assert page.status_code == 404 and "This link is not valid" in page.text


async def test_two_factor_set_up_and_sign_in_through_the_pages(web, world, database: Settings):
    office = await world.office()
    email = f"admin-{uuid.uuid4().hex[:6]}@example.org"
    await world.post("/api/staff", {"name": "Office Admin", "role": "admin", "email": email,
                                    "office_id": office["id"], "password": STRONG})
    # Two-factor is required for this account from now on (the tests' default is "off").
    web_app_settings = web._transport.app.state.settings  # type: ignore[attr-defined]
    object.__setattr__(web_app_settings, "require_2fa", "all")
    try:
        _html, token = await _form(web, "/app/login")
        step = await web.post("/app/login", data={"_csrf_token": token, "email": email,
                                                  "password": STRONG, "next": "/app/"})
        assert step.status_code == 200 and "Two-factor sign-in" in step.text
        # The password alone starts no session.
        assert f"{COOKIE}=" not in step.headers.get("set-cookie", "")
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', step.text).group(1)
        mfa_token = re.search(r'name="mfa_token" value="([^"]+)"', step.text).group(1)
        csrf = _csrf(step.text)
        wrong = await web.post("/app/login/mfa", data={"_csrf_token": csrf, "mfa_token": mfa_token,
                                                       "code": "000000", "enrol": "1",
                                                       "next": "/app/"})
        assert wrong.status_code == 401 and "did not match" in wrong.text
        # A wrong code in set-up shows a new key: use the one now shown.
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', wrong.text).group(1)
        done = await web.post("/app/login/mfa", data={
            "_csrf_token": _csrf(wrong.text), "mfa_token": mfa_token,
            "code": pyotp.TOTP(secret).now(), "enrol": "1", "next": "/app/"})
        assert done.status_code == 200 and "Your recovery codes" in done.text
        assert len(re.findall(r"<li><code>", done.text)) == 10
        day = await web.get("/app/")
        assert day.status_code == 200 and "Sign in" not in day.text.split("<main", 1)[1][:400]
    finally:
        object.__setattr__(web_app_settings, "require_2fa", "off")


async def test_a_forgotten_password_is_reset_from_the_sign_in_page(world, mail_server):  # noqa: F811
    """Sign-in page → "Forgotten your password?" → email → the link in the message that arrived
    at a real SMTP server → a new password; the answer is the same for an unknown address."""
    from api.app import create_app

    office = await world.office()
    await world.user("caseworker", office["id"], email="forgot@example.org")
    settings = world.settings.with_overrides(smtp_url=mail_server.url,
                                             mail_from="tracker@example.org")
    transport = httpx.ASGITransport(app=create_app(settings, manage_database=False),
                                    client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as web:
        login = (await web.get("/app/login")).text
        assert 'href="/app/reset"' in login and "Forgotten your password?" in login
        html, token = await _form(web, "/app/reset")
        assert "Send me a link" in html
        empty = await web.post("/app/reset", data={"_csrf_token": token, "email": ""})
        assert empty.status_code == 422 and 'id="f-email-error"' in empty.text
        asked = await web.post("/app/reset", data={"_csrf_token": token,
                                                   "email": "Forgot@example.org"})
        unknown = await web.post("/app/reset", data={"_csrf_token": token,
                                                     "email": "nobody@example.org"})
        assert asked.status_code == unknown.status_code == 200
        assert "a link to choose a new password is on its way" in asked.text
        assert asked.text.replace("nobody", "forgot") == unknown.text.replace("nobody", "forgot")
        assert len(mail_server.box.messages) == 1
        assert mail_server.box.recipients[0] == ["forgot@example.org"]
        body = mail_server.box.messages[0].get_payload(decode=True).decode()
        link = re.search(r"https://tracker\.example\.org(/app/reset/\S+)", body)
        assert link, body
        html, token = await _form(web, link.group(1))
        done = await web.post(link.group(1), data={"_csrf_token": token, "password": STRONG,
                                                   "confirm": STRONG})
        assert done.status_code == 200
    signed_in = await world.client.post("/api/auth/login", json={"email": "forgot@example.org",
                                                                 "password": STRONG})
    assert signed_in.status_code == 200


async def test_without_outgoing_mail_the_page_says_whom_to_ask(web):
    page = await web.get("/app/reset")
    assert page.status_code == 200 and "Ask an administrator" in page.text
    assert 'name="email"' not in page.text
