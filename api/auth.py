"""Bearer-token authentication for everything under /api (but login), in one middleware.

It resolves the token to an :class:`~legal_tracker.access.Actor` on every request (so a
deactivated account stops working at once) and records the caller's origin for the audit log.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

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
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(connection: ASGIConnection) -> str:
    """The client's address: the TCP peer, or, when the peer is one of
    ``LEGAL_TRACKER_TRUSTED_PROXIES``, the right-most address in ``X-Forwarded-For`` that is
    not itself a trusted proxy (the left part of that header is whatever the client wrote)."""
    client = connection.scope.get("client")
    peer = client[0] if client else "unknown"
    settings: Settings = connection.app.state.settings
    if not settings.trusted_proxies:
        return peer
    trusted = _trusted_networks(settings.trusted_proxies)
    if not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(connection.headers.getall("x-forwarded-for", [])).split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _is_trusted(hop, trusted):
            return _valid_address(hop) or peer
    return peer


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _is_trusted(address: str, trusted: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


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
