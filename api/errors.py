"""Every error becomes an RFC 9457 ``application/problem+json`` document, in one place.

``type`` is a stable URN per kind of problem; validation problems list each offending field
under ``errors``. Nothing internal (a stack trace, SQL, a stored value) ever reaches a client.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import traceback
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response, Router
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from api.convert import RENAMES
from documents.errors import (
    ConversionFailed,
    ConverterUnavailable,
    DocumentError,
    InvalidFields,
    MissingVariables,
    RenderLimitExceeded,
    TemplateRejected,
)
from documents.variables import CATALOGUE
from legal_tracker.db import unique_violation_field
from legal_tracker.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    NotAvailable,
    NotFound,
    TooManyRequests,
    Unauthorized,
)

PROBLEM = "application/problem+json"
TYPE_PREFIX = "urn:legal-tracker:problem:"
log = logging.getLogger("legal_tracker.api")

TITLES = {
    400: "Malformed request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the record's state",
    410: "No longer available",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    501: "Not available on this installation",
    502: "A helper program failed",
    503: "Service unavailable",
}
SLUGS = {
    400: "malformed-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 410: "gone", 413: "payload-too-large",
    415: "unsupported-media-type", 422: "validation-error", 429: "rate-limited",
    500: "internal-error", 501: "not-implemented", 502: "bad-gateway", 503: "unavailable",
}


def problem(status: int, detail: str, *, request: Request | None = None, slug: str | None = None,
            errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> Response[Any]:
    """A problem+json answer. Typed Response[Any] because a handler returns it in place of its
    success type (e.g. Response[None] for a 204 webhook, whose annotation Litestar requires)."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or SLUGS.get(status, "error")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`")


def _field_of(item: dict[str, Any]) -> str:
    message = str(item.get("message", ""))
    match = _AT_PATH.search(message)
    key = str(item.get("key") or "")
    if match and match.group(1):
        return match.group(1).replace("][", ".").replace("[", ".").replace("]", "")
    unknown = re.search(r"unknown field `([^`]+)`", message)
    if unknown:
        return unknown.group(1)
    missing = re.search(r"missing required field `([^`]+)`", message)
    if missing:
        return missing.group(1)
    return "body" if key == "data" else key or "body"


def _client_name(request: Request, name: str) -> str:
    """The name the client used for a parameter (``from``), not the handler's (``starts_from``)."""
    try:
        field = request.route_handler.parsed_fn_signature.parameters.get(name)
    except Exception:  # noqa: BLE001 - no handler resolved: keep the name as reported
        return name
    kwarg = getattr(field, "kwarg_definition", None)
    for attribute in ("name", "query", "header", "cookie"):
        alias = getattr(kwarg, attribute, None)
        if isinstance(alias, str) and alias:
            return alias
    return name


def _choices(info: Any) -> list[str] | None:
    """The values an enum or Literal type allows (through Optional/UNSET unions)."""
    if isinstance(info, msgspec.inspect.LiteralType):
        return [str(v) for v in info.values]
    if isinstance(info, msgspec.inspect.EnumType):
        return [str(m.value) for m in info.cls]
    if isinstance(info, msgspec.inspect.UnionType):
        for option in info.types:
            if (found := _choices(option)) is not None:
                return found
    return None


def _at(info: Any, part: str) -> Any:
    """One step down a msgspec type: a field of a Struct, an item of a list or dict."""
    if isinstance(info, msgspec.inspect.UnionType):
        for option in info.types:
            if (found := _at(option, part)) is not None:
                return found
        return None
    if isinstance(info, msgspec.inspect.StructType):
        return next((f.type for f in info.fields if f.encode_name == part), None)
    if isinstance(info, (msgspec.inspect.ListType, msgspec.inspect.SetType,
                         msgspec.inspect.FrozenSetType, msgspec.inspect.VarTupleType)):
        return info.item_type if part.isdigit() else None
    if isinstance(info, msgspec.inspect.DictType):
        return info.value_type
    return None


def allowed_values(request: Request, field: str, source: str) -> list[str] | None:
    """The values the field named in a validation error may take, when it is an enum or a
    Literal: the body's field at a path (``survivors[0].role``), or a query parameter."""
    try:
        parameters = request.route_handler.parsed_fn_signature.parameters
    except Exception:  # noqa: BLE001 - no handler resolved
        return None
    if source == "body":
        data = parameters.get("data")
        if data is None:
            return None
        info: Any = msgspec.inspect.type_info(data.annotation)
        for part in filter(None, re.split(r"[.\[\]]", field)):
            info = _at(info, part)
            if info is None:
                return None
        return _choices(info)
    for name, parameter in parameters.items():
        kwarg = getattr(parameter, "kwarg_definition", None)
        if field in (name, getattr(kwarg, "name", None)):
            try:
                return _choices(msgspec.inspect.type_info(parameter.annotation))
            except TypeError:
                return None
    return None


def _validation(request: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if not extra:
        # Litestar raises this with no field list for bodies that are not JSON at all.
        return problem(400, "the request body is not valid JSON", request=request)
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = _AT_PATH.sub("", str(item.get("message", "invalid value")))
        source = item.get("source", "body")
        source = getattr(source, "value", source)  # Litestar passes a ParamType enum
        field = _field_of(item)
        if source != "body":
            field = _client_name(request, field)
        error: dict[str, Any] = {"field": field, "source": str(source), "message": message}
        if message.startswith("Invalid enum value"):
            choices = allowed_values(request, field, str(source))
            if choices:
                error["message"] = f"{message}: must be one of {', '.join(choices)}"
                error["allowed"] = choices
        errors.append(error)
    sources = {e["source"] for e in errors}
    status = 422 if sources == {"body"} else 400
    fields = ", ".join(e["field"] for e in errors)
    return problem(status, f"invalid value for: {fields}", request=request, errors=errors)


def _http(request: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    detail = exc.detail if status < 500 else TITLES.get(status, "Error")
    if status == 400 and str(detail).startswith("JSON is malformed"):
        detail = "the request body is not valid JSON"
    if isinstance(exc, NotFoundException) and detail == "Not Found":
        detail = "no such resource"
    headers = dict(exc.headers or {})
    return problem(status, str(detail), request=request, headers=headers or None)


def _domain(request: Request, exc: DomainError) -> Response[dict[str, Any]]:
    if isinstance(exc, NotFound):
        return problem(404, exc.message, request=request)
    if isinstance(exc, Invalid):
        errors = [{"field": p.field, "source": p.source, "message": p.message} for p in exc.problems]
        status = 422 if all(p.source == "body" for p in exc.problems) else 400
        return problem(status, exc.message, request=request, errors=errors)
    if isinstance(exc, Conflict):
        return problem(409, exc.message, request=request)
    if isinstance(exc, Gone):
        return problem(410, exc.message, request=request)
    if isinstance(exc, Forbidden):
        return problem(403, exc.message, request=request)
    if isinstance(exc, Unauthorized):
        return problem(401, exc.message, request=request, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, TooManyRequests):
        return problem(429, exc.message, request=request,
                       headers={"Retry-After": str(exc.retry_after_seconds)})
    if isinstance(exc, NotAvailable):
        return problem(501, exc.message, request=request)
    return problem(400, exc.message, request=request)


def _missing_message(name: str) -> str:
    variable = CATALOGUE.get(name)
    if variable is None:
        return "no value: type it under fields"
    if variable.restricted:
        return ("filled from the survivor's record only when reveal_legal_name is true and your "
                "role may see legal names")
    if not variable.user_can_supply:
        return "filled from the records only (link the record to the case)"
    if name.startswith("hearing."):
        return "filled from the hearing named by hearing_id, or type it under fields"
    return "the records hold no value: add it to the record or type it under fields"


def _document(request: Request, exc: DocumentError) -> Response[dict[str, Any]]:
    """Drafting filings (documents package): what the template or the values lack."""
    if isinstance(exc, MissingVariables):
        errors = [{"field": n, "source": "body", "message": _missing_message(n)} for n in exc.names]
        return problem(422, str(exc), request=request, slug="missing-values", errors=errors)
    if isinstance(exc, InvalidFields):
        errors = [{"field": f"fields.{n}", "source": "body", "message": exc.reason} for n in exc.names]
        return problem(422, str(exc), request=request, slug="invalid-fields", errors=errors)
    if isinstance(exc, TemplateRejected):
        upload = request.method == "POST" and request.url.path.rstrip("/").endswith("/api/templates")
        errors = []
        for p in exc.problems:
            item = {"field": "file" if upload else "template", "source": "body", "message": p.message,
                    "code": p.code}
            if p.where:
                item["where"] = p.where
            errors.append(item)
        count = len(errors)
        return problem(422, f"the template cannot be used: {count} problem{'s' * (count != 1)} "
                            "found (see errors)", request=request, slug="template-rejected",
                       errors=errors)
    if isinstance(exc, RenderLimitExceeded):
        return problem(422, str(exc), request=request, slug="template-limit-exceeded",
                       errors=[{"field": "template", "source": "body", "message": str(exc),
                                "code": "limit_exceeded"}])
    if isinstance(exc, ConverterUnavailable):
        return problem(501, str(exc), request=request)
    if isinstance(exc, ConversionFailed):
        log.warning("PDF conversion failed on %s %s", request.method, request.url.path)
        return problem(502, "LibreOffice could not make a PDF of this filing; download the .docx "
                            "instead", request=request, slug="conversion-failed")
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return problem(500, "an internal error occurred; it has been logged", request=request)


def _bad_bytes(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    return problem(400, "the request body is not valid UTF-8 JSON", request=request)


def _data_error(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    # PostgreSQL refused a value (SQLSTATE class 22: a NUL character, a number or date out of
    # its range) that the schemas let through; the transaction has rolled back.
    log.warning("database refused a value (%s) on %s %s", type(exc).__name__, request.method,
                request.url.path)
    return problem(400, "a value in the request cannot be stored (out of range or a NUL "
                        "character)", request=request)


_OWN = ("legal_tracker", "api", "calendars", "documents")


def where(exc: BaseException, depth: int = 4) -> str:
    """Where it failed, as ``file:line function`` frames (innermost first): the innermost
    frame, then our own code's innermost frames. Enough to find the fault, without the
    exception's text (which may hold SQL or values) or any variables."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    own = [f for f in frames if "site-packages" not in f.filename
           and any(f"/{name}/" in f.filename.replace("\\", "/") for name in _OWN)]
    chosen = [frames[-1], *[f for f in reversed(own) if f is not frames[-1]][:depth]]
    return " <- ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in chosen)


def _short(filename: str) -> str:
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[-2:])


def _integrity(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    """A unique key broken by a write that passed the service's check: another request made
    the same record in between (the check and the insert are not one statement)."""
    broken = unique_violation_field(exc)
    if broken is None:
        return _internal(request, exc)
    table, column = broken
    field = RENAMES.get(column, column)
    log.info("unique key %s.%s refused a write on %s %s", table, column, request.method,
             request.url.path)
    return problem(409, f"{field}: another record already has this value", request=request,
                   errors=[{"field": field, "source": "body", "message": "already in use"}])


def _internal(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    # The exception's text may hold SQL or values (a PostgreSQL error can quote the failing
    # row): log its type and place only, never exc_info, whatever the log level.
    log.error("unhandled %s on %s %s at %s", type(exc).__name__, request.method,
              request.url.path, where(exc))
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "an internal error occurred; it has been logged",
                   request=request)


def _schema_not_found(request: Request) -> Response[dict[str, Any]] | None:
    # Litestar answers an unknown path under /schema with an HTML page of its own.
    if getattr(request.route_handler.fn, "__name__", "") == "handle_schema_path_not_found":
        return problem(404, "no such resource", request=request)
    return None


def openapi_router(path: str, route_handlers: Sequence[Any] = ()) -> Router:
    """The router of the OpenAPI document and docs (and ``route_handlers``, e.g. the docs'
    own files): unknown paths under it answer a 404 problem like every other unknown path."""
    return Router(path, route_handlers=list(route_handlers), include_in_schema=False,
                  before_request=_schema_not_found)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ValidationException: _validation,
    NotAuthorizedException: _http,
    PermissionDeniedException: _http,
    SerializationException: _bad_bytes,
    HTTPException: _http,
    DomainError: _domain,
    DocumentError: _document,
    UnicodeDecodeError: _bad_bytes,
    asyncpg.exceptions.DataError: _data_error,
    asyncpg.exceptions.IntegrityConstraintViolationError: _integrity,
    sqlite3.IntegrityError: _integrity,
    Exception: _internal,
}

