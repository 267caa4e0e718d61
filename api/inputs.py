"""How the API reads what a client sends, in one place: JSON bodies and query strings.

* A JSON body must say it is JSON (``Content-Type: application/json`` or ``…+json``):
  text, XML or form data sent to a JSON endpoint answers 415 instead of being parsed as JSON.
* A body nested too deeply for the decoder answers 400, not a 500 (``RecursionError``).
* Query values are read strictly: Litestar converts query strings in msgspec's lax mode,
  where ``0.5`` is a Unix time, ``1``/``0`` are booleans and ``1e2`` is the number 100. Every
  handler's query parameters are checked here, by their declared type, before conversion:
  a time must be ISO 8601 with a UTC offset, a date ``YYYY-MM-DD``, a boolean ``true`` or
  ``false``, a whole number digits only. Anything else answers 400 naming the parameter.
"""

from __future__ import annotations

import re
import types
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args, get_origin

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.params import ParameterKwarg, ParamType
from litestar.types import Empty

from legal_tracker.errors import FieldProblem, Invalid


def _is_json(media_type: str) -> bool:
    media_type = media_type.strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json"))


class ApiRequest(Request):
    """The application's request class (``Litestar(request_class=ApiRequest)``)."""

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            media_type, _ = self.content_type
            if not _is_json(media_type):
                raise HTTPException(status_code=415, detail=(
                    "the body must be JSON, sent with Content-Type: application/json"))
            try:
                return await super().json()
            except RecursionError:
                raise HTTPException(status_code=400,
                                    detail="the request body is nested too deeply") from None
        return await super().json()


# ---------------------------------------------------------------- query strings

_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "datetime": (re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})"),
                 "must be an ISO 8601 date and time with a UTC offset, e.g. "
                 "2026-12-03T09:00:00+03:00 (write + as %2B in a URL)"),
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), "must be a date, YYYY-MM-DD"),
    "bool": (re.compile(r"true|false", re.IGNORECASE), "must be true or false"),
    "int": (re.compile(r"-?\d{1,19}"), "must be a whole number, in digits"),
}
_RESERVED = {"request", "data", "state", "scope", "headers", "cookies", "query", "body", "socket"}


def _kind(annotation: Any) -> str | None:
    """The strict rule for a declared type: datetime, date, bool, int, or None (no rule)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        kinds = {_kind(a) for a in get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin in (list, tuple, set, frozenset):
        args = get_args(annotation)
        return _kind(args[0]) if args else None
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, bool):
        return "bool"
    if issubclass(annotation, datetime):
        return "datetime"
    if issubclass(annotation, date):
        return "date"
    if issubclass(annotation, int):
        return "int"
    return None


_DECLARED: dict[tuple[Any, tuple[str, ...]], list[tuple[str, str]]] = {}


def _query_parameters(request: Request) -> list[tuple[str, str]]:
    """(name in the URL, rule) of each query parameter the route's handler declares: worked
    out once per handler (signatures do not change while serving; a list request spent more
    time here than in its database queries)."""
    key = (request.route_handler, tuple(request.path_params))
    found = _DECLARED.get(key)
    if found is None:
        found = _DECLARED[key] = _declared(request)
    return found


def _declared(request: Request) -> list[tuple[str, str]]:
    handler = request.route_handler
    dependencies = handler.resolve_dependencies()
    out = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name in _RESERVED or name in dependencies or name in request.path_params:
            continue
        kwarg = field.kwarg_definition
        alias = name
        if isinstance(kwarg, ParameterKwarg):
            if kwarg.param_type is not ParamType.QUERY:
                continue
            alias = kwarg.name or kwarg.query or name
        elif kwarg is not None:
            continue  # a body or a dependency marker
        kind = _kind(field.raw)
        if kind is not None:
            out.append((alias, kind))
    return out


async def check_query(request: Request) -> None:
    """``before_request`` hook: refuse query values a lax conversion would misread."""
    if not request.url.query:
        return
    problems = []
    for alias, kind in _query_parameters(request):
        pattern, message = _RULES[kind]
        for value in request.query_params.getall(alias, []):
            if not pattern.fullmatch(value):
                problems.append(FieldProblem(alias, message, "query"))
                break
    if problems:
        raise Invalid(problems=problems)
