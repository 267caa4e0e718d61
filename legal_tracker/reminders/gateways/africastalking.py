"""Africa's Talking bulk SMS over its REST API (POST /version1/messaging)."""

from __future__ import annotations

from typing import Any

import httpx

from legal_tracker.reminders.gateways.base import SendResult, SmsGateway, retry_after_seconds

AT_LIVE_BASE_URL = "https://api.africastalking.com"
AT_SANDBOX_BASE_URL = "https://api.sandbox.africastalking.com"

# Per-recipient status codes in SMSMessageData.Recipients[].statusCode.
AT_SUCCESS_CODES = frozenset({100, 101, 102})  # Processed, Sent, Queued
AT_RETRYABLE_CODES = frozenset({500, 501, 502})  # InternalServerError, GatewayError, Rejected...
AT_BLACKLISTED = 406  # UserInBlacklist: the recipient opted out of this sender
AT_INSUFFICIENT_BALANCE = 405
# Our account, not the number: sending pauses, no phone is flagged.
AT_ACCOUNT_PROBLEMS = frozenset({"InsufficientBalance", "InvalidSenderId", "UserAccountSuspended",
                                 "The supplied authentication is invalid"})
AT_STATUS_NAMES: dict[int, str] = {
    100: "Processed",
    101: "Sent",
    102: "Queued",
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}


class AfricasTalkingGateway(SmsGateway):
    """Delivery reports are configured once in the AT dashboard, not per message, so
    ``callback_url`` is accepted for interface parity and ignored."""

    name = "africastalking"

    def __init__(
        self,
        *,
        username: str = "",
        api_key: str = "",
        from_: str | None = None,
        base_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not username or not api_key:
            raise ValueError(
                "Africa's Talking needs username and api_key (LEGAL_TRACKER_AFRICASTALKING_USERNAME,"
                " LEGAL_TRACKER_AFRICASTALKING_API_KEY)"
            )
        super().__init__(**kwargs)
        self.username = username
        self._api_key = api_key
        self.from_ = from_ or None
        default = AT_SANDBOX_BASE_URL if username == "sandbox" else AT_LIVE_BASE_URL
        self.base_url = (base_url or default).rstrip("/")
        self.messaging_url = f"{self.base_url}/version1/messaging"

    def form_for(self, to_e164: str, body: str) -> dict[str, str]:
        form = {"username": self.username, "to": to_e164, "message": body}
        if self.from_:
            form["from"] = self.from_
        return form

    async def _attempt(
        self, to_e164: str, body: str, callback_url: str | None
    ) -> tuple[SendResult, float | None]:
        response = await self.client.post(
            self.messaging_url,
            data=self.form_for(to_e164, body),
            headers={"apiKey": self._api_key, "Accept": "application/json"},
        )
        return self.parse_response(response, to_e164), retry_after_seconds(response)

    @staticmethod
    def parse_response(response: httpx.Response, to_e164: str) -> SendResult:
        if not response.is_success:
            retryable = response.status_code == 429 or response.status_code >= 500
            text = response.text.strip()[:200] or response.reason_phrase
            account = response.status_code in (401, 403) or any(
                marker in text for marker in AT_ACCOUNT_PROBLEMS)
            return SendResult(
                provider_message_id=None,
                status="failed",
                ok=False,
                account_problem=account,
                retryable=retryable and not account,
                error_code=str(response.status_code),
                error_message=text,
            )
        try:
            payload: Any = response.json()
        except ValueError:
            payload = None
        data = payload.get("SMSMessageData") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            return SendResult(
                provider_message_id=None,
                status="failed",
                ok=False,
                retryable=True,
                error_code="bad_response",
                error_message="unexpected response body",
            )
        recipients = [r for r in data.get("Recipients") or [] if isinstance(r, dict)]
        # The request can succeed while this recipient is refused; find our number's row.
        mine = next((r for r in recipients if r.get("number") == to_e164), None)
        if mine is None and recipients:
            mine = recipients[0]
        if mine is None:
            # No recipient row: the whole batch was refused (e.g. "InvalidSenderId").
            message = str(data.get("Message") or "")
            return SendResult(
                provider_message_id=None,
                status="failed",
                ok=False,
                retryable=False,
                account_problem=any(marker in message for marker in AT_ACCOUNT_PROBLEMS),
                error_code="no_recipients",
                error_message=str(data.get("Message") or "no recipients accepted"),
            )
        try:
            code = int(mine.get("statusCode", 0))
        except (TypeError, ValueError):
            code = 0
        status = str(mine.get("status") or AT_STATUS_NAMES.get(code, "Unknown"))
        message_id = mine.get("messageId")
        if message_id in (None, "", "None"):
            message_id = None
        ok = code in AT_SUCCESS_CODES
        account = status in AT_ACCOUNT_PROBLEMS or code == AT_INSUFFICIENT_BALANCE
        return SendResult(
            provider_message_id=message_id,
            status=status,
            ok=ok,
            account_problem=account,
            retryable=code in AT_RETRYABLE_CODES and not account,
            opted_out=code == AT_BLACKLISTED,
            error_code=None if ok else str(code),
            error_message=None if ok else AT_STATUS_NAMES.get(code, status),
        )
