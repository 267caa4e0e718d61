"""A case's timeline: everything that happened to it, in time order.

Built from a list of sources, each an async function ``(case) -> [item]``; other areas add
theirs with :func:`register_timeline_source` (the documents area registers its filings), since
the core may not import them. An item is a dict with ``at`` (aware datetime), ``kind``,
``entity``, ``entity_id``, ``title`` and ``detail``.

Status changes come from the audit trail: every case update records ``status: [old, new]``
in its detail (``services.cases.update_case`` and a hearing outcome that moves the case).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from legal_tracker import audit
from legal_tracker.access import Actor
from legal_tracker.audit import AuditEvent
from legal_tracker.cases.cases import fetch_case
from legal_tracker.cases.tables import Hearing, HearingStaff
from legal_tracker.casework.tables import CustodyEntry, IdentityDocument, ImmigrationApplication, Statement
from legal_tracker.organisation.tables import Office

TimelineSource = Callable[[dict[str, Any]], Awaitable[list[dict[str, Any]]]]
_ORDER = {"case_opened": 0, "status_change": 1, "statement": 2, "hearing": 3}


def _item(at: datetime, kind: str, entity: str, entity_id: int, title: str,
          **detail: Any) -> dict[str, Any]:
    return {"at": at, "kind": kind, "entity": entity, "entity_id": entity_id, "title": title,
            "detail": detail}


def chains(hearings: list[dict[str, Any]]) -> dict[int, list[int]]:
    """Each hearing's adjournment chain: the ids from the first listing to the last, in order."""
    by_id = {h["id"]: h for h in hearings}
    out: dict[int, list[int]] = {}
    for h in hearings:
        if h["id"] in out:
            continue
        first = h
        seen = {first["id"]}
        while first["adjourned_from"] in by_id and first["adjourned_from"] not in seen:
            first = by_id[first["adjourned_from"]]
            seen.add(first["id"])
        chain = [first["id"]]
        while by_id[chain[-1]]["adjourned_to"] in by_id and by_id[chain[-1]]["adjourned_to"] not in chain:
            chain.append(by_id[chain[-1]]["adjourned_to"])
        for hid in chain:
            out[hid] = chain
    return out


async def hearing_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    rows = await Hearing.select(
        Hearing.id, Hearing.starts_at, Hearing.kind, Hearing.status, Hearing.courtroom,
        Hearing.adjourned_from, Hearing.adjourned_to, Hearing.adjournment_reason,
        Hearing.adjournment_note, Hearing.cancel_reason, Hearing.outcome_notes, Hearing.next_steps,
        Hearing.survivor_testifies, Hearing.version, Hearing.court,
        Hearing.court.name.as_alias("court_name"), Hearing.court.timezone.as_alias("tz"),
    ).where(Hearing.case == case["id"]).order_by(Hearing.starts_at)
    staff: dict[int, list[dict[str, Any]]] = {}
    if rows:
        for s in await HearingStaff.select(
            HearingStaff.hearing, HearingStaff.staff.id.as_alias("id"),
            HearingStaff.staff.name.as_alias("name"),
        ).where(HearingStaff.hearing.is_in([r["id"] for r in rows])).order_by(HearingStaff.staff):
            staff.setdefault(s["hearing"], []).append({"id": s["id"], "name": s["name"]})
    linked = chains(rows)
    out = []
    for r in rows:
        chain = linked[r["id"]]
        title = f"{r['kind'].replace('_', ' ').capitalize()} hearing ({r['status']})"
        out.append(_item(
            r["starts_at"].astimezone(ZoneInfo(r["tz"])), "hearing", "hearing", r["id"], title,
            status=r["status"], hearing_kind=r["kind"], court_id=r["court"], court_name=r["court_name"],
            courtroom=r["courtroom"], survivor_testifies=r["survivor_testifies"],
            staff=staff.get(r["id"], []), adjournment_reason=r["adjournment_reason"],
            adjournment_note=r["adjournment_note"], cancel_reason=r["cancel_reason"],
            outcome_notes=r["outcome_notes"], next_steps=r["next_steps"],
            adjourned_from_id=r["adjourned_from"], adjourned_to_id=r["adjourned_to"],
            chain=chain, chain_position=chain.index(r["id"]) + 1, version=r["version"],
        ))
    return out


async def statement_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    rows = await Statement.select(
        Statement.id, Statement.kind, Statement.status, Statement.taken_at, Statement.created_at,
        Statement.survivor, Statement.video_recorded, Statement.language,
    ).where(Statement.case == case["id"])
    return [_item(r["taken_at"] or r["created_at"], "statement", "statement", r["id"],
                  f"{r['kind'].replace('_', ' ').capitalize()} ({r['status']})",
                  statement_kind=r["kind"], status=r["status"], survivor_id=r["survivor"],
                  taken=r["taken_at"] is not None, language=r["language"],
                  video_recorded=r["video_recorded"]) for r in rows]


def _detail(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


async def status_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    rows = await AuditEvent.select(AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.detail).where(
        (AuditEvent.entity == "case") & (AuditEvent.entity_id == str(case["id"]))
        & (AuditEvent.action == "update")
    ).order_by(AuditEvent.at).order_by(AuditEvent.id)
    changes = []
    for r in rows:
        status = _detail(r["detail"]).get("status")
        if isinstance(status, list) and len(status) == 2:
            changes.append(_item(r["at"], "status_change", "case", case["id"],
                                 f"Status: {status[0]} → {status[1]}", from_status=status[0],
                                 to_status=status[1], actor_id=r["actor"]))
    initial = changes[0]["detail"]["from_status"] if changes else case["status"]
    opened = _item(case["created_at"], "case_opened", "case", case["id"], "Case opened",
                   status=initial)
    return [opened, *changes]


async def custody_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Hand-overs of the identity documents recorded against this case."""
    rows = await CustodyEntry.select(
        CustodyEntry.id, CustodyEntry.document, CustodyEntry.at, CustodyEntry.seq,
        CustodyEntry.resulting_status, CustodyEntry.purpose,
        CustodyEntry.document.kind.as_alias("document_kind"),
    ).where(CustodyEntry.document.is_in(
        IdentityDocument.select(IdentityDocument.id).where(IdentityDocument.case == case["id"])))
    return [_item(r["at"], "custody", "identity_document", r["document"],
                  f"Identity document ({r['document_kind'].replace('_', ' ')}) handed over",
                  seq=r["seq"], resulting_status=r["resulting_status"], purpose=r["purpose"],
                  custody_entry_id=r["id"]) for r in rows]


async def immigration_items(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Filing and decision of immigration applications recorded against this case (the date
    at noon in the office's zone: milestones are calendar dates)."""
    office = await Office.select(Office.timezone).where(Office.id == case["office"]).first()
    zone = ZoneInfo(office["timezone"] if office else "UTC")
    rows = await ImmigrationApplication.select(
        ImmigrationApplication.id, ImmigrationApplication.kind, ImmigrationApplication.filed_on,
        ImmigrationApplication.decision_on, ImmigrationApplication.outcome,
    ).where(ImmigrationApplication.case == case["id"])
    out = []
    for r in rows:
        for milestone, day in (("filed", r["filed_on"]), ("decision", r["decision_on"])):
            if day:
                out.append(_item(datetime.combine(day, time(12), zone), "immigration",
                                 "immigration_application", r["id"], f"Immigration application: {milestone}",
                                 milestone=milestone, application_kind=r["kind"],
                                 outcome=r["outcome"] if milestone == "decision" else None))
    return out


SOURCES: list[TimelineSource] = [status_items, hearing_items, statement_items, custody_items,
                                 immigration_items]


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    """For other areas (filings): called from their start-up (``api.bootstrap``), never at
    import; registering twice registers once."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


async def case_timeline(actor: Actor, case_id: int, *, kinds: set[str] | None = None) -> list[dict]:
    case = await fetch_case(actor, case_id)
    items: list[dict[str, Any]] = []
    for source in SOURCES:
        items.extend(await source(case))
    if kinds:
        items = [i for i in items if i["kind"] in kinds]
    items.sort(key=lambda i: (i["at"], _ORDER.get(i["kind"], 9), i["entity_id"]))
    await audit.record(actor.staff_id, "read", "case_timeline", case_id, office_id=case["office"])
    return items
