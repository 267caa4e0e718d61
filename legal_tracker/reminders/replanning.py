"""Planning on change: the in-transaction hooks for hearings and contacts.

Planning runs inside the transaction of the hearing change (registered with
:func:`legal_tracker.hooks.on_hearing_change`): a rolled-back hearing leaves no reminder, and a
committed one always has its reminders. When the hearing's version rises the pending reminders
are either re-keyed to the new version (a change the family does not see: staff, courtroom,
kind...) or cancelled and planned anew (a new date, a new court, or the family is no longer
expected).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Or

from legal_tracker import hooks
from legal_tracker.cases.tables import CaseSurvivor, Contact, Hearing
from legal_tracker.common import utcnow
from legal_tracker.reminders.outbox import (
    HEARINGLESS_KINDS,
    TOLD,
    cancel_pending,
    eligible,
    insert_rows,
    notify_cancelled,
    office_policy,
    office_row,
    plan_hearing,
    told_contacts,
)
from legal_tracker.reminders.planning import (
    next_allowed_at_or_after,
)
from legal_tracker.reminders.tables import Reminder

log = logging.getLogger("legal_tracker.reminders")

# ---------------------------------------------------------------- hooks (in the caller's transaction)


async def on_hearing_change(change: hooks.HearingChange) -> None:
    hearing, previous = change.hearing, change.previous
    hearing_id = hearing["id"]
    now = utcnow()
    if change.action == "created":
        await plan_hearing(hearing, notice="first_notice", now=now)
    elif change.action in ("rescheduled", "adjourned", "cancelled", "outcome"):
        told = await told_contacts(hearing_id)
        reason = {"rescheduled": "hearing rescheduled", "adjourned": "hearing adjourned",
                  "cancelled": "hearing cancelled", "outcome": "hearing held"}[change.action]
        await cancel_pending(hearing_id=hearing_id, reason=reason)
        if change.action == "rescheduled":
            await plan_hearing(hearing, notice="changed", told=told, now=now)
        elif change.action == "adjourned" and change.next_hearing is not None:
            await plan_hearing(change.next_hearing, notice="changed", told=told, now=now)
        elif change.action == "cancelled":
            await notify_cancelled(hearing, told, now)
    elif change.action == "updated" and previous is not None and (
            hearing["version"] != previous["version"]):
        if not eligible(hearing):
            await cancel_pending(hearing_id=hearing_id, reason="family no longer expected at this hearing")
        elif not eligible(previous):
            await plan_hearing(hearing, notice="first_notice", now=now)
        elif "court" in change.changed_fields:
            told = await told_contacts(hearing_id)
            await cancel_pending(hearing_id=hearing_id, reason="court changed")
            await plan_hearing(hearing, notice="changed", told=told, now=now)
        else:
            # Nothing the family sees changed: the same reminders stand under the new version,
            # so the dispatcher's version check does not skip them.
            await Reminder.update({Reminder.hearing_version: hearing["version"],
                                   Reminder.updated_at: now}).where(
                (Reminder.hearing == hearing_id) & (Reminder.status == "pending"))


async def _upcoming_hearings_of_survivor(survivor_id: int, now: datetime) -> list[dict[str, Any]]:
    from legal_tracker.cases.hearings import get_hearing

    rows = await Hearing.select(Hearing.id).where(
        Hearing.case.is_in(CaseSurvivor.select(CaseSurvivor.case).where(
            CaseSurvivor.survivor == survivor_id))
        & (Hearing.status == "scheduled") & (Hearing.starts_at > now)
        & Or(Hearing.survivor_attends == True, Hearing.family_attends == True)  # noqa: E712
    ).order_by(Hearing.starts_at)
    return [await get_hearing(None, r["id"]) for r in rows]


async def on_contact_change(change: hooks.ContactChange) -> None:
    now = utcnow()
    if change.action in ("consent_withdrawn", "deleted"):
        reason = "consent withdrawn" if change.action == "consent_withdrawn" else "contact deleted"
        await cancel_pending(contact_id=change.contact_id, reason=reason)
        return
    contact = await Contact.select().where(Contact.id == change.contact_id).first()
    if contact is None:
        return
    if change.action == "consent_given":
        # START after STOP: no second welcome, and no "new appointment" for a hearing the
        # family already knows about (a "changed" notice if they knew an older version).
        if not await _was_told(contact["id"], None):
            await _welcome(contact, now)
        for hearing in await _upcoming_hearings_of_survivor(contact["survivor"], now):
            notice: str | None = "first_notice"
            if await _was_told(contact["id"], hearing["id"], hearing["version"]):
                notice = None
            elif await _was_told(contact["id"], hearing["id"]):
                notice = "changed"
            await plan_hearing(hearing, notice=notice, told={contact["id"]},
                               contact_ids=[contact["id"]], now=now)
    elif change.action == "updated":
        # A new time zone moves the planned send times: plan again (no new immediate notice).
        moved = await Reminder.select(Reminder.hearing).where(
            (Reminder.contact == contact["id"]) & (Reminder.status == "pending")
            & Reminder.hearing.is_not_null()
            & Reminder.kind.not_in(["changed", "cancelled", "first_notice"]))
        from legal_tracker.cases.hearings import get_hearing

        for hearing_id in sorted({r["hearing"] for r in moved}):
            hearing = await get_hearing(None, hearing_id)
            tz = contact["timezone"] or hearing["court_timezone"]
            stale = await Reminder.select(Reminder.id).where(
                (Reminder.contact == contact["id"]) & (Reminder.hearing == hearing_id)
                & (Reminder.status == "pending") & (Reminder.timezone != tz)
                & Reminder.kind.not_in(["changed", "cancelled", "first_notice"]))
            if stale:
                await Reminder.update({Reminder.status: "cancelled",
                                       Reminder.status_reason: "contact's time zone changed",
                                       Reminder.updated_at: now}).where(
                    Reminder.id.is_in([r["id"] for r in stale]))
                await plan_hearing(hearing, notice=None, contact_ids=[contact["id"]], now=now)


async def _was_told(contact_id: int, hearing_id: int | None, version: int | None = None) -> bool:
    """Whether the contact has (probably) received a message about the hearing (at this
    version, when given); with no hearing: whether they had the welcome."""
    where = (Reminder.contact == contact_id) & Reminder.status.is_in(list(TOLD))
    if hearing_id is None:
        where &= Reminder.kind == "welcome"
    else:
        where &= (Reminder.hearing == hearing_id) & Reminder.kind.not_in(list(HEARINGLESS_KINDS))
        if version is not None:
            where &= Reminder.hearing_version == version
    return await Reminder.exists().where(where)


async def _welcome(contact: dict[str, Any], now: datetime) -> None:
    from legal_tracker.cases.tables import Survivor

    survivor = await Survivor.select(Survivor.office).where(Survivor.id == contact["survivor"]).first()
    assert survivor is not None  # the contact's foreign key
    office = await office_row(survivor["office"])
    tz = contact["timezone"] or office["timezone"]
    send_at = next_allowed_at_or_after(now, ZoneInfo(tz), office_policy(office["reminder_policy"]))
    await insert_rows([{"hearing": None, "hearing_version": 0, "contact": contact["id"],
                    "kind": "welcome", "case": None, "survivor": contact["survivor"],
                    "office": office["id"], "timezone": tz, "send_at": send_at}])


def register_hooks() -> None:
    """Called by :func:`legal_tracker.bootstrap.bootstrap`, never at import."""
    hooks.on_hearing_change(on_hearing_change)
    hooks.on_contact_change(on_contact_change)
