"""Accompaniment: which staff go to court with the survivor. Assigning or removing one member
of staff is one transaction (the hearing's version rises, so calendars and reminders follow);
the answer warns when that person already accompanies another hearing at an overlapping time."""

from __future__ import annotations

from typing import Any

from legal_tracker import audit, db, hooks
from legal_tracker.access import Actor, require_write
from legal_tracker.cases import hearings as hearing_svc
from legal_tracker.cases.tables import Hearing, HearingStaff
from legal_tracker.common import check_id, utcnow
from legal_tracker.errors import Conflict, NotFound
from legal_tracker.organisation.tables import Staff


async def _target(actor: Actor, hearing_id: int, staff_id: int) -> dict[str, Any]:
    current = await hearing_svc.get_hearing(actor, hearing_id)
    require_write(actor)
    check_id("staff", staff_id)
    if current["status"] != "scheduled":
        raise Conflict(f"a {current['status']} hearing's accompaniment cannot be changed")
    return current


async def _changed(actor: Actor, current: dict[str, Any], action: str, staff_id: int) -> dict[str, Any]:
    hearing_id = current["id"]
    version = current["version"] + 1
    await Hearing.update({Hearing.version: version, Hearing.updated_at: utcnow()}).where(
        Hearing.id == hearing_id)
    await hearing_svc._history(hearing_id, actor, "updated", version, note=f"staff_ids ({action})")
    await audit.record(actor.staff_id, action, "hearing", hearing_id, office_id=current["office_id"],
                       detail={"staff_id": staff_id})
    hearing = await hearing_svc.get_hearing(None, hearing_id)
    await hooks.hearing_changed(hooks.HearingChange(
        "updated", hearing, previous=current, actor=actor, changed_fields=frozenset({"staff_ids"})))
    return hearing


async def assign_staff(actor: Actor, hearing_id: int, staff_id: int) -> dict[str, Any]:
    """Idempotent: assigning someone already assigned changes nothing."""
    current = await _target(actor, hearing_id, staff_id)
    person = await Staff.select(Staff.office, Staff.active).where(Staff.id == staff_id).first()
    if person is None or person["office"] not in (current["office_id"], None) or not person["active"]:
        raise NotFound("staff")
    if staff_id in current["staff_ids"]:
        hearing = current
    else:
        try:
            async with db.transaction():
                await HearingStaff.insert(HearingStaff(hearing=hearing_id, staff=staff_id))
                hearing = await _changed(actor, current, "assign_staff", staff_id)
        except Exception as exc:
            if db.is_unique_violation(exc) is None:
                raise
            # Assigned at the same moment by someone else: the result is the same.
            hearing = await hearing_svc.get_hearing(actor, hearing_id)
    hearing["warnings"] = await hearing_svc.overlapping_accompaniments(hearing_id, [staff_id])
    return hearing


async def unassign_staff(actor: Actor, hearing_id: int, staff_id: int) -> dict[str, Any]:
    current = await _target(actor, hearing_id, staff_id)
    if staff_id not in current["staff_ids"]:
        raise NotFound("accompaniment")
    async with db.transaction():
        await HearingStaff.delete().where(
            (HearingStaff.hearing == hearing_id) & (HearingStaff.staff == staff_id))
        hearing = await _changed(actor, current, "unassign_staff", staff_id)
    hearing["warnings"] = []
    return hearing
