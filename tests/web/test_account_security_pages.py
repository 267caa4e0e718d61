"""One's own two-factor sign-in and sessions on the account pages, over HTTP (no browser):
errors beside their fields, a code used once refused the second time, the role rule in
words, and a session ended from the page really signed out. Codes come from pyotp, as an
authenticator app would make them."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pyotp

from tests.conftest import World
from tests.web.test_foundation import csrf_of, sign_in

TWO_FACTOR = "/app/account/two-factor"
SESSIONS = "/app/account/sessions"
PASSWORD = "correct horse battery"


async def _post(web: httpx.AsyncClient, path: str, data: dict, page: str) -> httpx.Response:
    return await web.post(path, data={**data, "_csrf_token": await csrf_of(web, page)})


def _codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)


async def test_set_up_new_codes_and_turn_off_two_factor_on_the_pages(
        world: World, web: httpx.AsyncClient) -> None:
    office = await world.office()
    email = f"lawyer-{uuid.uuid4().hex[:6]}@example.org"
    await world.user("lawyer", office["id"], email=email)
    await sign_in(web, email)
    account = await web.get("/app/account")
    assert "Set up two-factor sign-in" in account.text
    status = await web.get(TWO_FACTOR)
    assert status.status_code == 200 and ">Off<" in status.text
    assert "Turn it off" not in status.text  # nothing to turn off yet

    # The password first: a wrong one is refused beside the field, and nothing starts.
    wrong = await _post(web, TWO_FACTOR + "/setup", {"password": "not my password"}, TWO_FACTOR)
    assert wrong.status_code == 422 and 'id="f-setup-password-error"' in wrong.text
    assert "That is not your current password" in wrong.text
    assert "not my password" not in wrong.text
    assert (await web.get(TWO_FACTOR + "/setup")).status_code == 303  # no set-up waiting
    started = await _post(web, TWO_FACTOR + "/setup", {"password": PASSWORD}, TWO_FACTOR)
    assert started.status_code == 303 and started.headers["location"] == TWO_FACTOR + "/setup"
    setup = await web.get(TWO_FACTOR + "/setup")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup.text).group(1)
    assert '<svg role="img" aria-label="QR code' in setup.text and "http" not in setup.text.split(
        "<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    # A wrong code: beside the field, and the same QR code and key to try again with.
    wrong = await _post(web, TWO_FACTOR + "/confirm", {"code": "000000"}, TWO_FACTOR + "/setup")
    assert wrong.status_code == 422 and 'id="f-code-error"' in wrong.text
    assert "That code does not match" in wrong.text
    assert f'<code class="secret">{secret}</code>' in wrong.text
    still_off = await web.get(TWO_FACTOR)
    assert ">Off<" in still_off.text and "Continue the set-up you started" in still_off.text
    totp = pyotp.TOTP(secret)
    first = totp.now()
    done = await _post(web, TWO_FACTOR + "/confirm", {"code": first}, TWO_FACTOR + "/setup")
    assert done.status_code == 200 and "Your recovery codes" in done.text
    assert len(_codes(done.text)) == 10
    assert f'href="{TWO_FACTOR}?done=mfa_on"' in done.text  # the "I have kept them" step
    status = await web.get(TWO_FACTOR + "?done=mfa_on")
    assert "Two-factor sign-in is on" in status.text and ">On<" in status.text
    assert "Make new recovery codes" in status.text

    # New recovery codes need a code from the app; the one already used is refused.
    reused = await _post(web, TWO_FACTOR + "/recovery-codes", {"code": first}, TWO_FACTOR)
    assert reused.status_code == 422 and 'id="f-codes-code-error"' in reused.text
    assert "That code was already used" in reused.text
    fresh = await _post(web, TWO_FACTOR + "/recovery-codes",
                        {"code": totp.at(time.time() + 30)}, TWO_FACTOR)
    assert fresh.status_code == 200 and "the old ones no longer work" in fresh.text
    assert len(_codes(fresh.text)) == 10 and not set(_codes(fresh.text)) & set(_codes(done.text))

    # Turning it off needs the password; where the role must use it, the page says why.
    settings = web._transport.app.state.settings  # type: ignore[attr-defined]
    object.__setattr__(settings, "require_2fa", "all")
    try:
        required = await web.get(TWO_FACTOR)
        assert "cannot be turned off" in required.text and "Turn it off" not in required.text
        refused = await _post(web, TWO_FACTOR + "/disable", {"password": PASSWORD}, TWO_FACTOR)
        assert refused.status_code == 409
        assert 'role="alert"><p>Your role must use two-factor sign-in, so it cannot' in refused.text
    finally:
        object.__setattr__(settings, "require_2fa", "off")
    wrong = await _post(web, TWO_FACTOR + "/disable", {"password": "not it"}, TWO_FACTOR)
    assert wrong.status_code == 422 and 'id="f-off-password-error"' in wrong.text
    off = await _post(web, TWO_FACTOR + "/disable", {"password": PASSWORD}, TWO_FACTOR)
    assert off.status_code == 303
    assert ">Off<" in (await web.get(off.headers["location"])).text
    # Signing in again needs the password alone now.
    signed = await world.client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert "token" in signed.json()


async def test_sessions_list_end_one_and_everywhere_else(world: World, web: httpx.AsyncClient) -> None:
    office = await world.office()
    email = f"worker-{uuid.uuid4().hex[:6]}@example.org"
    _, api = await world.user("caseworker", office["id"], email=email)
    await sign_in(web, email)
    transport = web._transport  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local",
                                 headers={"user-agent": "Mozilla/5.0 (Linux; Android 14) "
                                          "AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"}
                                 ) as phone:
        await sign_in(phone, email)
        assert (await phone.get("/app/account")).status_code == 200
        listed = await web.get(SESSIONS)
        assert listed.status_code == 200
        cards = listed.text.split('<li class="card')[1:]
        assert len(cards) == 3, listed.text  # this browser, the phone, the API token
        assert sum("This session" in c for c in cards) == 1
        phone_card = next(c for c in cards if "Chrome on Android" in c)
        assert "Web browser" in phone_card and "127.0.0.1" in phone_card
        assert any("API token" in c for c in cards)
        phone_id = re.search(r"/app/account/sessions/(\d+)/end", phone_card).group(1)
        assert "You are signed in in 3 places" in (await web.get("/app/account")).text

        ended = await _post(web, f"{SESSIONS}/{phone_id}/end", {}, SESSIONS)
        assert ended.status_code == 303
        assert "That session was signed out" in (await web.get(ended.headers["location"])).text
        # The phone is signed out at once: its next page asks it to sign in.
        gone = await phone.get("/app/account")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/app/login")
        again = await _post(web, f"{SESSIONS}/{phone_id}/end", {}, SESSIONS)
        assert "already ended" in (await web.get(again.headers["location"])).text

    # Another person's session is not theirs to end: the same answer as one already ended.
    _, other_api = await world.user("caseworker", office["id"])
    other = (await world.client.get("/api/auth/sessions", headers=other_api)).json()["items"][0]
    refused = await _post(web, f"{SESSIONS}/{other['id']}/end", {}, SESSIONS)
    assert "already ended" in (await web.get(refused.headers["location"])).text
    assert (await world.client.get("/api/auth/sessions", headers=other_api)).status_code == 200

    assert (await world.client.get("/api/auth/sessions", headers=api)).status_code == 200
    everywhere = await _post(web, f"{SESSIONS}/end-others", {}, SESSIONS)
    assert everywhere.status_code == 303
    assert (await world.client.get("/api/auth/sessions", headers=api)).status_code == 401
    after = await web.get(everywhere.headers["location"])  # this one stays
    assert after.status_code == 200 and "Every other session" in after.text
    assert len(after.text.split('<li class="card')) == 2
