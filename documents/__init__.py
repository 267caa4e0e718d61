"""Filing templates (.docx) and drafting: built-in templates, the variables a template
needs, upload checks, sandboxed rendering and PDF conversion.

What is re-exported here knows nothing of the database or HTTP. ``documents.tables`` and
``documents.service`` store templates and filings (uploads, versions, drafting, downloads);
their registrations (encrypted columns, the filings in a case's timeline) are made by
:func:`api.bootstrap.bootstrap_application`. See ``docs/filings.md`` for how template
authors use the templates.
"""

from documents.analysis import (
    TemplateVariables,
    analyse_template,
    check_template,
    describe_template,
    discover_variables,
)
from documents.builtin import BUILTIN_TEMPLATES, BuiltinTemplate, builtin_template
from documents.errors import (
    ConversionFailed,
    ConverterUnavailable,
    DocumentError,
    InvalidFields,
    MissingVariables,
    RenderLimitExceeded,
    TemplateProblem,
    TemplateRejected,
)
from documents.pdf import convert_to_pdf
from documents.render import render_filing
from documents.sandbox import DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIME_LIMIT_S
from documents.variables import (
    CATALOGUE,
    FilingContext,
    SystemVariable,
    build_context,
    is_user_field_name,
    missing_variables,
)

__all__ = [
    "BUILTIN_TEMPLATES",
    "CATALOGUE",
    "DEFAULT_MAX_OUTPUT_BYTES",
    "DEFAULT_TIME_LIMIT_S",
    "BuiltinTemplate",
    "ConversionFailed",
    "ConverterUnavailable",
    "DocumentError",
    "FilingContext",
    "InvalidFields",
    "MissingVariables",
    "RenderLimitExceeded",
    "SystemVariable",
    "TemplateProblem",
    "TemplateRejected",
    "TemplateVariables",
    "analyse_template",
    "build_context",
    "builtin_template",
    "check_template",
    "convert_to_pdf",
    "describe_template",
    "discover_variables",
    "is_user_field_name",
    "missing_variables",
    "render_filing",
]
