"""Health. (Signing in and out: api/controllers/accounts.py.)"""

from __future__ import annotations

from litestar import get
from litestar.response import Response

from api.controllers.common import ERRORS, ProblemDetail
from api.errors import problem
from api.schemas.system import Health
from legal_tracker import db


@get("/health", tags=["system"], responses={503: ERRORS[401].__class__(
    data_container=ProblemDetail, description="The database does not answer",
    media_type="application/problem+json", generate_examples=False)})
async def health() -> Response[Health] | Response:
    try:
        ok = await db.ping()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        ok = False
    if not ok:
        return problem(503, "the database does not answer")
    from legal_tracker.reminders.dispatcher import gateway_health

    try:
        sms = "degraded" if (await gateway_health())["status"] == "degraded" else None
    except Exception:  # noqa: BLE001 - the SMS state never makes the service unhealthy
        sms = None
    return Response(Health(status="ok", sms_gateway=sms))
