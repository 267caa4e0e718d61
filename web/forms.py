"""Form state for pages: what was typed, the problems beside each field, a message on top.

A page handler reads the posted form into a :class:`Form`, parses values with its helpers
(which record a problem instead of raising), and calls a service through :func:`attempt`:

* :class:`~legal_tracker.errors.Invalid` (the API's 422) → each problem beside its field,
  the form re-rendered with what was typed, status 422;
* :class:`~legal_tracker.errors.Conflict` (409) → one plain sentence at the top, status 409;
* :class:`~legal_tracker.errors.NotFound` and ``Forbidden`` propagate to the ordinary
  "not found" / "not allowed" pages.

Field names are the service's names (``starts_at``, ``court_id``, ``reason`` …), so a domain
problem lands beside the field that caused it. Templates render fields with the macros in
``templates/_forms.html``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request

from legal_tracker.errors import Conflict, Invalid
from web.i18n import gettext_ as _

T = TypeVar("T")

# A service may name a field differently from the form (the stored column vs the API name).
ALIASES = {"court": "court_id", "office": "office_id"}
_AT = re.compile(r" - at `\$\.?([^`]*)`")


class Form:
    def __init__(self, values: Mapping[str, Any] | None = None,
                 lists: Mapping[str, list[str]] | None = None, *, prefix: str = "") -> None:
        # Element ids are "f-<prefix><name>": give each form of a page with several its own
        # prefix, so labels and error links stay unique.
        self.prefix = prefix
        self.values: dict[str, Any] = dict(values or {})
        self.lists: dict[str, list[str]] = dict(lists or {})
        self.errors: dict[str, str] = {}
        self.message: str | None = None
        self.status = 200

    @classmethod
    async def from_request(cls, request: Request) -> Form:
        data = await request.form()
        values: dict[str, Any] = {}
        lists: dict[str, list[str]] = {}
        for key in data:
            if key == "_csrf_token":
                continue
            every = [v for v in data.getall(key) if isinstance(v, str)]
            lists[key] = every
            values[key] = every[-1] if every else ""
        return cls(values, lists)

    # -- reading -------------------------------------------------------------------------
    def get(self, name: str, default: Any = "") -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def checked(self, name: str) -> bool:
        return str(self.values.get(name, "")).lower() in {"on", "true", "1", "yes"}

    def selected(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(ALIASES.get(field, field), message)
        self.status = 422

    def id(self, name: str) -> str:
        return f"f-{self.prefix}{name}"

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def ok(self) -> bool:
        return not self.errors and self.message is None

    # -- parsing helpers: each records a problem instead of raising -----------------------
    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = str(self.get(name)).strip()
        if not value:
            if required:
                self.add(name, _("Enter a value"))
            return None
        if len(value) > max_length:
            self.add(name, _("Too long"))
            return None
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        raw = str(self.get(name)).strip()
        if not raw:
            if required:
                self.add(name, _("Choose a value"))
            return None
        try:
            number = int(raw)
        except ValueError:
            self.add(name, _("Enter a whole number"))
            return None
        if number < 0 or number > 2_147_483_647:
            self.add(name, _("Enter a whole number"))
            return None
        return number

    def integers(self, name: str) -> list[int]:
        out = []
        for raw in self.selected(name):
            try:
                out.append(int(raw))
            except ValueError:
                self.add(name, _("Choose from the list"))
        return out

    def choice(self, name: str, options: Iterable[str], *, required: bool = False) -> str | None:
        value = str(self.get(name)).strip()
        if not value:
            if required:
                self.add(name, _("Choose a value"))
            return None
        if value not in set(options):
            self.add(name, _("Choose from the list"))
            return None
        return value

    def local_datetime(self, name: str, tz: str, *, required: bool = True) -> datetime | None:
        """An ``<input type="datetime-local">`` value, read in the court's zone."""
        raw = str(self.get(name)).strip()
        if not raw:
            if required:
                self.add(name, _("Enter a date and time"))
            return None
        try:
            naive = datetime.fromisoformat(raw)
        except ValueError:
            self.add(name, _("Enter a date and time like 2026-12-03T09:30"))
            return None
        if naive.tzinfo is not None:
            return naive
        return naive.replace(tzinfo=ZoneInfo(tz))

    def date(self, name: str, *, required: bool = False) -> date | None:
        raw = str(self.get(name)).strip()
        if not raw:
            if required:
                self.add(name, _("Enter a date"))
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.add(name, _("Enter a date like 2026-12-03"))
            return None


def convert(form: Form, kind: type[T], values: dict[str, Any]) -> T | None:
    """Check ``values`` against the API's own request type (lengths, ranges, vocabularies), so a
    page accepts exactly what the API accepts; a refusal lands beside its field."""
    try:
        return msgspec.convert(values, kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _AT.search(text)
        field = match.group(1).split(".")[0].split("[")[0] if match else "form"
        form.add(field, _AT.sub("", text))
        return None


async def attempt(form: Form, action: Callable[[], Awaitable[T]]) -> T | None:
    """Run a service call for a form; on a domain refusal, record it on the form."""
    if form.errors:
        return None
    try:
        return await action()
    except Invalid as exc:
        for problem in exc.problems:
            form.add(problem.field, problem.message)
        if not exc.problems:
            form.message = exc.message
            form.status = 422
    except Conflict as exc:
        form.message = exc.message
        form.status = 409
    return None
