"""Accompaniment: which staff go to court with the survivor. Assigning or removing one member
of staff is one transaction (the hearing's version rises, so calendars and reminders follow);
the answer warns when that person already accompanies another hearing at an overlapping time."""

from __future__ import annotations

from typing import Any

from legal_tracker import db
from legal_tracker.access import Actor, require_write
from legal_tracker.cases import hearings as hearing_svc
from legal_tracker.common import check_id
from legal_tracker.errors import Conflict, NotFound
from legal_tracker.organisation.tables import Staff


async def _target(actor: Actor, hearing_id: int, staff_id: int) -> dict[str, Any]:
    current = await hearing_svc.get_hearing(actor, hearing_id)
    require_write(actor)
    check_id("staff", staff_id)
    if current["status"] != "scheduled":
        raise Conflict(f"a {current['status']} hearing's accompaniment cannot be changed")
    return current


async def assign_staff(actor: Actor, hearing_id: int, staff_id: int,
                       expected_version: int | None = None) -> dict[str, Any]:
    """Idempotent: assigning someone already assigned changes nothing. The write itself is
    ``cases.hearings.change_accompaniment``: one module owns every hearing write."""
    current = await _target(actor, hearing_id, staff_id)
    person = await Staff.select(Staff.office, Staff.active).where(Staff.id == staff_id).first()
    if person is None or person["office"] not in (current["office_id"], None) or not person["active"]:
        raise NotFound("staff")
    if staff_id in current["staff_ids"]:
        hearing = current
    else:
        try:
            hearing = await hearing_svc.change_accompaniment(
                actor, hearing_id, staff_id, add=True, expected_version=expected_version)
        except Exception as exc:
            if db.is_unique_violation(exc) is None:
                raise
            # Assigned at the same moment by someone else: the result is the same.
            hearing = await hearing_svc.get_hearing(actor, hearing_id)
    hearing["warnings"] = await hearing_svc.overlapping_accompaniments(hearing_id, [staff_id])
    return hearing


async def unassign_staff(actor: Actor, hearing_id: int, staff_id: int,
                         expected_version: int | None = None) -> dict[str, Any]:
    current = await _target(actor, hearing_id, staff_id)
    if staff_id not in current["staff_ids"]:
        raise NotFound("accompaniment")
    hearing = await hearing_svc.change_accompaniment(
        actor, hearing_id, staff_id, add=False, expected_version=expected_version)
    hearing["warnings"] = []
    return hearing
