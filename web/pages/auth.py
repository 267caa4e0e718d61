"""Sign in, sign out, sign out everywhere."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from api.auth import client_address
from legal_tracker.accounts import auth as auth_service
from legal_tracker.accounts import links, mfa
from legal_tracker.accounts.mail import mail_configured
from legal_tracker.errors import DomainError, Gone, Invalid, NotFound, TooManyRequests, Unauthorized
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
        issued = await auth_service.login(settings, email or "", password, kind="session")
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
    if isinstance(issued, auth_service.MfaChallenge):
        return await _second_factor_page(request, issued.mfa_token, issued.enrolment_required,
                                         safe_next(form.get("next")))
    redirect = see_other(safe_next(form.get("next")))
    redirect.set_cookie(session_cookie(settings, issued.token))
    return redirect


async def _second_factor_page(request: Request, mfa_token: str, enrol: bool, next_path: str, *,
                              message: str | None = None, status: int = 200) -> Any:
    """The second step of sign-in: a code from the authenticator app, or a recovery code. A
    person who must set up two-factor sign-in first sees the QR code and the secret; the first
    code from the app finishes the set-up and the sign-in."""
    form = Form({"mfa_token": mfa_token, "next": next_path, "enrol": "1" if enrol else ""})
    form.message = message
    enrolment = None
    if enrol:
        setup = await mfa.begin_enrolment_for_login(request.app.state.settings, mfa_token)
        enrolment = {"secret": setup.secret, "qr": Markup(setup.qr_svg.replace(  # noqa: S704
            "<svg ", f'<svg role="img" aria-label="{_("QR code for your authenticator app")}" ', 1))}
    return page(request, "login_mfa.html", form=form, enrolment=enrolment, status=status)


@post("/app/login/mfa")
async def login_mfa_submit(request: Request) -> Any:
    note_origin(request)
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    form = await Form.from_request(request)
    settings = request.app.state.settings
    mfa_token = str(form.get("mfa_token"))
    next_path = safe_next(form.get("next"))
    enrol = bool(form.get("enrol"))
    code = str(form.get("code")).strip()
    try:
        await request.app.state.login_limiter.check(client_address(request))
        issued = await auth_service.complete_mfa_login(settings, mfa_token, code)
    except TooManyRequests:
        return await _second_factor_page(
            request, mfa_token, False, next_path, status=429,
            message=_("Too many sign-in attempts from this address. Wait a minute and try again."))
    except (Unauthorized, NotFound, Gone, Invalid):
        # The challenge may have expired or the account been locked: either way the person
        # starts again with their password, told in plain words.
        try:
            await auth_service.challenge_of(mfa_token)
        except DomainError:
            form = Form({"next": next_path})
            form.message = _("This sign-in has expired. Sign in again with your password.")
            return page(request, "login.html", form=form, status=401)
        return await _second_factor_page(
            request, mfa_token, enrol, next_path, status=401,
            message=(_("That code did not match. Scan this new code and enter the code the app "
                       "shows.") if enrol else
                     _("That code is wrong or was already used. Try the code the app shows now, "
                       "or a recovery code.")))
    response: Template | Redirect
    if issued.recovery_codes:
        response = page(request, "recovery_codes.html", codes=issued.recovery_codes,
                        next_path=next_path)
    else:
        response = see_other(next_path)
    response.set_cookie(session_cookie(settings, issued.token))
    return response


@get("/app/reset", name="reset-request")
async def reset_request_page(request: Request) -> Any:
    """Ask for a reset link by email; without outgoing mail, who to ask instead."""
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    return page(request, "reset_request.html", form=Form({}),
                available=mail_configured(request.app.state.settings))


@post("/app/reset")
async def reset_request_submit(request: Request) -> Any:
    """The same answer whether or not the address has an account; the link is made and mailed
    after answering (as ``POST /api/auth/reset-request`` does), so the timing tells nothing."""
    note_origin(request)
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    settings = request.app.state.settings
    if not mail_configured(settings):
        return page(request, "reset_request.html", form=Form({}), available=False, status=404)
    form = await Form.from_request(request)
    email = form.text("email", required=True, max_length=254)
    if email and "@" not in email:
        form.add("email", _("Enter an email address, like name@example.org"))
    if form.errors or email is None:
        return page(request, "reset_request.html", form=form, available=True, status=422)
    try:
        await request.app.state.reset_limiter.check(client_address(request))
    except TooManyRequests as exc:
        form.message = _("Too many requests from this address. Wait a minute and try again.")
        response = page(request, "reset_request.html", form=form, available=True, status=429)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    response = page(request, "reset_request.html", form=Form({}), available=True, sent=True)
    response.background = BackgroundTask(links.request_reset_after_answering, settings, email)
    return response


@get("/app/invitation/{token:str}", name="invitation")
async def invitation_page(request: Request, token: FromPath[str]) -> Any:
    return await _link_page(request, token, links.INVITATION)


@post("/app/invitation/{token:str}")
async def invitation_submit(request: Request, token: FromPath[str]) -> Any:
    return await _link_submit(request, token, links.INVITATION)


@get("/app/reset/{token:str}", name="reset")
async def reset_page(request: Request, token: FromPath[str]) -> Any:
    return await _link_page(request, token, links.RESET)


@post("/app/reset/{token:str}")
async def reset_submit(request: Request, token: FromPath[str]) -> Any:
    return await _link_submit(request, token, links.RESET)


def _link_gone(request: Request, exc: DomainError) -> Any:
    """An expired, used or replaced link says so plainly; one that never existed is not found."""
    status = 410 if isinstance(exc, Gone) else 404
    return page(request, "link_gone.html", status=status,
                reason=(_("This link has expired, was already used, or was replaced by a newer "
                          "one. Ask an administrator for a new link.") if status == 410 else
                        _("This link is not valid. Check that you copied all of it, or ask an "
                          "administrator for a new link.")))


async def _link_page(request: Request, token: str, kind: str) -> Any:
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    try:
        await links.inspect_link(token, kind)
    except (Gone, NotFound) as exc:
        return _link_gone(request, exc)
    return page(request, "choose_password.html", form=Form(), kind=kind,
                action=request.url.path)


async def _link_submit(request: Request, token: str, kind: str) -> Any:
    note_origin(request)
    current_language.set(choose_language(None, request.headers.get("accept-language")))
    form = await Form.from_request(request)
    password = str(form.get("password"))
    if password != str(form.get("confirm")):
        form.add("confirm", _("The two passwords are not the same"))
    if form.errors:
        form.values.clear()
        return page(request, "choose_password.html", form=form, kind=kind,
                    action=request.url.path, status=422)
    try:
        await request.app.state.login_limiter.check(client_address(request))
        await links.use_link(token, kind, password)
    except (Gone, NotFound) as exc:
        return _link_gone(request, exc)
    except Invalid as exc:
        for problem in exc.problems:
            form.add("password", problem.message)
        form.values.clear()
        return page(request, "choose_password.html", form=form, kind=kind,
                    action=request.url.path, status=422)
    return page(request, "login.html", form=Form({"next": "/app/"}),
                done=_("Your password is set. Sign in with it now."))


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


HANDLERS = [login_page, login_submit, login_mfa_submit, logout, logout_everywhere, invitation_page,
            invitation_submit, reset_page, reset_submit, reset_request_page, reset_request_submit]
