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

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from legal_tracker.access import Actor, require_admin
from legal_tracker.common import PageRequest, page_of, to_utc


class AuditEvent(Table, tablename="audit_event"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    action = Varchar(length=48)
    entity = Varchar(length=48)
    entity_id = Varchar(length=64, null=True, default=None)
    office = Integer(null=True, default=None)
    ip = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=256, null=True, default=None)
    detail = JSON(default="{}")


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


async def name_events(actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of a page of :func:`list_audit_events` with names instead of ids:
    ``actor_name`` (the member of staff) and ``record`` (a staff member's or office's or
    court's name, a case's reference, a hearing's case reference, a survivor's code), or None
    where there is no label, or the record is outside the caller's need-to-know. One query
    per kind of record on the page."""
    from legal_tracker.access import case_scope, hearing_scope, survivor_scope
    from legal_tracker.cases.tables import Case, Hearing, Survivor
    from legal_tracker.organisation.tables import Court, Office, Staff

    def ids(entity: str | None) -> list[int]:
        found = set()
        for row in rows:
            value = row["entity_id"] if entity else row["actor"]
            if (entity is None or row["entity"] == entity) and value is not None \
                    and str(value).isdigit() and len(str(value)) < 10:
                found.add(int(value))
        return sorted(found)

    async def names(table: Any, column: Any, wanted: list[int], scope: Any = None) -> dict[int, str]:
        if not wanted:
            return {}
        query = table.select(table.id, column.as_alias("label")).where(table.id.is_in(wanted))
        if scope is not None:
            query = query.where(scope)
        return {r["id"]: r["label"] for r in await query}

    staff = await names(Staff, Staff.name, sorted(set(ids(None)) | set(ids("staff"))))
    labels: dict[str, dict[int, str]] = {
        "staff": staff,
        "office": await names(Office, Office.name, ids("office")),
        "court": await names(Court, Court.name, ids("court")),
        "case": await names(Case, Case.reference, ids("case"), case_scope(actor)),
        "hearing": await names(Hearing, Hearing.case._.reference, ids("hearing"),
                               hearing_scope(actor)),
        "survivor": await names(Survivor, Survivor.code, ids("survivor"), survivor_scope(actor)),
    }
    out = []
    for row in rows:
        value = str(row["entity_id"]) if row["entity_id"] is not None else ""
        known = labels.get(row["entity"], {})
        out.append({**row, "actor_name": staff.get(row["actor"]) if row["actor"] else None,
                    "record": known.get(int(value)) if value.isdigit() and len(value) < 10 else None})
    return out
