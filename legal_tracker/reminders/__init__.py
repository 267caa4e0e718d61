"""SMS reminders for families.

The outbox (``tables``; ``service``: reminders planned in the hearing's or contact's own
transaction through the hooks registered by :mod:`legal_tracker.bootstrap`, re-planning,
consent by SMS) and the ``dispatcher`` (claims due reminders in the database and sends them;
its tick is registered by the bootstrap too) use the database. The pieces re-exported here
do not: send-time planning, message texts and their encodings, gateways, webhook parsing and
keywords.
"""

from __future__ import annotations

from legal_tracker.reminders.encoding import SegmentInfo, segment_info
from legal_tracker.reminders.gateways import (
    AfricasTalkingGateway,
    ConsoleGateway,
    RetryPolicy,
    SendResult,
    SmsGateway,
    TwilioGateway,
    create_gateway,
    mask_phone,
)
from legal_tracker.reminders.keywords import Keyword, parse_keyword
from legal_tracker.reminders.messages import RenderedMessage, render_message, resolve_language
from legal_tracker.reminders.planning import (
    DEFAULT_POLICY,
    MESSAGE_KINDS,
    REMINDER_KINDS,
    PlannedSend,
    ReminderPolicy,
    is_quiet,
    next_allowed_at_or_after,
    plan_send_times,
)
from legal_tracker.reminders.webhooks import (
    DeliveryReport,
    InboundMessage,
    africastalking_callback_url,
    parse_africastalking_delivery,
    parse_africastalking_inbound,
    parse_twilio_inbound,
    parse_twilio_status,
    twilio_signature,
    twilio_status_callback_url,
    validate_africastalking_secret,
    validate_twilio_signature,
)

__all__ = [
    "DEFAULT_POLICY",
    "MESSAGE_KINDS",
    "REMINDER_KINDS",
    "AfricasTalkingGateway",
    "ConsoleGateway",
    "DeliveryReport",
    "InboundMessage",
    "Keyword",
    "PlannedSend",
    "ReminderPolicy",
    "RenderedMessage",
    "RetryPolicy",
    "SegmentInfo",
    "SendResult",
    "SmsGateway",
    "TwilioGateway",
    "africastalking_callback_url",
    "create_gateway",
    "is_quiet",
    "mask_phone",
    "next_allowed_at_or_after",
    "parse_africastalking_delivery",
    "parse_africastalking_inbound",
    "parse_keyword",
    "parse_twilio_inbound",
    "parse_twilio_status",
    "plan_send_times",
    "render_message",
    "resolve_language",
    "segment_info",
    "twilio_signature",
    "twilio_status_callback_url",
    "validate_africastalking_secret",
    "validate_twilio_signature",
]
