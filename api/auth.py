"""Bearer-token authentication for everything under /api (but login), in one middleware.

It resolves the token to an :class:`~legal_tracker.access.Actor` on every request (so a
deactivated account stops working at once) and records the caller's origin for the audit log.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from legal_tracker.access import Actor
from legal_tracker.accounts import auth as auth_service
from legal_tracker.audit import Origin, current_origin
from legal_tracker.errors import Unauthorized
from legal_tracker.settings import Settings

PUBLIC_API_PATHS = {"/api/auth/login", "/api/auth/login/mfa", "/api/auth/login/mfa/enrol",
                    "/api/auth/invitation/accept", "/api/auth/reset", "/api/auth/reset-request"}


def client_address(connection: ASGIConnection) -> str:
    client = connection.scope.get("client")
    return client[0] if client else "unknown"


def bearer_token(connection: ASGIConnection) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required: Authorization: Bearer <token>")
    return token.strip()


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        current_origin.set(
            Origin(client_address(connection), connection.headers.get("user-agent"))
        )
        settings: Settings = connection.app.state.settings
        token = bearer_token(connection)
        actor = await auth_service.authenticate(settings, token, kind="api")
        return AuthenticationResult(user=actor, auth=token)


def auth_middleware() -> DefineMiddleware:
    return DefineMiddleware(
        BearerAuthMiddleware,
        exclude=[
            r"^/api/auth/(login|login/mfa|login/mfa/enrol|invitation/accept|reset|reset-request)$",
            r"^/health$", r"^/schema", r"^/calendars/", r"^/webhooks/",
            # The web app signs people in with its own session cookie (web/session.py).
            r"^/$", r"^/app(/|$)",
        ],
    )


def actor_of(connection: ASGIConnection) -> Actor:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise Unauthorized("a bearer token is required")
    return user
