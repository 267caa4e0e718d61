"""Rendering a filing: check the template, check the values, fill it in safely."""

from __future__ import annotations

from documents.analysis import analyse_template
from documents.docx_io import render_namespace
from documents.errors import MissingVariables, TemplateRejected
from documents.sandbox import DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIME_LIMIT_S
from documents.variables import (
    FilingContext,
    build_context,
    context_locale,
    missing_in_namespace,
)


def render_filing(
    template_bytes: bytes,
    context: FilingContext,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
) -> bytes:
    """Fill in a .docx template and return the new .docx.

    Raises, in this order of checking:

    * :class:`TemplateRejected` when the template fails the static upload checks
      (not a .docx, syntax error, unknown variable or filter, reaching for internals) or
      misbehaves while rendering;
    * :class:`InvalidFields` when a typed field name or value is refused;
    * :class:`MissingVariables` naming every required variable with no value;
    * :class:`RenderLimitExceeded` when rendering passes ``time_limit_s`` or produces
      more than ``max_output_bytes`` (document XML as generated, and the final file).

    Values are XML-escaped into the document, so they appear exactly as typed.
    """
    variables, problems = analyse_template(template_bytes)
    if problems:
        raise TemplateRejected(problems)
    namespace = build_context(context)
    missing = missing_in_namespace(variables.required, namespace)
    if missing:
        raise MissingVariables(missing)
    return render_namespace(
        template_bytes,
        namespace,
        locale=context_locale(context),
        time_limit_s=time_limit_s,
        max_output_bytes=max_output_bytes,
    )
