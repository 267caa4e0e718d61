"""Names for ids, through the services (a page never reads tables itself)."""

from __future__ import annotations

from typing import Any

from legal_tracker.access import Actor
from legal_tracker.common import MAX_PAGE, PageRequest
from legal_tracker.organisation.service import list_courts, list_staff


async def courts(actor: Actor, office_id: int | None = None) -> list[dict[str, Any]]:
    """Courts of the office, and courts shared by every office, by name."""
    rows = (await list_courts(actor, PageRequest(MAX_PAGE, 0))).items
    return [c for c in rows if office_id is None or c.get("office") in (office_id, None)]


async def staff(actor: Actor, office_id: int | None = None) -> list[dict[str, Any]]:
    rows = (await list_staff(actor, PageRequest(MAX_PAGE, 0), office_id=office_id)).items
    return [s for s in rows if s.get("active", True)]


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def pairs(rows: list[dict[str, Any]], text: str = "name") -> list[tuple[str, str]]:
    return [(str(r["id"]), r[text]) for r in rows]
