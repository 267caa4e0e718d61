"""Rows from services to Read structs: column names become API names (``office`` →
``office_id``) in one place, and every timestamp takes the API's one convention.

**Timestamps**: every date-time in a response is ISO 8601 in UTC with ``Z``
(``2027-06-15T09:00:00Z``), whatever it is (a hearing's start, a history entry, a custody
step, a timeline item, when a record was made). One form everywhere: instants compare and
sort as text, and nothing depends on which zone a service happened to return. The zone to
show a time in travels beside it (a hearing's ``court_timezone``, an office's ``timezone``);
calendar feeds, SMS and documents show local court time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

RENAMES = {
    "office": "office_id", "court": "court_id", "case": "case_id", "survivor": "survivor_id",
    "actor": "actor_id", "adjourned_to": "adjourned_to_id", "adjourned_from": "adjourned_from_id",
    "hearing": "hearing_id", "staff": "staff_id", "contact": "contact_id",
}


# Values ``utc`` leaves as they are: skipped without a call (a page of 50 hearings has
# 1,500 of them; a recursive call per value cost more than the page's queries).
_PLAIN = frozenset({int, str, bool, float, type(None)})


def utc(value: Any) -> Any:
    """``value`` with every aware datetime in it (in dicts and lists too) moved to UTC."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else value
    if isinstance(value, dict):
        return {k: v if type(v) in _PLAIN else utc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else utc(v) for v in value]
    return value


def read(kind: type[T], row: dict[str, Any]) -> T:
    return msgspec.convert(
        {RENAMES.get(k, k): v if type(v) in _PLAIN else utc(v) for k, v in row.items()}, kind,
        from_attributes=False)


def read_page(kind: type[T], item_kind: type[Any], page: Any,
              reader: Callable[[dict[str, Any]], Any] | None = None) -> T:
    """A page of ``item_kind``, each row through ``read`` or, for a hot list, a ``reader`` of
    its own that gives the same struct."""
    return kind(  # type: ignore[call-arg]
        items=[reader(r) for r in page.items] if reader is not None
        else [read(item_kind, r) for r in page.items], limit=page.limit, offset=page.offset,
        next_offset=page.next_offset,
        **({"next_cursor": getattr(page, "next_cursor", None)}
           if "next_cursor" in getattr(kind, "__struct_fields__", ()) else {}),
    )


API_TO_COLUMN = {v: k for k, v in RENAMES.items()}
