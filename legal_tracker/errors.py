"""Domain errors. Services raise these; the API maps each to one HTTP status in one place.

Messages must never carry a sensitive value (a name, a phone number, a document number):
they name fields and states only, because they travel to clients and into logs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    message: str
    source: str = "body"  # where the field came from: body, query, path or header


class DomainError(Exception):
    code = "domain-error"

    def __init__(self, message: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it exists."""

    code = "not-found"

    def __init__(self, entity: str) -> None:
        super().__init__(f"{entity} not found")
        self.entity = entity


class Conflict(DomainError):
    """The request is well formed but the record's state forbids it."""

    code = "conflict"


class Invalid(DomainError):
    """One or more fields hold values the domain rejects."""

    code = "validation-error"

    def __init__(self, field: str | None = None, message: str | None = None, *,
                 problems: list[FieldProblem] | None = None) -> None:
        collected = list(problems or [])
        if field is not None:
            collected.append(FieldProblem(field, message or "invalid value"))
        summary = "; ".join(f"{p.field}: {p.message}" for p in collected) or "invalid request"
        super().__init__(summary, problems=collected)


class Forbidden(DomainError):
    """The caller is known and may see the record but not do this to it."""

    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class TooManyRequests(DomainError):
    code = "rate-limited"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class NotAvailable(DomainError):
    """A feature needs something this installation lacks (e.g. LibreOffice)."""

    code = "not-implemented"


class Gone(DomainError):
    """A one-time link that existed but can no longer be used (expired, used, replaced)."""

    code = "gone"
