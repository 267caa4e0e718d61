"""Small pieces every service uses: the clock, paging, and fetch-or-not-found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from legal_tracker.domain import MAX_ID
from legal_tracker.errors import NotFound

MAX_PAGE = 200
DEFAULT_PAGE = 50


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime reached a service")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_PAGE
    offset: int = 0

    def clamp(self) -> PageRequest:
        return PageRequest(max(1, min(self.limit, MAX_PAGE)), max(0, self.offset))


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    limit: int
    offset: int
    next_offset: int | None
    next_cursor: str | None = None  # keyset paging, where a list offers it


def page_of(rows: list[dict[str, Any]], page: PageRequest) -> Page:
    """``rows`` were fetched with ``limit + 1`` so we know whether another page exists
    without counting the whole table."""
    more = len(rows) > page.limit
    return Page(rows[: page.limit], page.limit, page.offset,
                page.offset + page.limit if more else None)


def check_id(entity: str, value: int) -> int:
    if value < 1 or value > MAX_ID:
        raise NotFound(entity)
    return value
