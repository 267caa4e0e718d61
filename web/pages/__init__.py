"""Page controllers, one module per area. Each module exports ``HANDLERS``."""

from __future__ import annotations

from web.pages import auth, day

PAGE_HANDLERS = [*auth.HANDLERS, *day.HANDLERS]
