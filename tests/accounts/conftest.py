"""Accounts fixtures: a real SMTP server (aiosmtpd) on loopback that keeps what arrives, an
app built with other settings (two-factor rules, mail), and codes from pyotp."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pyotp
import pytest
from aiosmtpd.controller import Controller

from api.app import create_app
from legal_tracker.settings import Settings

STRONG = "Kettle orbit parsley 42"


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@dataclass
class MailServer:
    url: str
    box: Mailbox


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield MailServer(f"smtp://127.0.0.1:{port}", box)
    finally:
        controller.stop()


@asynccontextmanager
async def app_client(settings: Settings, user_agent: str = "pytest") -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                 headers={"user-agent": user_agent}) as client:
        yield client


def _step() -> int:
    return int(time.time()) // 30


def code(secret: str, steps_ahead: int = 0) -> str:
    """A TOTP code of this step (or the next): both stay valid whatever step the server is in
    when it checks, so no test depends on where in a 30-second step it runs."""
    return pyotp.TOTP(secret).generate_otp(_step() + steps_ahead)


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    valid = {totp.generate_otp(_step() + k) for k in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)
