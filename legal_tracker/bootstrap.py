"""Explicit start-up of the domain core: nothing registers itself when imported.

:func:`bootstrap` is called once by each entry point before it does any work: the application
factory (:func:`api.app.create_app`), the command line (:mod:`legal_tracker.cli`) and the test
suite (``tests/conftest.py``). It

- imports the core's table modules (so that :func:`legal_tracker.db.bind` binds them; the
  outer packages ``calendars`` and ``documents`` are imported by the entry points, and bind
  binds every table class loaded in the process),
- registers the reminder outbox's in-transaction hooks (hearings and contacts changed from any
  entry point plan their reminders),
- registers the core's encrypted columns for key rotation,
- registers the scheduler's tick jobs (the reminder dispatcher), which must happen before the
  scheduler starts.

The outer packages register their own tables and encrypted columns through
:func:`api.bootstrap.bootstrap_application`, which calls this first: dependencies point
inwards, so the core never imports them.

Calling it again does nothing: every registration happens once.
"""

from __future__ import annotations

_done = False


def bootstrap() -> None:
    """Register the core's hooks, encrypted columns and tick jobs; idempotent."""
    global _done
    if _done:
        return
    from legal_tracker import db, key_rotation
    from legal_tracker.reminders import dispatcher
    from legal_tracker.reminders.replanning import register_hooks

    db.import_table_modules()
    register_hooks()
    for column in key_rotation.CORE_ENCRYPTED_COLUMNS:
        key_rotation.register_encrypted_column(column)
    dispatcher.register_ticks()
    _done = True


def is_bootstrapped() -> bool:
    return _done
