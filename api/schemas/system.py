"""Login and health (the system controller)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta, Struct

from api.schemas.common import TEXT, Base


class LoginIn(Base):
    email: Annotated[str, Meta(min_length=1, max_length=254, pattern=TEXT)]
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class LoginOut(Struct):
    token: str
    expires_at: datetime
    staff_id: int


class Health(Struct, omit_defaults=True):
    status: str
    # Present ("degraded") only while the SMS provider refuses our account and sending is
    # paused; details for administrators at GET /api/reminders/gateway.
    sms_gateway: str | None = None
