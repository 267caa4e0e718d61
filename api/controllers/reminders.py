"""Staff view of the SMS reminders: list, cancel, resend, preview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody, QueryParameter

from api.controllers.common import (
    ACTOR,
    ERRORS,
    READ_ERRORS,
    CurrentActor,
    Limit,
    Offset,
    OptId,
    PathId,
    page,
)
from api.convert import read, read_page
from api.schemas.reminders import (
    BulkReminderAction,
    BulkReminderResult,
    GatewayHealth,
    ReminderList,
    ReminderPreview,
    ReminderRead,
    ReminderStatus,
)
from legal_tracker.access import require_admin
from legal_tracker.cases.cases import fetch_case
from legal_tracker.cases.hearings import get_hearing
from legal_tracker.errors import Invalid
from legal_tracker.reminders import dispatcher
from legal_tracker.reminders import staff as svc

From = Annotated[datetime | None, QueryParameter(
    name="from", description="send time at or after (ISO 8601 with offset)")]
To = Annotated[datetime | None, QueryParameter(
    name="to", description="send time before (ISO 8601 with offset)")]


class ReminderController(Controller):
    path = "/api/reminders"
    tags = ["reminders"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_reminders(
        self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0, hearing_id: OptId = None,
        case_id: OptId = None, contact_id: OptId = None, status: FromQuery[ReminderStatus | None] = None,
        send_from: From = None, send_to: To = None,
    ) -> ReminderList:
        """Reminders of the cases you may see, by send time. ``from``/``to`` bound the send
        time (``to`` exclusive)."""
        for name, value in (("from", send_from), ("to", send_to)):
            if value is not None and value.tzinfo is None:
                raise Invalid(name, "must include a UTC offset, e.g. 2026-12-03T00:00:00+03:00")
        if hearing_id is not None:
            await get_hearing(actor, hearing_id)
        if case_id is not None:
            await fetch_case(actor, case_id)
        return read_page(ReminderList, ReminderRead, await svc.list_reminders(
            actor, page(limit, offset), hearing_id=hearing_id, case_id=case_id, status=status,
            send_from=send_from, send_to=send_to, contact_id=contact_id))

    @get("/{reminder_id:int}", responses=READ_ERRORS)
    async def get_reminder(self, actor: CurrentActor, reminder_id: PathId) -> ReminderRead:
        return read(ReminderRead, await svc.get_reminder(actor, reminder_id))

    @get("/{reminder_id:int}/preview", responses=READ_ERRORS)
    async def preview(self, actor: CurrentActor, reminder_id: PathId) -> ReminderPreview:
        """The text as it would be sent now, with its length and SMS segment count."""
        return ReminderPreview(**await svc.preview_reminder(actor, reminder_id))

    @post("/{reminder_id:int}/cancel", responses=ERRORS, status_code=200)
    async def cancel(self, actor: CurrentActor, reminder_id: PathId) -> ReminderRead:
        """Only a pending reminder can be cancelled."""
        return read(ReminderRead, await svc.cancel_reminder(actor, reminder_id))

    @post("/{reminder_id:int}/resend", responses=ERRORS, status_code=201)
    async def resend(self, actor: CurrentActor, reminder_id: PathId) -> ReminderRead:
        """A new reminder to the same family for the hearing's current date, sent as soon as
        quiet hours allow; returns the new reminder (the original keeps its history)."""
        return read(ReminderRead, await svc.resend_reminder(actor, reminder_id))

    @get("/gateway", responses=READ_ERRORS)
    async def gateway(self, actor: CurrentActor) -> GatewayHealth:
        """Administrators: whether the SMS provider accepts our messages (``degraded``: an
        account problem paused sending; it resumes by itself)."""
        require_admin(actor)
        return GatewayHealth(**await dispatcher.gateway_health())

    @post("/bulk-resend", responses=ERRORS, status_code=200)
    async def bulk_resend(self, actor: CurrentActor,
                          data: JSONBody[BulkReminderAction]) -> BulkReminderResult:
        """A new reminder for each unconfirmed, failed or undelivered one matching the
        filters (hearing, office, status), sent as soon as quiet hours allow."""
        return BulkReminderResult(**await svc.bulk_action(
            actor, "resend", statuses=data.statuses, hearing_id=data.hearing_id,
            office_id=data.office_id))

    @post("/bulk-cancel", responses=ERRORS, status_code=200)
    async def bulk_cancel(self, actor: CurrentActor,
                          data: JSONBody[BulkReminderAction]) -> BulkReminderResult:
        """Cancel the matching reminders: pending ones are not sent; unconfirmed, failed and
        undelivered ones are closed (staff decided; no call-the-family task remains)."""
        return BulkReminderResult(**await svc.bulk_action(
            actor, "cancel", statuses=data.statuses, hearing_id=data.hearing_id,
            office_id=data.office_id))
