"""Reminder (SMS outbox) bodies: what staff see of the messages to families."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec import Struct

from api.schemas.common import Page

ReminderStatus = Literal[
    "pending", "sending", "sent", "delivered", "undelivered", "failed", "cancelled", "skipped",
    "unconfirmed",
]


class ReminderRead(Struct):
    """One message to one family member. ``status_reason`` says why a reminder was skipped,
    cancelled or failed; ``phone_flagged_at`` is set while the contact's number has had
    messages fail or go undelivered (check the number with the family)."""

    id: int
    hearing_id: int | None
    hearing_version: int
    contact_id: int
    contact_name: str
    language: str
    kind: str
    slot: int
    case_id: int | None
    survivor_id: int
    office_id: int
    timezone: str
    send_at: datetime
    status: str
    status_reason: str | None
    attempts: int
    provider: str | None
    provider_message_id: str | None
    provider_status: str | None
    error_code: str | None
    error_message: str | None
    segments: int | None
    resend_of: int | None
    sent_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime
    phone_flagged_at: datetime | None = None
    phone_flag_reason: str | None = None


class ReminderList(Page):
    items: list[ReminderRead]


class ReminderPreview(Struct):
    id: int
    kind: str
    language: str
    text: str
    characters: int
    encoding: str
    segments: int


class GatewayHealth(Struct):
    """The SMS provider as the dispatcher sees it. ``degraded``: the provider refused the
    account (credentials, balance, sender id); sending is paused and resumes by itself once a
    probe message is accepted (the next one at ``next_try_at``)."""

    provider: str | None
    status: Literal["ok", "degraded"]
    degraded_since: datetime | None = None
    reason: str | None = None
    next_try_at: datetime | None = None


BulkStatus = Literal["unconfirmed", "failed", "undelivered", "pending"]


class BulkReminderAction(Struct, forbid_unknown_fields=True):
    """Which reminders: at least one of ``hearing_id`` and ``office_id``; ``statuses`` from
    unconfirmed, failed, undelivered (and pending, to cancel)."""

    statuses: list[BulkStatus]
    hearing_id: int | None = None
    office_id: int | None = None


class BulkReminderResult(Struct):
    matched: int
    done: list[int]  # the reminders created (resend) or cancelled
    skipped: int  # matched but not possible now (hearing over, no consent...)
