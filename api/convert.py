"""Rows from services to Read structs: column names become API names (``office`` →
``office_id``) in one place."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

RENAMES = {
    "office": "office_id", "court": "court_id", "case": "case_id", "survivor": "survivor_id",
    "actor": "actor_id", "adjourned_to": "adjourned_to_id", "adjourned_from": "adjourned_from_id",
    "hearing": "hearing_id", "staff": "staff_id", "contact": "contact_id",
}


def read(kind: type[T], row: dict[str, Any]) -> T:
    return msgspec.convert({RENAMES.get(k, k): v for k, v in row.items()}, kind,
                           from_attributes=False)


def read_page(kind: type[T], item_kind: type[Any], page: Any) -> T:
    return kind(  # type: ignore[call-arg]
        items=[read(item_kind, r) for r in page.items], limit=page.limit, offset=page.offset,
        next_offset=page.next_offset,
        **({"next_cursor": getattr(page, "next_cursor", None)}
           if "next_cursor" in kind.__struct_fields__ else {}),
    )


API_TO_COLUMN = {v: k for k, v in RENAMES.items()}
