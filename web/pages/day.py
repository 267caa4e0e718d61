"""The court day: the home page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from web.render import page
from web.session import Me


@get("/app/", name="day")
async def day_page(request: Request, me: Me) -> Any:
    return page(request, "day.html", title="Court day")


HANDLERS = [day_page]
