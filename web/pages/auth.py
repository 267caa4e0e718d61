"""Sign in, sign out, sign out everywhere."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery

from api.auth import client_address
from legal_tracker.accounts import auth as auth_service
from legal_tracker.errors import TooManyRequests, Unauthorized
from web.forms import Form
from web.i18n import choose_language, current_language
from web.i18n import gettext_ as _
from web.render import page, see_other
from web.session import (
    COOKIE,
    CurrentMe,
    cleared_cookie,
    note_origin,
    safe_next,
    session_cookie,
    signed_in,
)


@get("/app/login", name="login")
async def login_page(request: Request, next_path: FromQuery[str | None] = None) -> Any:
    if await signed_in(request):
        return see_other(safe_next(request.query_params.get("next")))
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    form = Form({"next": safe_next(request.query_params.get("next"))})
    return page(request, "login.html", form=form)


@post("/app/login")
async def login_submit(request: Request) -> Any:
    note_origin(request)
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    form = await Form.from_request(request)
    settings = request.app.state.settings
    email = form.text("email", required=True, max_length=254)
    password = str(form.get("password"))
    if not password:
        form.add("password", _("Enter your password"))
    if form.errors:
        form.values.pop("password", None)
        return page(request, "login.html", form=form, status=422)
    try:
        await request.app.state.login_limiter.check(client_address(request))
        issued = await auth_service.login(settings, email or "", password)
    except TooManyRequests as exc:
        form.message = _("Too many sign-in attempts from this address. Wait a minute and try again.")
        response = page(request, "login.html", form=form, status=429)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    except Unauthorized:
        form.message = _("Sign-in failed: the email or password is wrong, or the account is "
                         "locked or inactive. After several wrong passwords the account is "
                         "locked for a while.")
        form.values.pop("password", None)
        return page(request, "login.html", form=form, status=401)
    response = see_other(safe_next(form.get("next")))
    response.set_cookie(session_cookie(settings, issued.token))
    return response


@post("/app/logout")
async def logout(request: Request, me: CurrentMe) -> Any:
    await auth_service.logout(me.actor, request.cookies.get(COOKIE, ""))
    response = see_other("/app/login")
    response.set_cookie(cleared_cookie(request.app.state.settings))
    return response


@post("/app/logout-everywhere")
async def logout_everywhere(request: Request, me: CurrentMe) -> Any:
    await auth_service.sign_out_everywhere(me.actor)
    response = see_other("/app/login")
    response.set_cookie(cleared_cookie(request.app.state.settings))
    return response


HANDLERS = [login_page, login_submit, logout, logout_everywhere]
