"""Twilio Programmable Messaging over its REST API (no SDK: one POST, form encoded)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from legal_tracker.reminders.gateways.base import SendResult, SmsGateway, retry_after_seconds

TWILIO_BASE_URL = "https://api.twilio.com"

# Twilio error codes that say this number will never take this message: no retry.
# 21211 invalid To, 21612 unroutable, 21614 not a mobile, 21408 region not enabled,
# 21610 unsubscribed (STOP), 21635 landline, 21217/21401 invalid number.
TWILIO_PERMANENT_NUMBER_ERRORS = frozenset(
    {"21211", "21217", "21401", "21408", "21610", "21612", "21614", "21635"}
)
TWILIO_OPTED_OUT = "21610"
# Our account, not the number: 20003 authentication, 20005 suspended account, 21606/21659 the
# From number is not ours, 30002 suspended, 21611 queue full of the account's own messages.
TWILIO_ACCOUNT_ERRORS = frozenset({"20003", "20005", "21606", "21659", "30002"})
_FAILED_STATUSES = frozenset({"failed", "undelivered", "canceled"})


class TwilioGateway(SmsGateway):
    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str = "",
        auth_token: str = "",
        from_: str = "",
        base_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not account_sid or not auth_token or not from_:
            raise ValueError(
                "Twilio needs account_sid, auth_token and from_ (LEGAL_TRACKER_TWILIO_ACCOUNT_SID,"
                " LEGAL_TRACKER_TWILIO_AUTH_TOKEN, LEGAL_TRACKER_TWILIO_FROM)"
            )
        super().__init__(**kwargs)
        self.account_sid = account_sid
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self.from_ = from_
        self.base_url = (base_url or TWILIO_BASE_URL).rstrip("/")
        self.messages_url = f"{self.base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"

    def form_for(self, to_e164: str, body: str, callback_url: str | None) -> dict[str, str]:
        form = {"To": to_e164, "Body": body}
        # A Messaging Service SID (MG...) lets Twilio pick the sender and handle opt-outs.
        if self.from_.startswith("MG"):
            form["MessagingServiceSid"] = self.from_
        else:
            form["From"] = self.from_
        if callback_url:
            form["StatusCallback"] = callback_url
        return form

    async def _attempt(
        self, to_e164: str, body: str, callback_url: str | None
    ) -> tuple[SendResult, float | None]:
        response = await self.client.post(
            self.messages_url,
            data=self.form_for(to_e164, body, callback_url),
            auth=self._auth,
            headers={"Accept": "application/json"},
        )
        return self.parse_response(response), retry_after_seconds(response)

    async def lookup(self, to_e164: str, body: str, since: float) -> SendResult | None:
        """Twilio's message list filtered by recipient and day: the message with our text
        created since ``since``."""
        day = time.strftime("%Y-%m-%d", time.gmtime(since))
        response = await self.client.get(
            self.messages_url, params={"To": to_e164, "DateSent>=": day, "PageSize": "50"},
            auth=self._auth, headers={"Accept": "application/json"})
        if not response.is_success:
            return None
        try:
            messages = response.json().get("messages") or []
        except (ValueError, AttributeError):
            return None
        for message in messages:
            if not isinstance(message, dict) or message.get("body") != body:
                continue
            try:
                created = parsedate_to_datetime(str(message.get("date_created"))).timestamp()
            except (TypeError, ValueError):
                continue
            if created >= since and message.get("sid"):
                status = str(message.get("status") or "queued")
                return SendResult(str(message["sid"]), status, ok=status not in _FAILED_STATUSES)
        return None

    @staticmethod
    def parse_response(response: httpx.Response) -> SendResult:
        try:
            payload: Any = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if response.is_success:
            status = str(payload.get("status") or "queued")
            error_code = payload.get("error_code")
            failed = status in _FAILED_STATUSES
            return SendResult(
                provider_message_id=payload.get("sid"),
                status=status,
                ok=not failed,
                retryable=False,
                error_code=str(error_code) if error_code else None,
                error_message=payload.get("error_message"),
            )
        code = str(payload.get("code")) if payload.get("code") is not None else None
        message = payload.get("message") or response.reason_phrase or f"HTTP {response.status_code}"
        retryable = response.status_code == 429 or response.status_code >= 500
        account = response.status_code in (401, 403) or code in TWILIO_ACCOUNT_ERRORS
        return SendResult(
            provider_message_id=None,
            status="failed",
            ok=False,
            account_problem=account,
            retryable=retryable and not account and code not in TWILIO_PERMANENT_NUMBER_ERRORS,
            opted_out=code == TWILIO_OPTED_OUT,
            error_code=code or str(response.status_code),
            error_message=str(message),
        )
