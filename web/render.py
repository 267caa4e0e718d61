"""Rendering pages: one Jinja2 environment (autoescaped, Babel gettext, a few globals)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from web import formatting, labels
from web.assets import ASSETS
from web.i18n import current_language, gettext_, ngettext_

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        static=ASSETS.url,
        when=formatting.when,
        time_only=formatting.time_only,
        day=formatting.day,
        short_day=formatting.short_day,
        local_input=formatting.local_input,
        language=lambda: current_language.get(),
        label=labels.label,
        options=labels.options,
    )
    return env


ENVIRONMENT = _environment()


def template_config() -> TemplateConfig:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(ENVIRONMENT))


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> Template:
    """A page. ``me`` (the signed-in person) is added from the request when there is one."""
    context.setdefault("me", getattr(request.state, "me", None))
    context.setdefault("request_path", request.url.path)
    context.setdefault("done", labels.done_message(request.query_params.get("done")))
    return Template(template_name=template, context=context, status_code=status,
                    media_type="text/html")


def see_other(path: str) -> Redirect:
    """After a successful POST: Post/Redirect/Get, so a reload does not resubmit."""
    return Redirect(path=path, status_code=303)
