"""Reading the audit trail (admins only). There is deliberately no way to change it: no
service updates or deletes an audit row, and the database refuses to (migration m0100)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from legal_tracker.access import Actor, require_admin
from legal_tracker.services.common import PageRequest, page_of, to_utc
from legal_tracker.tables import AuditEvent


async def list_audit_events(actor: Actor, page: PageRequest, *, actor_id: int | None = None,
                            entity: str | None = None, entity_id: str | None = None,
                            action: str | None = None, since: datetime | None = None,
                            until: datetime | None = None) -> Any:
    """Newest first. Organisation admins see every event; an office's admin sees the events
    recorded against that office."""
    require_admin(actor)
    page = page.clamp()
    query = AuditEvent.select().order_by(AuditEvent.id, ascending=False)
    if not actor.is_org_admin:
        query = query.where(AuditEvent.office == actor.office_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor == actor_id)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= to_utc(since))
    if until is not None:
        query = query.where(AuditEvent.at < to_utc(until))
    rows = await query.limit(page.limit + 1).offset(page.offset)
    for row in rows:
        detail = row.get("detail")
        row["detail"] = json.loads(detail) if isinstance(detail, str) else (detail or {})
    return page_of(rows, page)
