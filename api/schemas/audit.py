"""The audit trail as the API shows it (read only: there are no Create or Update types)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

from api.schemas.common import Page


class AuditEventRead(Struct):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: str | None
    office_id: int | None
    ip: str | None
    user_agent: str | None
    detail: dict[str, Any]


class AuditList(Page):
    items: list[AuditEventRead]
