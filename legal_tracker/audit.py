"""The append-only audit trail: who did what to which record, when, from where.

Never pass a sensitive value in ``detail``: name the fields that changed, not their values.
The request's origin (address, user agent) is carried in a context variable that the API
sets per request, so services record it without knowing about HTTP.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from legal_tracker.tables import AuditEvent


@dataclass(frozen=True, slots=True)
class Origin:
    ip: str | None = None
    user_agent: str | None = None


current_origin: ContextVar[Origin] = ContextVar("current_origin", default=Origin())  # noqa: B039 - frozen


async def record(
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object | None = None,
    *,
    office_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    origin = current_origin.get()
    await AuditEvent.insert(
        AuditEvent(
            at=datetime.now(UTC),
            actor=actor_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            office=office_id,
            ip=origin.ip,
            user_agent=(origin.user_agent or "")[:256] or None,
            detail=json.dumps(detail or {}, sort_keys=True, default=str),
        )
    )
