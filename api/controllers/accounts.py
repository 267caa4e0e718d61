"""Accounts: sign-in (with a second factor), one's own password, two-factor set-up and
sessions, invitation and reset links, and what administrators do for others' accounts.

Services: legal_tracker.accounts (auth, mfa, links, credentials)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.auth import bearer_token, client_address
from api.controllers.common import ACTOR, ERRORS, READ_ERRORS, CurrentActor, PathId, ProblemDetail
from api.convert import read
from api.errors import problem
from api.schemas.accounts import (
    Accepted,
    InvitationOut,
    LinkUseIn,
    LoginWithCodesOut,
    MfaCodeIn,
    MfaDisableIn,
    MfaLoginEnrolIn,
    MfaLoginIn,
    MfaRequired,
    MfaSetup,
    MfaSetupIn,
    MfaStatus,
    PasswordChangeIn,
    RecoveryCodes,
    ResetLinkOut,
    ResetRequestIn,
    SessionList,
    SessionRead,
)
from api.schemas.organisation import StaffRead
from api.schemas.system import LoginIn, LoginOut
from legal_tracker.accounts import auth as auth_service
from legal_tracker.accounts import credentials, links, mfa
from legal_tracker.accounts.mail import mail_configured
from legal_tracker.audit import Origin, current_origin


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ProblemDetail, description=description,
                        media_type="application/problem+json", generate_examples=False)


LIMITED = {429: _spec("Too many attempts from this address")}
PUBLIC_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 401, 422)} | LIMITED
LINK_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 404, 422)} | LIMITED | {
    410: _spec("The link expired, was used or was replaced: the detail says which")}

RESET_REQUESTED = ("If this address belongs to an active account, a link to choose a new "
                   "password is on its way. It works once.")


async def _limit(request: Request, limiter: str = "login_limiter") -> None:
    address = client_address(request)
    current_origin.set(Origin(address, request.headers.get("user-agent")))
    await getattr(request.app.state, limiter).check(address)


def _mfa_out(result: mfa.Enrolment) -> MfaSetup:
    return MfaSetup(secret=result.secret, otpauth_uri=result.otpauth_uri, qr_svg=result.qr_svg,
                    qr_png_data_uri=result.qr_png_data_uri)


class AuthController(Controller):
    """Open without a bearer token: signing in and using one-time links."""

    path = "/api/auth"
    tags = ["auth"]

    @post("/login", responses=PUBLIC_ERRORS, status_code=200)
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> LoginOut | MfaRequired:
        """A token, or — when the person uses (or must set up) two-factor sign-in —
        ``{"mfa_required": true, "mfa_token"}`` to finish with ``POST /api/auth/login/mfa``."""
        await _limit(request)
        result = await auth_service.login(request.app.state.settings, data.email, data.password)
        if isinstance(result, auth_service.MfaChallenge):
            return MfaRequired(mfa_required=True, mfa_token=result.mfa_token,
                               expires_at=result.expires_at,
                               enrolment_required=result.enrolment_required)
        return LoginOut(token=result.token, expires_at=result.expires_at, staff_id=result.staff_id)

    @post("/login/mfa", responses=PUBLIC_ERRORS, status_code=200)
    async def login_mfa(self, request: Request, data: JSONBody[MfaLoginIn]) -> LoginWithCodesOut:
        """The second step: a code from the authenticator app or a recovery code. A wrong
        code counts toward the account's lockout."""
        await _limit(request)
        issued = await auth_service.complete_mfa_login(request.app.state.settings,
                                                       data.mfa_token, data.code)
        return LoginWithCodesOut(token=issued.token, expires_at=issued.expires_at,
                                 staff_id=issued.staff_id,
                                 recovery_codes=list(issued.recovery_codes) or None)

    @post("/login/mfa/enrol", responses=PUBLIC_ERRORS | {409: ERRORS[409]}, status_code=200)
    async def login_mfa_enrol(self, request: Request, data: JSONBody[MfaLoginEnrolIn]) -> MfaSetup:
        """For a person who must set up two-factor sign-in (``enrolment_required``): the QR
        code and secret. The first code sent to ``/api/auth/login/mfa`` finishes the set-up
        and the sign-in, and answers the recovery codes once."""
        await _limit(request)
        return _mfa_out(await mfa.begin_enrolment_for_login(request.app.state.settings,
                                                            data.mfa_token))

    @post("/logout", responses=ERRORS, status_code=204, dependencies=ACTOR,
          security=[{"BearerToken": []}])
    async def logout(self, request: Request, actor: CurrentActor) -> None:
        await auth_service.logout(actor, bearer_token(request))

    @post("/invitation/accept", responses=LINK_ERRORS, status_code=204)
    async def accept_invitation(self, request: Request, data: JSONBody[LinkUseIn]) -> None:
        """Choose one's password with an invitation's token (the last part of its URL)."""
        await _limit(request)
        await links.use_link(data.token, links.INVITATION, data.password)

    @post("/reset", responses=LINK_ERRORS, status_code=204)
    async def reset_password(self, request: Request, data: JSONBody[LinkUseIn]) -> None:
        """Choose a new password with a reset link's token. Every session of the person ends."""
        await _limit(request)
        await links.use_link(data.token, links.RESET, data.password)

    @post("/reset-request", status_code=202, responses=PUBLIC_ERRORS | {
        404: _spec("Outgoing email is not configured here: ask an administrator")})
    async def request_reset(self, request: Request, data: JSONBody[ResetRequestIn]) -> Response[Any]:
        """Ask for a reset link by email. The answer is the same whether or not the address
        has an account, and the work is done after answering, so its timing tells nothing.
        Without outgoing mail configured this does not exist here (404)."""
        await _limit(request, "reset_limiter")
        settings = request.app.state.settings
        if not mail_configured(settings):
            return problem(404, "password reset by email is not set up here: ask an "
                                "administrator for a reset link", request=request)
        return Response(Accepted(detail=RESET_REQUESTED), status_code=202,
                        background=BackgroundTask(links.request_reset_after_answering, settings,
                                                   data.email))


class AccountController(Controller):
    """One's own account (bearer token)."""

    path = "/api/auth"
    tags = ["auth"]
    dependencies = ACTOR

    @post("/password", responses=ERRORS, status_code=204)
    async def change_password(self, request: Request, actor: CurrentActor,
                              data: JSONBody[PasswordChangeIn]) -> None:
        """Every other session and token of yours ends; this one stays."""
        await auth_service.change_password(actor, data.current_password, data.new_password,
                                           keep_token=bearer_token(request),
                                           settings=request.app.state.settings)

    @get("/mfa", responses=READ_ERRORS)
    async def mfa_status(self, request: Request, actor: CurrentActor) -> MfaStatus:
        return MfaStatus(**await mfa.status(actor, request.app.state.settings))

    @post("/mfa/setup", responses=ERRORS, status_code=200)
    async def mfa_setup(self, request: Request, actor: CurrentActor,
                        data: JSONBody[MfaSetupIn | None] = None) -> MfaSetup:
        """Start setting up an authenticator app (replacing one in use needs ``password``)."""
        password = data.password if data is not None else None
        return _mfa_out(await mfa.begin_enrolment(actor, request.app.state.settings, password))

    @post("/mfa/confirm", responses=ERRORS, status_code=200)
    async def mfa_confirm(self, actor: CurrentActor, data: JSONBody[MfaCodeIn]) -> RecoveryCodes:
        """Finish the set-up with one code from the app; answers ten recovery codes, once."""
        return RecoveryCodes(recovery_codes=list(await mfa.confirm_enrolment(actor, data.code)))

    @post("/mfa/recovery-codes", responses=ERRORS, status_code=200)
    async def mfa_recovery_codes(self, actor: CurrentActor, data: JSONBody[MfaCodeIn]) -> RecoveryCodes:
        """Ten new recovery codes (the old ones stop working), given a code from the app."""
        return RecoveryCodes(
            recovery_codes=list(await mfa.regenerate_recovery_codes(actor, data.code)))

    @post("/mfa/disable", responses=ERRORS, status_code=204)
    async def mfa_disable(self, request: Request, actor: CurrentActor, data: JSONBody[MfaDisableIn]) -> None:
        """Turn two-factor sign-in off (not allowed for roles that must use it)."""
        await mfa.disable(actor, request.app.state.settings, data.password)

    @get("/sessions", responses=READ_ERRORS)
    async def list_sessions(self, request: Request, actor: CurrentActor) -> SessionList:
        """Your live API tokens (``api``) and web sessions (``session``)."""
        rows = await auth_service.list_sessions(request.app.state.settings, actor,
                                                bearer_token(request))
        return SessionList(items=[read(SessionRead, r) for r in rows])

    @delete("/sessions/{session_id:int}", responses=ERRORS, status_code=204)
    async def end_session(self, actor: CurrentActor, session_id: PathId) -> None:
        """End one of your sessions or tokens (another person's is not found)."""
        await auth_service.end_session(actor, session_id)


class StaffAccountController(Controller):
    """What an administrator does for someone else's account."""

    path = "/api/staff"
    tags = ["organisation"]
    dependencies = ACTOR

    @post("/{staff_id:int}/invitation", responses=ERRORS)
    async def issue_invitation(self, request: Request, actor: CurrentActor,
                               staff_id: PathId) -> InvitationOut:
        """A new invitation link for an account that has not chosen a password yet; earlier
        ones stop working."""
        link = await links.issue_invitation(actor, request.app.state.settings, staff_id)
        return InvitationOut(invitation_url=link.url, expires_at=link.expires_at)

    @post("/{staff_id:int}/password-reset", responses=ERRORS)
    async def issue_reset(self, request: Request, actor: CurrentActor, staff_id: PathId) -> ResetLinkOut:
        """A one-time link to pass on, where the person chooses a new password."""
        link = await links.issue_reset(actor, request.app.state.settings, staff_id)
        return ResetLinkOut(reset_url=link.url, expires_at=link.expires_at)

    @post("/{staff_id:int}/unlock", responses=ERRORS, status_code=200)
    async def unlock(self, actor: CurrentActor, staff_id: PathId) -> StaffRead:
        """End a lockout at once."""
        return read(StaffRead, await credentials.unlock(actor, staff_id))

    @post("/{staff_id:int}/mfa-reset", responses=ERRORS, status_code=204)
    async def reset_mfa(self, actor: CurrentActor, staff_id: PathId) -> None:
        """Remove the person's second factor (a lost phone). Their sessions end; they set up a
        new one at their next sign-in."""
        await mfa.admin_reset(actor, staff_id)


ACCOUNT_CONTROLLERS = [AccountController, StaffAccountController]
