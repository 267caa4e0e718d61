"""The reminder outbox and what we learn about each family member's phone.

A ``Reminder`` row is one message to one contact: a hearing reminder (``first_notice``,
``dN``), a ``changed`` / ``cancelled`` notice, or a ``welcome`` / ``help`` message (these two
have no hearing). Rows are written in the same transaction as the change that causes them
(an outbox) and sent by the dispatcher. ``(hearing, hearing_version, contact, kind, slot)``
is UNIQUE, so the same reminder can never exist twice; ``slot`` is 0 for a planned reminder
and rises only when staff resend one or a cancelled one is planned again.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from legal_tracker.cases.tables import Case, Contact, Hearing, Survivor
from legal_tracker.organisation.tables import Office

# pending -> sending -> sent -> delivered | undelivered | failed
# pending -> cancelled | skipped;  sending (lease expired) -> unconfirmed
REMINDER_STATUSES = (
    "pending", "sending", "sent", "delivered", "undelivered", "failed", "cancelled", "skipped",
    "unconfirmed",
)
FINAL_FAILURES = ("failed", "undelivered")


class Reminder(Table, tablename="reminder"):
    id = Serial(primary_key=True)
    hearing = ForeignKey(references=Hearing, null=True, default=None, on_delete=OnDelete.cascade)
    hearing_version = Integer(default=0)
    contact = ForeignKey(references=Contact, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)
    slot = Integer(default=0)
    case = ForeignKey(references=Case, null=True, default=None, on_delete=OnDelete.cascade)
    survivor = ForeignKey(references=Survivor, null=False, on_delete=OnDelete.cascade)
    office = ForeignKey(references=Office, null=False, on_delete=OnDelete.cascade)
    timezone = Varchar(length=64)
    send_at = Timestamptz()
    status = Varchar(length=16, default="pending")
    status_reason = Varchar(length=200, null=True, default=None)
    attempts = Integer(default=0)
    lease_owner = Varchar(length=64, null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    provider = Varchar(length=16, null=True, default=None)
    provider_message_id = Varchar(length=64, null=True, default=None)
    provider_status = Varchar(length=32, null=True, default=None)
    error_code = Varchar(length=32, null=True, default=None)
    error_message = Text(null=True, default=None)
    segments = Integer(null=True, default=None)
    resend_of = Integer(null=True, default=None)
    created_by = Integer(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ContactSmsStatus(Table, tablename="contact_sms_status"):
    """Per contact: whether staff should check the number (messages failed or undelivered).

    The flag holds the phone's blind index at the time; a new number clears it implicitly
    (the flag only counts while the contact still has that number)."""

    id = Serial(primary_key=True)
    contact = ForeignKey(references=Contact, null=False, unique=True, on_delete=OnDelete.cascade)
    phone_flagged_at = Timestamptz(null=True, default=None)
    phone_flag_reason = Varchar(length=200, null=True, default=None)
    flagged_phone_index = Varchar(length=64, null=True, default=None)
    last_delivered_at = Timestamptz(null=True, default=None)
    failures = Integer(default=0)
    updated_at = Timestamptz()


class SmsGatewayState(Table, tablename="sms_gateway_state"):
    """Degraded (sending paused) while ``degraded_since`` is set: an account problem at the
    provider, not a bad number. ``next_try_at``: when one probe message may go."""

    id = Serial(primary_key=True)
    provider = Varchar(length=16, unique=True)
    degraded_since = Timestamptz(null=True, default=None)
    reason = Varchar(length=200, null=True, default=None)
    error_code = Varchar(length=32, null=True, default=None)
    failures = Integer(default=0)
    next_try_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
