"""Signing in, in a real browser."""

from __future__ import annotations

from typing import Any

from tests.web.browser import Live, check_axe, new_page, shoot, sign_in


def test_sign_in_lands_on_the_court_day(live: Live, chromium: Any) -> None:
    office = live.office()
    _, email, _ = live.user("lawyer", office["id"], "Amina Lawyer")
    page = new_page(chromium)
    page.goto(live.url + "/")
    assert page.url.endswith("/app/login")
    check_axe(page, "sign-in page")
    shoot(page, "sign-in")
    sign_in(page, live, email)
    assert page.url.rstrip("/").endswith("/app")
    assert page.get_by_role("heading", level=1).inner_text() == "Court day"
    cookie = next(c for c in page.context.cookies() if c["name"] == "lt_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.context.close()


def test_wrong_password_and_then_the_lockout_message(live: Live, chromium: Any) -> None:
    office = live.office()
    _, email, _ = live.user("caseworker", office["id"], "Grace Caseworker")
    page = new_page(chromium)
    sign_in(page, live, email, "not my password")
    alert = page.get_by_role("alert")
    assert "Sign-in failed" in alert.inner_text()
    assert page.get_by_label("Email").input_value() == email
    assert page.get_by_label("Password").input_value() == ""
    check_axe(page, "sign-in with an error")
    shoot(page, "sign-in-error")
    for _ in range(6):
        sign_in(page, live, email, "still not my password")
    # Locked now: even the right password is refused, with the message saying why it may be.
    sign_in(page, live, email)
    assert "locked" in page.get_by_role("alert").inner_text()
    assert "/app/login" in page.url
    page.context.close()
