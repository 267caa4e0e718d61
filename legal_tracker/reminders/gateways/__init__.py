"""SMS gateways chosen by name: ``console`` (default), ``twilio``, ``africastalking``."""

from __future__ import annotations

from typing import Any

from legal_tracker.reminders.gateways.africastalking import (
    AT_LIVE_BASE_URL,
    AT_SANDBOX_BASE_URL,
    AfricasTalkingGateway,
)
from legal_tracker.reminders.gateways.base import (
    NO_RETRY,
    RetryPolicy,
    SendResult,
    SmsGateway,
    TokenBucket,
    mask_phone,
    scrub_phone_numbers,
)
from legal_tracker.reminders.gateways.console import ConsoleGateway, ConsoleMessage
from legal_tracker.reminders.gateways.twilio import TWILIO_BASE_URL, TwilioGateway

GATEWAY_NAMES = ("console", "twilio", "africastalking")

__all__ = [
    "AT_LIVE_BASE_URL",
    "AT_SANDBOX_BASE_URL",
    "GATEWAY_NAMES",
    "NO_RETRY",
    "TWILIO_BASE_URL",
    "AfricasTalkingGateway",
    "ConsoleGateway",
    "ConsoleMessage",
    "RetryPolicy",
    "SendResult",
    "SmsGateway",
    "TokenBucket",
    "TwilioGateway",
    "create_gateway",
    "mask_phone",
    "scrub_phone_numbers",
]

# Settings attribute -> constructor keyword, per gateway.
_SETTINGS_FIELDS: dict[str, dict[str, str]] = {
    "twilio": {
        "twilio_account_sid": "account_sid",
        "twilio_auth_token": "auth_token",
        "twilio_from": "from_",
        "twilio_base_url": "base_url",
    },
    "africastalking": {
        "africastalking_username": "username",
        "africastalking_api_key": "api_key",
        "africastalking_from": "from_",
        "africastalking_base_url": "base_url",
    },
    "console": {},
}


def _plain(value: Any) -> Any:
    # Settings may wrap secrets (e.g. pydantic SecretStr / msgspec wrappers).
    getter = getattr(value, "get_secret_value", None)
    return getter() if callable(getter) else value


def create_gateway(name: str | None = None, *, settings: Any = None, **kwargs: Any) -> SmsGateway:
    """Build the gateway called ``name`` (default: ``settings.sms_gateway`` or "console").

    Credentials come from ``settings`` attributes (``twilio_account_sid``,
    ``twilio_auth_token``, ``twilio_from``, ``twilio_base_url``, ``africastalking_username``,
    ``africastalking_api_key``, ``africastalking_from``, ``africastalking_base_url``) and/or
    plain keywords (``account_sid``, ``auth_token``, ``from_``, ``base_url``, ``username``,
    ``api_key``); keywords win. Other keywords (``client``, ``retry``, ``rate_per_second``,
    ``burst``, ``timeout``) go to the gateway.
    """
    chosen = (name or getattr(settings, "sms_gateway", None) or "console").strip().lower()
    if chosen not in _SETTINGS_FIELDS:
        raise ValueError(f"unknown SMS gateway {chosen!r}; expected one of {GATEWAY_NAMES}")
    options: dict[str, Any] = {}
    if settings is not None:
        for attribute, keyword in _SETTINGS_FIELDS[chosen].items():
            value = _plain(getattr(settings, attribute, None))
            if value not in (None, ""):
                options[keyword] = value
    options.update(kwargs)
    if chosen == "twilio":
        return TwilioGateway(**options)
    if chosen == "africastalking":
        return AfricasTalkingGateway(**options)
    return ConsoleGateway(**options)
