"""The web app's side of accounts: an invited person chooses a password on a page, a used link
says so plainly, and a person whose account needs two-factor sign-in sets it up and signs in
through the pages (codes from pyotp, as an authenticator app would make them)."""

from __future__ import annotations

import re
import uuid

import pyotp

from legal_tracker.settings import Settings
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
