"""Account: change my own password, sign out; the state of my two-factor sign-in and sessions,
with links to their pages (web.pages.account_security)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post

from legal_tracker.accounts import auth as auth_service
from legal_tracker.accounts import mfa
from web.forms import Form, attempt
from web.i18n import gettext_ as _
from web.render import page, see_other
from web.session import COOKIE, CurrentMe, Me


async def _account(request: Request, me: Me, form: Form, status: int = 200) -> Any:
    settings = request.app.state.settings
    sessions = await auth_service.list_sessions(settings, me.actor, request.cookies.get(COOKIE))
    return page(request, "account.html", title=_("Account"), form=form, status=status,
                mfa_state=await mfa.status(me.actor, settings), session_count=len(sessions))


@get("/app/account", name="account")
async def account_page(request: Request, me: CurrentMe) -> Any:
    return await _account(request, me, Form())


@post("/app/account/password")
async def change_password(request: Request, me: CurrentMe) -> Any:
    form = await Form.from_request(request)
    current = str(form.get("current_password"))
    new = str(form.get("new_password"))
    if not current:
        form.add("current_password", _("Enter your current password"))
    if not new:
        form.add("new_password", _("Enter a new password"))
    elif new != str(form.get("new_password_again")):
        form.add("new_password_again", _("The two new passwords are not the same"))
    done = None
    if not form.errors:
        done = await attempt(form, lambda: _change(me, current, new, request.cookies.get(COOKIE)))
    # Passwords are never sent back into the page.
    for name in ("current_password", "new_password", "new_password_again"):
        form.values.pop(name, None)
    if done is None:
        return await _account(request, me, form, form.status)
    return see_other("/app/account?done=password")


async def _change(me: Me, current: str, new: str, token: str | None) -> bool:
    await auth_service.change_password(me.actor, current, new, keep_token=token)
    return True


HANDLERS = [account_page, change_password]
