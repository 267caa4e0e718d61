"""What every area's bodies share: value types with their limits, the strict ``Base`` of
request bodies, ``Page``, ``values_of`` and ``update_of`` (an Update type made from its Create
type, so a field block is written once).

Create types reject unknown fields and carry every length and range limit, so bad input is
refused before a service runs. Update types use ``UNSET`` for "not given" and ``None`` for
"clear this". Read types carry what a caller may see, never ciphertext.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar, Union

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from legal_tracker.domain import MAX_ID

# Free text may hold anything but NUL, which PostgreSQL cannot store in a text column.
TEXT = r"^[^\x00]*$"

Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=TEXT)]
ShortText = Annotated[str, Meta(max_length=500, pattern=TEXT)]
LongText = Annotated[str, Meta(max_length=10_000, pattern=TEXT)]
Timezone = Annotated[str, Meta(min_length=1, max_length=64, examples=["Africa/Nairobi"])]
Country = Annotated[str, Meta(min_length=2, max_length=2, pattern="^[A-Z]{2}$", examples=["KE"])]
Language = Annotated[str, Meta(min_length=2, max_length=16, examples=["sw"])]
Phone = Annotated[str, Meta(min_length=4, max_length=32, examples=["+254712345678"])]
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]
AwareDatetime = Annotated[datetime, Meta(tz=True)]
Reference = Annotated[str, Meta(min_length=1, max_length=64, pattern=TEXT)]
Minutes = Annotated[int, Meta(ge=5, le=24 * 60)]
IdList = Annotated[list[Id], Meta(max_length=100)]


class Base(Struct, forbid_unknown_fields=True, omit_defaults=False):
    pass


class Page(Struct):
    limit: int
    offset: int
    next_offset: int | None


def values_of(struct: Struct, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields a client actually sent, with API names mapped to column names."""
    rename = rename or {}
    out = {}
    for key, value in msgspec.structs.asdict(struct).items():
        if value is UNSET:
            continue
        if isinstance(value, list):
            value = [msgspec.structs.asdict(v) if isinstance(v, Struct) else v for v in value]
        elif isinstance(value, Struct):
            value = msgspec.structs.asdict(value)
        out[rename.get(key, key)] = value
    return out


S = TypeVar("S", bound=type[Struct])


def update_of(create: type[Struct], *, exclude: Iterable[str] = ()) -> Callable[[S], S]:
    """Make the decorated class the Update type of ``create``.

    Every field of ``create`` (but those in ``exclude``) becomes optional: its type is the
    Create type or ``UNSET`` (not given), so a field that may be ``null`` in Create may be
    cleared with ``null`` in Update, and only then. Fields declared in the decorated class's
    body are added, or replace the Create field of the same name (a different type, another
    default). The result is a new Struct of the same name, module and docstring.
    """
    skipped = set(exclude)

    def build(cls: S) -> S:
        own = {f.name: f for f in msgspec.structs.fields(cls)}
        fields: list[tuple[str, Any, Any]] = []
        for f in msgspec.structs.fields(create):
            if f.name in skipped or f.name in own:
                continue
            fields.append((f.name, Union[f.type, UnsetType], UNSET))  # noqa: UP007 - runtime union
        fields += [(f.name, f.type, msgspec.field(  # type: ignore[call-overload]
            default=f.default, default_factory=f.default_factory)) for f in own.values()]
        made = msgspec.defstruct(cls.__name__, fields, bases=cls.__bases__, module=cls.__module__,
                                 namespace={"__doc__": cls.__doc__, "__qualname__": cls.__qualname__})
        return made  # type: ignore[return-value]

    return build
