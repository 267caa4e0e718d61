"""Signed-in sessions for the web app.

Signing in calls :func:`legal_tracker.accounts.auth.login` — the same password check, lockout,
token lifetimes (absolute and idle) and audit as the API — and puts the token it issues in a
cookie. Only the token's SHA-256 is stored server-side (``auth_token``), so the session ends
exactly like an API token: on sign-out, expiry, idleness, deactivation, or "sign out
everywhere". The cookie is HttpOnly, SameSite=Lax, and Secure when ``LEGAL_TRACKER_PUBLIC_URL``
is https.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from api.auth import client_address
from legal_tracker import db
from legal_tracker.access import Actor
from legal_tracker.accounts import auth as auth_service
from legal_tracker.audit import Origin, current_origin
from legal_tracker.errors import Unauthorized
from legal_tracker.settings import Settings
from web.i18n import choose_language, current_language

COOKIE = "lt_session"


class SignInRequired(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by the ``me`` dependency; the web error handler answers with a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in required")
        self.next_path = next_path


@dataclass(frozen=True, slots=True)
class Me:
    """The signed-in person, as pages need them."""

    actor: Actor
    language: str
    office_name: str | None
    office_timezone: str | None

    @property
    def staff_id(self) -> int:
        return self.actor.staff_id

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def role(self) -> str:
        return self.actor.role


def secure_cookies(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def session_cookie(settings: Settings, token: str) -> Cookie:
    return Cookie(key=COOKIE, value=token, path="/", httponly=True, samesite="lax",
                  secure=secure_cookies(settings),
                  max_age=int(settings.token_ttl_hours * 3600))


def cleared_cookie(settings: Settings) -> Cookie:
    return Cookie(key=COOKIE, value="", path="/", httponly=True, samesite="lax",
                  secure=secure_cookies(settings), max_age=0)


def note_origin(request: Request) -> None:
    current_origin.set(Origin(client_address(request), request.headers.get("user-agent")))


async def signed_in(request: Request) -> Me | None:
    """The person behind the session cookie, or None. Checked against the database on every
    request, like a bearer token."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    settings: Settings = request.app.state.settings
    try:
        actor = await auth_service.authenticate(settings, token, kind="session")
    except Unauthorized:
        return None
    rows = await db.fast_read(
        "SELECT s.language, o.name AS office_name, o.timezone FROM staff s"
        " LEFT JOIN office o ON o.id = s.office WHERE s.id = ?", actor.staff_id)
    row = rows[0] if rows else {}
    language = choose_language(row.get("language"), request.headers.get("accept-language"))
    return Me(actor, language, row.get("office_name"), row.get("timezone"))


def next_target(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


def login_url(next_path: str | None = None) -> str:
    if not next_path or next_path in {"/", "/app/", "/app"}:
        return "/app/login"
    return "/app/login?next=" + quote(next_path, safe="/")


def safe_next(value: str | None) -> str:
    """Only a path inside the app: never another host (``//evil``, ``https://…``)."""
    if not value or not value.startswith("/app/") or value.startswith("//") or "\\" in value:
        return "/app/"
    if value.startswith("/app/login"):
        return "/app/"
    return value


async def provide_me(request: Request) -> Me:
    """The ``me`` dependency of every signed-in page."""
    note_origin(request)
    me = await signed_in(request)
    if me is None:
        current_language.set(choose_language(None, request.headers.get("accept-language")))
        raise SignInRequired(next_target(request) if request.method == "GET" else "/app/")
    current_language.set(me.language)
    request.state.me = me
    return me


# The signed-in person, as a handler parameter (``me: CurrentMe``).
CurrentMe = NamedDependency[Me]
