"""Health, login and logout."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.response import Response

from api.auth import bearer_token, client_address
from api.controllers.common import ACTOR, ERRORS, CurrentActor, ProblemDetail
from api.errors import problem
from api.schemas.system import Health, LoginIn, LoginOut, PasswordChangeIn
from legal_tracker import db
from legal_tracker.accounts import auth as auth_service
from legal_tracker.audit import Origin, current_origin


@get("/health", tags=["system"], responses={503: ERRORS[401].__class__(
    data_container=ProblemDetail, description="The database does not answer",
    media_type="application/problem+json", generate_examples=False)})
async def health() -> Response[Health] | Response:
    try:
        ok = await db.ping()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        ok = False
    if not ok:
        return problem(503, "the database does not answer")
    from legal_tracker.reminders.dispatcher import gateway_health

    try:
        sms = "degraded" if (await gateway_health())["status"] == "degraded" else None
    except Exception:  # noqa: BLE001 - the SMS state never makes the service unhealthy
        sms = None
    return Response(Health(status="ok", sms_gateway=sms))


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", responses={k: v for k, v in ERRORS.items() if k in (400, 401, 422)} | {
        429: ERRORS[401].__class__(data_container=ProblemDetail, description="Too many attempts",
                                   media_type="application/problem+json",
                                   generate_examples=False)}, status_code=200)
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> LoginOut:
        address = client_address(request)
        current_origin.set(Origin(address, request.headers.get("user-agent")))
        request.app.state.login_limiter.check(address)
        issued = await auth_service.login(request.app.state.settings, data.email, data.password)
        return LoginOut(token=issued.token, expires_at=issued.expires_at, staff_id=issued.staff_id)

    @post("/password", responses=ERRORS, status_code=204, dependencies=ACTOR,
          security=[{"BearerToken": []}])
    async def change_password(self, request: Request, actor: CurrentActor,
                              data: JSONBody[PasswordChangeIn]) -> None:
        """Change your own password. The current one is required; every other session and
        token of yours ends (the one making this call stays valid)."""
        await auth_service.change_password(actor, data.current_password, data.new_password,
                                           keep_token=bearer_token(request))

    @post("/logout", responses=ERRORS, status_code=204, dependencies=ACTOR,
          security=[{"BearerToken": []}])
    async def logout(self, request: Request, actor: CurrentActor) -> None:
        await auth_service.logout(actor, bearer_token(request))
