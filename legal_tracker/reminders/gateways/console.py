"""Development gateway: keeps messages in memory and logs them; nothing leaves the machine."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from legal_tracker.reminders.gateways.base import SendResult, SmsGateway, logger, mask_phone


@dataclass(frozen=True, slots=True)
class ConsoleMessage:
    provider_message_id: str
    to: str
    body: str
    callback_url: str | None
    sent_at: datetime


class ConsoleGateway(SmsGateway):
    name = "console"

    def __init__(self, *, keep: int = 10_000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Bounded so a long-running development server does not grow without limit.
        self._outbox: deque[ConsoleMessage] = deque(maxlen=keep)
        self._lock = threading.Lock()

    @property
    def outbox(self) -> list[ConsoleMessage]:
        with self._lock:
            return list(self._outbox)

    def clear(self) -> None:
        with self._lock:
            self._outbox.clear()

    async def _attempt(
        self, to_e164: str, body: str, callback_url: str | None
    ) -> tuple[SendResult, float | None]:
        message = ConsoleMessage(
            provider_message_id=f"console-{uuid.uuid4().hex}",
            to=to_e164,
            body=body,
            callback_url=callback_url,
            sent_at=datetime.now(UTC),
        )
        with self._lock:
            self._outbox.append(message)
        # The body is safe by construction (no names, no offence); the number is masked.
        logger.info("sms console: to %s: %s", mask_phone(to_e164), body)
        return SendResult(message.provider_message_id, "sent", ok=True), None

    async def aclose(self) -> None:
        # No network client to close; keep the outbox for inspection.
        return None
