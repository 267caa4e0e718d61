"""Problems and exceptions raised while checking and rendering filing templates.

Nothing here knows about HTTP: the API layer maps these to problem details once.
Messages name variables, filters and template locations, never the values being filled
in, because those values may include a survivor's legal name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """One reason a template cannot be used.

    ``code`` is stable and machine-readable; ``message`` is written for the person who
    uploaded the template; ``where`` says which part of the document (body, header,
    footer, document property) and, when known, the paragraph text around the problem.
    """

    code: str
    message: str
    where: str | None = None

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message


# Stable problem codes, listed so the API and its documentation can refer to them.
INVALID_DOCX = "invalid_docx"
SYNTAX_ERROR = "syntax_error"
UNKNOWN_VARIABLE = "unknown_variable"
UNSAFE_ATTRIBUTE = "unsafe_attribute"
UNKNOWN_FILTER = "unknown_filter"
UNKNOWN_TEST = "unknown_test"
UNSUPPORTED_TAG = "unsupported_tag"
UNDEFINED_VARIABLE = "undefined_variable"
DRY_RUN_FAILED = "dry_run_failed"
LIMIT_EXCEEDED = "limit_exceeded"


class DocumentError(Exception):
    """Base class for every error raised by the documents package."""


class TemplateRejected(DocumentError):
    """The template cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: Iterable[TemplateProblem]) -> None:
        self.problems: list[TemplateProblem] = list(problems)
        summary = "; ".join(str(p) for p in self.problems) or "template rejected"
        super().__init__(summary)


class MissingVariables(DocumentError):
    """Values the template needs were not supplied; ``names`` lists each one, sorted."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names: list[str] = sorted(set(names))
        super().__init__("Missing values for: " + ", ".join(self.names))


class InvalidFields(DocumentError):
    """User-supplied fields were refused; ``names`` lists each refused field name."""

    def __init__(self, names: Iterable[str], reason: str) -> None:
        self.names: list[str] = sorted(set(names))
        self.reason = reason
        super().__init__(f"{reason}: " + ", ".join(self.names))


class RenderLimitExceeded(DocumentError):
    """Rendering was stopped because the template exceeded a safety limit.

    ``limit`` is one of ``"time"``, ``"size"``, ``"loop"``, ``"value"``, ``"recursion"``.
    """

    def __init__(self, limit: str, message: str) -> None:
        self.limit = limit
        super().__init__(message)


class ConverterUnavailable(DocumentError):
    """LibreOffice is not installed, so PDFs cannot be produced on this server."""


class ConversionFailed(DocumentError):
    """LibreOffice ran but did not produce a PDF (crash, timeout, unreadable input)."""
