"""Fixtures for the reminder tests, the pure units (``units/``) included: the fake gateway
and retries without waiting; for the outbox, a family with consenting contacts and a
dispatcher pointed at the fake gateway."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from legal_tracker.reminders.dispatcher import Dispatcher
from legal_tracker.reminders.gateways import AfricasTalkingGateway, RetryPolicy, TwilioGateway
from legal_tracker.settings import Settings
from tests.reminders.units.fake_gateway import (
    AT_API_KEY,
    AT_USERNAME,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    FakeSmsServer,
)

# Retries without waiting, so failure-path tests stay fast.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0, jitter=0.0)
AT_SECRET = "at-webhook-secret-for-tests"
OFFICE_PHONE = "+254700000000"


def zone_at_local_hour(hour: int, now: datetime | None = None) -> str:
    """An ``Etc/GMT±N`` zone in which the local hour is ``hour`` right now (tests that must
    not depend on when they run)."""
    now = now or datetime.now(UTC)
    offset = (hour - now.hour) % 24
    if offset > 14:
        offset -= 24
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{-offset:+d}"  # POSIX-style: Etc/GMT-3 is UTC+3


def iso_in(days: float = 0, hours: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).isoformat()


@pytest.fixture
async def settings(settings: Settings) -> AsyncIterator[Settings]:
    yield settings.with_overrides(
        twilio_account_sid=TWILIO_ACCOUNT_SID, twilio_auth_token=TWILIO_AUTH_TOKEN,
        twilio_from="+15005550006", africastalking_webhook_secret=AT_SECRET,
        africastalking_username=AT_USERNAME, africastalking_api_key=AT_API_KEY,
        sms_rate_per_second=0,
    )


@pytest.fixture
def fake_sms() -> Iterator[FakeSmsServer]:
    with FakeSmsServer() as server:
        yield server


@pytest.fixture
def fast_retry() -> RetryPolicy:
    return FAST_RETRY


@pytest.fixture
async def twilio(fake_sms: FakeSmsServer, database: Settings) -> AsyncIterator[Dispatcher]:
    gateway = TwilioGateway(**fake_sms.twilio_kwargs(), retry=FAST_RETRY)
    yield Dispatcher(gateway, database)
    await gateway.aclose()


@pytest.fixture
async def africastalking(fake_sms: FakeSmsServer, database: Settings) -> AsyncIterator[Dispatcher]:
    gateway = AfricasTalkingGateway(**fake_sms.africastalking_kwargs(), retry=FAST_RETRY)
    yield Dispatcher(gateway, database)
    await gateway.aclose()


@dataclass
class Family:
    world: Any
    office: dict[str, Any]
    court: dict[str, Any]
    survivor: dict[str, Any]
    case: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def client(self) -> Any:
        return self.world.client

    @property
    def admin(self) -> dict[str, str]:
        return self.world.admin

    async def contact(self, phone: str, *, consent: bool = True, language: str = "en",
                      timezone: str | None = None, survivor_id: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": "Grace Achieng", "relationship": "mother", "phone": phone,
                                "language": language, "sms_consent": consent}
        if timezone:
            body["timezone"] = timezone
        contact = await self.world.post(
            f"/api/survivors/{survivor_id or self.survivor['id']}/contacts", body)
        self.contacts.append(contact)
        return contact

    async def hearing(self, starts_at: str, *, family_attends: bool = True, **extra: Any) -> dict:
        return await self.world.hearing(self.case["id"], starts_at, family_attends=family_attends,
                                        **extra)

    async def reminders(self, headers: dict[str, str] | None = None, **filters: Any) -> list[dict]:
        response = await self.client.get("/api/reminders", params={"limit": 200, **filters},
                                         headers=headers or self.admin)
        assert response.status_code == 200, response.text
        return response.json()["items"]


async def make_family(world: Any, *, court_tz: str = "Africa/Nairobi",
                      policy: dict[str, Any] | None = None, sender: str | None = "Tumaini Centre",
                      offence: str = "sex_trafficking") -> Family:
    body: dict[str, Any] = {"name": f"Nairobi {uuid.uuid4().hex[:4]}", "country": "KE",
                            "timezone": court_tz, "phone": OFFICE_PHONE,
                            "sms_sender_name": sender}
    if policy is not None:
        body["reminder_policy"] = policy
    office = await world.post("/api/offices", body)
    court = await world.court(timezone=court_tz, office_id=office["id"])
    survivor = await world.survivor(office["id"], legal_name="Amina Wanjiru")
    case = await world.case(office["id"], court["id"], survivor_ids=[survivor["id"]],
                            offence_category=offence)
    return Family(world, office, court, survivor, case)


@pytest.fixture
async def family(world: Any) -> Family:
    return await make_family(world)
