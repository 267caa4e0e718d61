"""Health, login and logout."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Response

from api.auth import bearer_token, client_address
from api.controllers.common import ACTOR, ERRORS, ProblemDetail
from api.errors import problem
from api.schemas import Health, LoginIn, LoginOut
from legal_tracker import db
from legal_tracker.access import Actor
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
    return Response(Health(status="ok"))


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", responses={k: v for k, v in ERRORS.items() if k in (400, 401, 422)} | {
        429: ERRORS[401].__class__(data_container=ProblemDetail, description="Too many attempts",
                                   media_type="application/problem+json",
                                   generate_examples=False)}, status_code=200)
    async def login(self, request: Request, data: LoginIn) -> LoginOut:
        address = client_address(request)
        current_origin.set(Origin(address, request.headers.get("user-agent")))
        await request.app.state.login_limiter.check(address)
        issued = await auth_service.login(request.app.state.settings, data.email, data.password)
        return LoginOut(token=issued.token, expires_at=issued.expires_at, staff_id=issued.staff_id)

    @post("/logout", responses=ERRORS, status_code=204, dependencies=ACTOR,
          security=[{"BearerToken": []}])
    async def logout(self, request: Request, actor: Actor) -> None:
        await auth_service.logout(actor, bearer_token(request))
