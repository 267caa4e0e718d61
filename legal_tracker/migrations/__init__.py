"""Hand-written migrations, one module each, applied in name order on SQLite and PostgreSQL.

Piccolo's auto-migrations cannot alter columns on SQLite, so every change is written here by
hand as plain DDL. A module defines ``def statements(d: Dialect) -> list[str]``. Number
ranges keep areas apart: 0001-0099 core, 0100 security, 0200 casework, 0300 calendars,
0400 documents, 0500 reminders; a later change to any area takes the next free number after
the newest migration. ``tests/platform/test_migrations.py`` runs them on both engines and compares the
result with the table classes.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str  # "sqlite" or "postgres"

    @property
    def pk(self) -> str:
        return "INTEGER PRIMARY KEY AUTOINCREMENT" if self.name == "sqlite" else "SERIAL PRIMARY KEY"

    @property
    def bigint(self) -> str:
        return "INTEGER" if self.name == "sqlite" else "BIGINT"

    @property
    def json(self) -> str:
        return "JSON"

    @property
    def now(self) -> str:
        return "CURRENT_TIMESTAMP"

    def fk(self, table: str, on_delete: str = "RESTRICT") -> str:
        return f"INTEGER REFERENCES {table}(id) ON DELETE {on_delete}"


def discover() -> list[tuple[str, ModuleType]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append((info.name, importlib.import_module(f"{__name__}.{info.name}")))
    return sorted(found, key=lambda pair: pair[0])
