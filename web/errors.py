"""How the web app answers when something goes wrong: HTML pages, never problem+json.

* not signed in → 303 to the sign-in page (and back afterwards);
* a record outside the person's scope, or no such record or page → the ordinary "not found"
  page, the same words whether the record exists or not;
* a POST without a valid CSRF token, or a role that may not do this → "not allowed" (403);
* too many sign-in attempts → 429 page; anything else → 500 page, logged without its text.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.response import Redirect

from api.errors import where
from legal_tracker.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from web.formatting import file_size
from web.i18n import gettext_ as _
from web.render import page
from web.session import SignInRequired, login_url, next_target

log = logging.getLogger("legal_tracker.web")


def _error_page(request: Request, status: int, title: str, text: str,
                headers: dict[str, str] | None = None) -> Any:
    response = page(request, "error.html", status=status, title=title, text=text)
    if headers:
        response.headers.update(headers)
    return response


def not_found(request: Request, exc: Exception | None = None) -> Any:
    return _error_page(request, 404, _("Not found"),
                       _("There is nothing here, or it is not something you can see. "
                         "Check the address, or go back to the court day."))


def _sign_in(request: Request, exc: Exception) -> Response:
    target = exc.next_path if isinstance(exc, SignInRequired) else next_target(request)
    return Redirect(path=login_url(target), status_code=303)


def _forbidden(request: Request, exc: Exception) -> Any:
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        text = _("This form had expired or did not come from this site, so nothing was "
                 "changed. Go back, reload the page and try again.")
    else:
        text = _("Your role may see this but not change it.")
    return _error_page(request, 403, _("Not allowed"), text)


def _too_many(request: Request, exc: TooManyRequests) -> Any:
    return _error_page(request, 429, _("Too many attempts"),
                       _("Too many sign-in attempts from this address. Wait a minute and try "
                         "again."), headers={"Retry-After": str(exc.retry_after_seconds)})


def _http(request: Request, exc: HTTPException) -> Any:
    if isinstance(exc, NotFoundException) or exc.status_code in (404, 405):
        return not_found(request, exc)
    if exc.status_code == 403:
        return _forbidden(request, exc)
    if exc.status_code == 413:
        return _error_page(request, 413, _("The file is too large"),
                           _("Nothing was saved. Go back and choose a smaller file (a template "
                             "may be at most %(size)s).") % {
                               "size": file_size(request.app.state.settings.max_upload_bytes)})
    if exc.status_code < 500:
        return _error_page(request, exc.status_code, _("Something is wrong with this request"),
                           _("Go back and check what was typed."))
    return _internal(request, exc)


def _internal(request: Request, exc: Exception) -> Any:
    log.error("unhandled %s on %s %s at %s", type(exc).__name__, request.method,
              request.url.path, where(exc))
    return _error_page(request, 500, _("Something went wrong"),
                       _("The error has been logged. Nothing was half-saved: try again, or "
                         "tell your administrator."))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    SignInRequired: _sign_in,
    Unauthorized: _sign_in,
    NotFound: not_found,
    Forbidden: _forbidden,
    PermissionDeniedException: _forbidden,
    TooManyRequests: _too_many,
    NotFoundException: not_found,
    HTTPException: _http,
    Exception: _internal,
}
