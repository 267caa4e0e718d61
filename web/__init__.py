"""The staff web app: server-rendered pages under ``/app/``, served by the API's Litestar app.

See docs/web.md for the building blocks (layout, sessions, CSRF, forms, translations, time
zones, static files) and how to add a page.
"""

from __future__ import annotations

from web.render import template_config
from web.routes import csrf_config, web_router

__all__ = ["csrf_config", "template_config", "web_router"]
