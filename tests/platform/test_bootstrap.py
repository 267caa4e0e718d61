"""Start-up is explicit and happens once; hooks refuse to run outside a transaction."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from api.bootstrap import bootstrap_application
from legal_tracker import hooks, key_rotation, scheduler
from legal_tracker.bootstrap import bootstrap, is_bootstrapped
from legal_tracker.casework import timeline


def _registrations() -> tuple[list, ...]:
    return (list(hooks.hearing_hooks), list(hooks.contact_hooks), list(scheduler.TICK_JOBS),
            list(key_rotation.ENCRYPTED_COLUMNS), list(timeline.SOURCES))


def test_bootstrap_twice_registers_once():
    # tests/conftest.py has bootstrapped already, as the app factory and the CLI do.
    assert is_bootstrapped()
    before = _registrations()
    assert len(before[0]) == 1 and len(before[1]) == 1
    assert [job.name for job in before[2]] == ["sms-dispatch"]
    assert {(c.table, c.column) for c in before[3]} >= {
        ("survivor", "legal_name_enc"), ("filing", "fields_enc"), ("filing", "file_key_enc")}
    assert "filing_timeline_items" in {source.__name__ for source in before[4]}
    bootstrap()
    bootstrap_application()
    assert _registrations() == before


def test_importing_the_modules_registers_nothing():
    # A fresh interpreter that imports everything but does not bootstrap has no hooks, no tick
    # jobs and no encrypted columns: nothing happens as a side effect of an import.
    code = (
        "import api.app, legal_tracker.cli, legal_tracker.reminders.replanning, "
        "legal_tracker.reminders.dispatcher, documents.tables, documents.service\n"
        "from legal_tracker import hooks, key_rotation, scheduler\n"
        "from legal_tracker.casework import timeline\n"
        "print(len(hooks.hearing_hooks), len(hooks.contact_hooks), len(scheduler.TICK_JOBS), "
        "len(key_rotation.ENCRYPTED_COLUMNS), any(s.__module__ == 'documents.service' "
        "for s in timeline.SOURCES))\n"
        "from legal_tracker.bootstrap import bootstrap\n"
        "bootstrap(); bootstrap()\n"
        "print(len(hooks.hearing_hooks), len(hooks.contact_hooks), len(scheduler.TICK_JOBS), "
        "len(key_rotation.ENCRYPTED_COLUMNS))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.split("\n")[:2]
    assert before == "0 0 0 0 False"
    assert after == f"1 1 1 {len(key_rotation.CORE_ENCRYPTED_COLUMNS)}"


async def test_hooks_refuse_to_run_outside_a_transaction(database):
    change = hooks.HearingChange("created", {"id": 1, "starts_at": datetime.now(UTC)})
    with pytest.raises(RuntimeError, match="inside the transaction"):
        await hooks.hearing_changed(change)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        await hooks.contact_changed(hooks.ContactChange("created", 1, 1))
