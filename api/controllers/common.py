"""Pieces every controller shares: the caller, paging parameters, documented error responses."""

from __future__ import annotations

from typing import Annotated

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from msgspec import Struct

from api.auth import actor_of
from legal_tracker.access import Actor
from legal_tracker.common import DEFAULT_PAGE, MAX_PAGE, PageRequest
from legal_tracker.domain import MAX_ID


class FieldError(Struct):
    field: str
    source: str
    message: str
    # For a field that takes one of a fixed set of values, the values it allows.
    allowed: list[str] | None = None


class ProblemDetail(Struct):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ProblemDetail, description=description,
                        media_type="application/problem+json", generate_examples=False)


ERRORS: dict[int, ResponseSpec] = {
    400: _spec("Malformed request (not JSON, not UTF-8, bad query parameter)"),
    401: _spec("No valid bearer token"),
    403: _spec("Your role may not do this to a record you can see"),
    404: _spec("No such record, or not one you may see"),
    409: _spec("The record's state forbids this"),
    422: _spec("Invalid input; each offending field is named"),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 401, 404)}


def get_actor(request: Request) -> Actor:
    return actor_of(request)


ACTOR = {"actor": Provide(get_actor, sync_to_thread=False)}
# The caller, provided by ACTOR (a controller's ``dependencies``).
CurrentActor = NamedDependency[Actor]

PathId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="record id")]
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="page size (at most 200)")]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000, description="rows to skip")]
OptId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
Reveal = Annotated[str | None, Parameter(
    max_length=64, description="comma-separated protected fields to show in clear, audited: "
                               "legal_name (survivor), phone (contact), number (identity document)")]


def page(limit: int = DEFAULT_PAGE, offset: int = 0) -> PageRequest:
    return PageRequest(limit, offset)


def reveal_set(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(",") if part.strip()}
