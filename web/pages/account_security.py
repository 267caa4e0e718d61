"""One's own two-factor sign-in and signed-in sessions (under the account page).

* ``/app/account/two-factor``: whether it is on, how many recovery codes are left, and what
  one may do: set it up (password first, then the QR code and key, then one code from the
  app), make new recovery codes (with a current code), turn it off (password; not where
  ``LEGAL_TRACKER_REQUIRE_2FA`` makes it required for one's role, which the page says).
* ``/app/account/sessions``: one's web sessions and API tokens, with the browser or client
  and address they signed in from; end one, or every one but this.

Everything goes through the services the API uses (``legal_tracker.accounts.mfa``,
``legal_tracker.accounts.auth``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from markupsafe import Markup

from api.auth import client_address
from legal_tracker.accounts import auth as auth_service
from legal_tracker.accounts import mfa
from legal_tracker.errors import NotFound
from web.forms import Form, attempt
from web.i18n import gettext_ as _
from web.labels import N_, done_message
from web.render import page, see_other
from web.session import COOKIE, CurrentMe, Me

TWO_FACTOR = "/app/account/two-factor"
SESSIONS = "/app/account/sessions"

# What these pages say after a change redirected back to them with ?done=<key>.
DONE = {
    "mfa_on": N_("Two-factor sign-in is on. You will be asked for a code when you sign in."),
    "mfa_off": N_("Two-factor sign-in is off."),
    "recovery_codes": N_("You have new recovery codes. The old ones no longer work."),
    "session_ended": N_("That session was signed out."),
    "session_gone": N_("That session had already ended."),
    "others_ended": N_("Every other session and app token of yours was signed out."),
}


def _done(request: Request) -> str | None:
    key = request.query_params.get("done") or ""
    return _(DONE[key]) if key in DONE else done_message(key)


def qr_markup(svg: str) -> Markup:
    """segno's inline SVG, named for screen readers (it is made by segno from our own data)."""
    label = _("QR code for your authenticator app")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704


async def _status_page(request: Request, me: Me, *, status: int = 200,
                       setup: Form | None = None, codes: Form | None = None,
                       disable: Form | None = None) -> Any:
    state = await mfa.status(me.actor, request.app.state.settings)
    return page(request, "two_factor.html", title=_("Two-factor sign-in"), status=status,
                state=state, done=_done(request), setup=setup or Form(prefix="setup-"),
                codes=codes or Form(prefix="codes-"), disable=disable or Form(prefix="off-"))


@get(TWO_FACTOR, name="two_factor")
async def two_factor_page(request: Request, me: CurrentMe) -> Any:
    return await _status_page(request, me)


async def _password_form(request: Request, prefix: str) -> tuple[Form, str]:
    """A form that asks for one's password: the password read (never shown again), its
    absence beside the field, and sign-in's per-address limit on guesses."""
    form = await Form.from_request(request)
    form.prefix = prefix
    password = str(form.get("password"))
    form.values.clear()
    if not password:
        form.add("password", _("Enter your password"))
    await _limit(request)
    return form, password


@post(TWO_FACTOR + "/setup")
async def two_factor_setup(request: Request, me: CurrentMe) -> Any:
    """Password first: whoever finds a signed-in phone unattended cannot add their own app."""
    form, password = await _password_form(request, "setup-")
    settings = request.app.state.settings
    if await attempt(form, lambda: mfa.begin_enrolment(me.actor, settings, password)) is None:
        _plainly(form)
        return await _status_page(request, me, status=form.status, setup=form)
    return see_other(TWO_FACTOR + "/setup")


async def _setup_page(request: Request, me: Me, form: Form, *, status: int = 200) -> Any:
    enrolment = await mfa.pending_enrolment(me.actor, request.app.state.settings)
    if enrolment is None:  # nothing waiting (finished, or never started): the status page
        return see_other(TWO_FACTOR)
    return page(request, "two_factor_setup.html", title=_("Set up two-factor sign-in"),
                status=status, form=form, secret=enrolment.secret,
                qr=qr_markup(enrolment.qr_svg))


@get(TWO_FACTOR + "/setup")
async def two_factor_setup_page(request: Request, me: CurrentMe) -> Any:
    """The QR code and key of the set-up waiting for its first code (a reload shows the same
    one; a new set-up starts only from the password form)."""
    return await _setup_page(request, me, Form())


async def _limit(request: Request) -> None:
    """Password and code guesses share sign-in's per-address limit (a 429 page past it), so a
    borrowed session cannot be used to try passwords or codes at speed."""
    await request.app.state.login_limiter.check(client_address(request))


def _code(form: Form) -> str:
    code = str(form.get("code")).strip().replace(" ", "")
    form.values.clear()  # a code is never written back into the page
    if not code:
        form.add("code", _("Enter the six-digit code the app shows"))
    elif len(code) != 6 or not code.isdigit():
        form.add("code", _("Enter the six digits the app shows, without spaces"))
    return code


@post(TWO_FACTOR + "/confirm")
async def two_factor_confirm(request: Request, me: CurrentMe) -> Any:
    form = await Form.from_request(request)
    code = _code(form)
    await _limit(request)
    recovery = await attempt(form, lambda: mfa.confirm_enrolment(me.actor, code))
    if recovery is None:
        _plainly(form)
        if form.message:  # 409: nothing waits for a code any more (finished in another tab)
            return await _status_page(request, me, status=form.status,
                                      setup=_with_message(form.message, "setup-"))
        return await _setup_page(request, me, form, status=form.status)
    return page(request, "recovery_codes.html", title=_("Your recovery codes"),
                codes=recovery, next_path=TWO_FACTOR + "?done=mfa_on", regenerated=False)


def _plainly(form: Form) -> None:
    """The services' refusals (written for the API) in the page's plain, translated words."""
    if "password" in form.errors and "current password" in form.errors["password"]:
        form.errors["password"] = _("That is not your current password.")
    code = form.errors.get("code", "")
    if "already used" in code:
        form.errors["code"] = _("That code was already used. Wait for the app to show the next "
                                "one and enter it.")
    elif "does not match" in code:
        form.errors["code"] = _("That code does not match. Check that the phone's clock is right "
                                "and enter the code the app shows now.")


def _with_message(message: str, prefix: str) -> Form:
    form = Form(prefix=prefix)
    form.message = message
    return form


@post(TWO_FACTOR + "/recovery-codes")
async def two_factor_new_codes(request: Request, me: CurrentMe) -> Any:
    form = await Form.from_request(request)
    form.prefix = "codes-"
    code = _code(form)
    await _limit(request)
    recovery = await attempt(form, lambda: mfa.regenerate_recovery_codes(me.actor, code))
    if recovery is None:
        _plainly(form)
        return await _status_page(request, me, status=form.status, codes=form)
    return page(request, "recovery_codes.html", title=_("Your recovery codes"),
                codes=recovery, next_path=TWO_FACTOR + "?done=recovery_codes", regenerated=True)


@post(TWO_FACTOR + "/disable")
async def two_factor_disable(request: Request, me: CurrentMe) -> Any:
    form, password = await _password_form(request, "off-")
    settings = request.app.state.settings
    if await attempt(form, lambda: _disable(me, settings, password)) is None:
        _plainly(form)
        if form.status == 409:  # the role must use it (the page says so too)
            form.message = _("Your role must use two-factor sign-in, so it cannot be turned "
                             "off. To move it to a new phone, set it up again.")
        return await _status_page(request, me, status=form.status, disable=form)
    return see_other(TWO_FACTOR + "?done=mfa_off")


async def _disable(me: Me, settings: Any, password: str) -> bool:
    await mfa.disable(me.actor, settings, password)
    return True


# -- sessions -------------------------------------------------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
             ("Safari/", "Safari"), ("curl/", "curl"), ("python-httpx/", "Python (httpx)"),
             ("python-requests/", "Python (requests)"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def device(user_agent: str | None) -> str:
    """A short name for a browser or client, from its User-Agent (the whole string is shown
    beside it): the first family that matches, in an order where the specific beat the
    generic (Edge and Samsung Internet also say "Chrome"; Chrome also says "Safari")."""
    if not user_agent:
        return _("Unknown browser or client")
    browser = next((name for needle, name in _BROWSERS if needle in user_agent), None)
    system = next((name for needle, name in _SYSTEMS if needle in user_agent), None)
    if browser and system:
        return _("{browser} on {system}").format(browser=browser, system=system)
    return browser or system or user_agent.split(" ", 1)[0][:40]


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value


@get(SESSIONS, name="sessions")
async def sessions_page(request: Request, me: CurrentMe) -> Any:
    rows = await auth_service.list_sessions(request.app.state.settings, me.actor,
                                            request.cookies.get(COOKIE))
    sessions = [{**row, "device": device(row["user_agent"]),
                 "created_at": _aware(row["created_at"]),
                 "last_used_at": _aware(row["last_used_at"])} for row in rows]
    return page(request, "sessions.html", title=_("Signed-in sessions"), sessions=sessions,
                tz=me.office_timezone or "UTC", done=_done(request),
                others=sum(not s["current"] for s in sessions))


@post(SESSIONS + "/{session_id:int}/end")
async def end_session(request: Request, me: CurrentMe, session_id: FromPath[int]) -> Any:
    try:
        await auth_service.end_session(me.actor, session_id)
    except NotFound:  # already ended (another tab, or it expired): nothing left to do
        return see_other(SESSIONS + "?done=session_gone")
    return see_other(SESSIONS + "?done=session_ended")


@post(SESSIONS + "/end-others")
async def end_other_sessions(request: Request, me: CurrentMe) -> Any:
    await auth_service.sign_out_everywhere(me.actor, keep_token=request.cookies.get(COOKIE))
    return see_other(SESSIONS + "?done=others_ended")


HANDLERS = [two_factor_page, two_factor_setup, two_factor_setup_page, two_factor_confirm,
            two_factor_new_codes, two_factor_disable, sessions_page, end_session,
            end_other_sessions]
