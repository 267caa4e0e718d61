"""In-transaction hooks, so that other areas react to a change atomically with it.

The reminder planner (an outbox) registers here: a hearing is never saved without its
reminders, and a rolled-back change leaves no reminder behind. Hooks run inside the caller's
transaction, in registration order, and must not commit or open their own transactions; a
change announced outside a transaction is refused (RuntimeError), since its hooks' writes
could then be left half-done. Hooks are registered by :mod:`legal_tracker.bootstrap`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from legal_tracker import db
from legal_tracker.access import Actor


@dataclass(frozen=True, slots=True)
class HearingChange:
    """``action``: created, updated, rescheduled, adjourned, cancelled, outcome.

    ``hearing`` is the row after the change; ``previous`` before it (None when created);
    ``next_hearing`` the hearing created by an adjournment."""

    action: str
    hearing: dict[str, Any]
    previous: dict[str, Any] | None = None
    next_hearing: dict[str, Any] | None = None
    actor: Actor | None = None
    changed_fields: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ContactChange:
    """``action``: created, updated, deleted, consent_given, consent_withdrawn."""

    action: str
    contact_id: int
    survivor_id: int
    actor: Actor | None = None


HearingHook = Callable[[HearingChange], Awaitable[None]]
ContactHook = Callable[[ContactChange], Awaitable[None]]

hearing_hooks: list[HearingHook] = []
contact_hooks: list[ContactHook] = []


def on_hearing_change(hook: HearingHook) -> HearingHook:
    if hook not in hearing_hooks:
        hearing_hooks.append(hook)
    return hook


def on_contact_change(hook: ContactHook) -> ContactHook:
    if hook not in contact_hooks:
        contact_hooks.append(hook)
    return hook


def _require_transaction(what: str) -> None:
    if not db.in_transaction():
        raise RuntimeError(f"{what} must be announced inside the transaction that made it")


async def hearing_changed(change: HearingChange) -> None:
    _require_transaction("a hearing change")
    for hook in hearing_hooks:
        await hook(change)


async def contact_changed(change: ContactChange) -> None:
    _require_transaction("a contact change")
    for hook in contact_hooks:
        await hook(change)
