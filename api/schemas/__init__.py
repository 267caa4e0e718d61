"""Request and response bodies (msgspec Structs), one module per area, matching the
controllers: organisation, survivors, cases, casework, documents, reminders, audit,
calendars, system; ``common`` holds the value types, ``Base``, ``Page``, ``values_of`` and
``update_of`` that they share (re-exported here)."""

from api.schemas.common import (
    TEXT,
    AwareDatetime,
    Base,
    Country,
    Email,
    Id,
    IdList,
    Language,
    LongText,
    Minutes,
    Name,
    Page,
    Phone,
    Reference,
    ShortText,
    Timezone,
    update_of,
    values_of,
)

__all__ = [
    "TEXT", "AwareDatetime", "Base", "Country", "Email", "Id", "IdList", "Language", "LongText",
    "Minutes", "Name", "Page", "Phone", "Reference", "ShortText", "Timezone", "update_of",
    "values_of",
]
