"""Pure helpers for provider callbacks: signature checks and parsing of form posts.

The HTTP layer (api/) reads the raw form and headers and hands them here; nothing in this
module knows about Litestar.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from legal_tracker.reminders.keywords import Keyword, parse_keyword

FormData = Mapping[str, str] | Mapping[str, Sequence[str]] | Iterable[tuple[str, str]]
DeliveryState = Literal["sending", "sent", "delivered", "failed"]

TWILIO_STATUS_PATH = "/webhooks/sms/twilio/status"
TWILIO_INBOUND_PATH = "/webhooks/sms/twilio/inbound"
AFRICASTALKING_DELIVERY_PATH = "/webhooks/sms/africastalking/delivery"
AFRICASTALKING_INBOUND_PATH = "/webhooks/sms/africastalking/inbound"
AFRICASTALKING_SECRET_PARAM = "secret"  # noqa: S105 - a parameter name, not a secret

# Twilio error codes meaning the recipient opted out (STOP) of this sender.
TWILIO_OPTED_OUT_CODES = frozenset({"21610"})
# Africa's Talking spells it "UserInBlacklist" in send responses and "UserInBlackList" in
# delivery reports; compare case-insensitively.
AT_OPTED_OUT_REASONS = frozenset({"userinblacklist"})


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    provider: str
    provider_message_id: str
    provider_status: str
    state: DeliveryState
    final: bool
    error_code: str | None = None
    error_message: str | None = None
    opted_out: bool = False


@dataclass(frozen=True, slots=True)
class InboundMessage:
    provider: str
    from_number: str
    to: str
    text: str
    keyword: Keyword | None
    provider_message_id: str | None = None
    received_at: datetime | None = None


def _pairs(form: FormData) -> list[tuple[str, str]]:
    if isinstance(form, Mapping):
        pairs: list[tuple[str, str]] = []
        for key, value in form.items():
            if isinstance(value, str):
                pairs.append((key, value))
            else:
                pairs.extend((key, str(v)) for v in value)
        return pairs
    return [(str(k), str(v)) for k, v in form]


def _first(form: FormData, key: str) -> str | None:
    for k, v in _pairs(form):
        if k == key:
            return v
    return None


# --- Twilio -------------------------------------------------------------------------------


def twilio_signature(auth_token: str, url: str, params: FormData) -> str:
    """X-Twilio-Signature for a form POST: base64(HMAC-SHA1(token, url + sorted k+v))."""
    # Twilio sorts by name, then a repeated name's values in order.
    data = url + "".join(k + v for k, v in sorted(_pairs(params)))
    digest = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL as given, and with its default port added or removed: Twilio signs whatever
    it was configured with, and proxies often add or strip the port."""
    parts = urlsplit(url)
    variants = [url]
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if default is None or not parts.hostname:
        return variants
    host = parts.hostname
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    if parts.port is None:
        netloc = f"{prefix}{host}:{default}"
    elif parts.port == default:
        netloc = f"{prefix}{host}"
    else:
        return variants
    variants.append(urlunsplit(parts._replace(netloc=netloc)))
    return variants


def validate_twilio_signature(auth_token: str, url: str, params: FormData, signature: str | None) -> bool:
    """True if ``signature`` (the X-Twilio-Signature header) signs this request.

    ``url`` must be the full public URL Twilio called, query string included (behind a
    proxy: LEGAL_TRACKER_PUBLIC_URL + path + query, not the internal address).
    """
    if not signature or not auth_token:
        return False
    given = signature.strip().encode()
    ok = False
    for candidate in _url_variants(url):
        expected = twilio_signature(auth_token, candidate, params).encode()
        # Evaluate every variant so timing does not reveal which one matched.
        ok |= hmac.compare_digest(expected, given)
    return ok


_TWILIO_STATES: dict[str, tuple[DeliveryState, bool]] = {
    "accepted": ("sending", False),
    "scheduled": ("sending", False),
    "queued": ("sending", False),
    "sending": ("sending", False),
    "sent": ("sent", False),
    "delivered": ("delivered", True),
    "read": ("delivered", True),
    "undelivered": ("failed", True),
    "failed": ("failed", True),
    "canceled": ("failed", True),
}


def parse_twilio_status(form: FormData) -> DeliveryReport:
    """A Twilio message status callback (MessageSid, MessageStatus, ErrorCode...)."""
    sid = _first(form, "MessageSid") or _first(form, "SmsSid")
    raw_status = (_first(form, "MessageStatus") or _first(form, "SmsStatus") or "").strip()
    if not sid or not raw_status:
        raise ValueError("Twilio status callback lacks MessageSid or MessageStatus")
    state, final = _TWILIO_STATES.get(raw_status.lower(), ("sending", False))
    error_code = (_first(form, "ErrorCode") or "").strip() or None
    error_message = (_first(form, "ErrorMessage") or "").strip() or None
    return DeliveryReport(
        provider="twilio",
        provider_message_id=sid,
        provider_status=raw_status,
        state=state,
        final=final,
        error_code=error_code,
        error_message=error_message,
        opted_out=error_code in TWILIO_OPTED_OUT_CODES,
    )


def parse_twilio_inbound(form: FormData) -> InboundMessage:
    """An inbound SMS webhook from Twilio (From, To, Body, MessageSid)."""
    sender = _first(form, "From")
    if not sender:
        raise ValueError("Twilio inbound message lacks From")
    body = _first(form, "Body") or ""
    return InboundMessage(
        provider="twilio",
        from_number=sender,
        to=_first(form, "To") or "",
        text=body,
        keyword=parse_keyword(body),
        provider_message_id=_first(form, "MessageSid") or _first(form, "SmsSid"),
    )


# --- Africa's Talking ---------------------------------------------------------------------

_AT_STATES: dict[str, tuple[DeliveryState, bool]] = {
    "sent": ("sent", False),
    "submitted": ("sent", False),
    "buffered": ("sent", False),
    "success": ("delivered", True),
    "rejected": ("failed", True),
    "failed": ("failed", True),
}


def parse_africastalking_delivery(form: FormData) -> DeliveryReport:
    """An Africa's Talking delivery report (id, status, phoneNumber, failureReason...)."""
    message_id = _first(form, "id")
    raw_status = (_first(form, "status") or "").strip()
    if not message_id or not raw_status:
        raise ValueError("Africa's Talking delivery report lacks id or status")
    state, final = _AT_STATES.get(raw_status.lower(), ("sending", False))
    reason = (_first(form, "failureReason") or "").strip() or None
    return DeliveryReport(
        provider="africastalking",
        provider_message_id=message_id,
        provider_status=raw_status,
        state=state,
        final=final,
        error_code=reason,
        error_message=reason,
        opted_out=bool(reason and reason.lower() in AT_OPTED_OUT_REASONS),
    )


def _parse_at_date(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    for candidate in (text, text.replace(" ", "T", 1)):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        # Africa's Talking sends UTC without an offset.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def parse_africastalking_inbound(form: FormData) -> InboundMessage:
    """An inbound SMS from Africa's Talking (from, to, text, date, id, linkId)."""
    sender = _first(form, "from")
    if not sender:
        raise ValueError("Africa's Talking inbound message lacks from")
    text = _first(form, "text") or ""
    return InboundMessage(
        provider="africastalking",
        from_number=sender,
        to=_first(form, "to") or "",
        text=text,
        keyword=parse_keyword(text),
        provider_message_id=_first(form, "id"),
        received_at=_parse_at_date(_first(form, "date")),
    )


def new_webhook_secret() -> str:
    """A secret for the Africa's Talking callback URLs (they carry no signature)."""
    return secrets.token_urlsafe(32)


def validate_africastalking_secret(provided: str | None, expected: str | None) -> bool:
    """Constant-time check of the ``?secret=`` query parameter on AT callbacks."""
    if not provided or not expected:
        return False
    return hmac.compare_digest(provided.encode(), expected.encode())


def twilio_status_callback_url(public_url: str) -> str:
    """The StatusCallback URL to pass with every Twilio send."""
    return public_url.rstrip("/") + TWILIO_STATUS_PATH


def africastalking_callback_url(public_url: str, kind: Literal["delivery", "inbound"], secret: str) -> str:
    """The URL to register in the Africa's Talking dashboard for ``kind`` callbacks."""
    path = AFRICASTALKING_DELIVERY_PATH if kind == "delivery" else AFRICASTALKING_INBOUND_PATH
    return f"{public_url.rstrip('/')}{path}?{AFRICASTALKING_SECRET_PARAM}={secret}"
