"""Calendar feed subscriptions (the feed itself is iCalendar, not JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec import Struct

from api.schemas.common import Base, Id, Page


class SubscriptionCreate(Base):
    scope: Literal["staff", "case", "office"]
    target_id: Id
    privacy: Literal["standard", "minimal"] = "standard"


class SubscriptionRead(Struct):
    id: int
    scope: str
    target_id: int
    privacy: str
    name: str
    owner_id: int
    created_at: datetime
    revoked_at: datetime | None
    last_fetched_at: datetime | None


class SubscriptionCreated(SubscriptionRead):
    url: str
    webcal_url: str


class SubscriptionList(Page):
    items: list[SubscriptionRead]
