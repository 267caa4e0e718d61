"""Piccolo's configuration module: ``DB`` is whatever engine :mod:`legal_tracker.db` set up.

Tables bound at start-up never look here; a table module imported later (an outer package
loaded lazily) asks Piccolo's engine finder, which lands here and gets the same engine.
"""

from __future__ import annotations

from typing import Any

APP_REGISTRY: Any = None


def __getattr__(name: str) -> Any:
    if name == "DB":
        from legal_tracker import db

        return db.engine()
    raise AttributeError(name)
