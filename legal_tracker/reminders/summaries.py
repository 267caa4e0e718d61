"""Summaries for other areas: counts per hearing, "call the family" tasks."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Or
from piccolo.query import WhereRaw

from legal_tracker import db
from legal_tracker.cases.tables import Case, Hearing
from legal_tracker.common import utcnow
from legal_tracker.reminders.tables import Reminder

log = logging.getLogger("legal_tracker.reminders")

# A family told about a hearing must hear of its change or cancellation; a notice skipped
# for any other reason than these leaves staff a call to make.
CHANGE_NOTICES = ("changed", "cancelled")
NOT_MISSED = ("no SMS consent", "contact deleted", "no phone number",
              "hearing changed since this reminder was planned", "hearing has started")


async def reminder_summaries(hearing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Counts of a hearing's reminders by status (for the hearing's read model)."""
    out: dict[int, dict[str, int]] = {h: {} for h in hearing_ids}
    if not hearing_ids:
        return out
    counts: dict[int, Counter] = defaultdict(Counter)
    for r in await Reminder.select(Reminder.hearing, Reminder.status).where(
            db.any_of('"reminder"."hearing"', hearing_ids)):
        counts[r["hearing"]][r["status"]] += 1
    for hearing_id, counter in counts.items():
        out[hearing_id] = dict(sorted(counter.items()))
    return out


async def call_the_family_deadlines(case_ids: Any, today: date,
                                    within_days: int) -> list[dict[str, Any]]:
    """Tasks for the case's staff: "call the family".

    * a reminder that failed, was undelivered or is unconfirmed (it may or may not have gone
      out), for a hearing still ahead: due today, at once;
    * a hearing the survivor or family attends, starting within ``within_days``, for which
      no message was delivered by the day before: due the day before (it appears once that
      day has come and stays until the hearing starts or a message is delivered).
    The caller has already restricted ``case_ids`` to what the staff member may see: a list of
    ids, a subquery selecting them (which never grows the parameter list with the data), or
    None for every case. Each task also carries its case's reference, office and office zone."""
    if isinstance(case_ids, (list, tuple)) and not case_ids:
        return []
    now = utcnow()
    horizon = datetime.combine(today + timedelta(days=within_days + 2), time(), UTC)
    # Only hearings that can give a task are read: those with a reminder in trouble (a
    # failed, undelivered, unconfirmed or skipped one: the first two kinds of task), and those
    # starting before the day after tomorrow ends in every zone (the day-before task:
    # local day - 1 <= today means a start before local midnight of today + 2, at the latest
    # 12:00 UTC that day). Not every hearing of the next ``within_days`` and its reminders:
    # tens of thousands for an organisation-wide admin of a national network. Each of the two
    # is its own narrow query (an OR of them made PostgreSQL read the whole window), and the
    # cases' references are read for the tasks only.
    soon = datetime.combine(today + timedelta(days=3), time(), UTC)
    trouble = Reminder.select(Reminder.hearing).where(
        Reminder.status.is_in(["failed", "undelivered", "unconfirmed", "skipped"]))
    wanted = (Hearing.status.is_in(["scheduled", "cancelled"])
              & (Hearing.starts_at > now) & (Hearing.starts_at < horizon)
              & Or(Hearing.survivor_attends == True, Hearing.family_attends == True))  # noqa: E712
    if isinstance(case_ids, (list, tuple)):
        wanted = wanted & db.any_of('"hearing"."case"', case_ids)
    elif case_ids is not None:
        wanted = wanted & Hearing.case.is_in(case_ids)
    columns = (Hearing.id, Hearing.case, Hearing.starts_at, Hearing.court._.timezone.as_alias("tz"),
               Hearing.court._.name.as_alias("court_name"), Hearing.status,
               Hearing.office.as_alias("office_id"),
               Hearing.office._.timezone.as_alias("office_tz"))
    found: dict[int, dict[str, Any]] = {}
    # The day-before task needs no delivered message: the database leaves out the hearings
    # that have one (most of them), through the (hearing, status) index.
    undelivered = WhereRaw(
        'NOT EXISTS (SELECT 1 FROM reminder r WHERE r.hearing = "hearing"."id" AND '
        "(r.status = 'delivered' OR (r.status = 'sent' AND r.provider = 'console')))")
    for condition in ((Hearing.starts_at < soon) & undelivered, Hearing.id.is_in(trouble)):
        for h in await Hearing.select(*columns).where(wanted & condition):
            found[h["id"]] = h
    hearings = sorted(found.values(), key=lambda h: h["id"])
    if not hearings:
        return []
    delivered: set[int] = set()
    failed: set[int] = set()
    missed: set[int] = set()
    for r in await Reminder.select(Reminder.hearing, Reminder.status, Reminder.provider,
                                   Reminder.kind, Reminder.status_reason).where(
            # The hearings as one array parameter, never as a parameter per id.
            db.any_of('"reminder"."hearing"', list(found))):
        if r["status"] == "delivered" or (r["status"] == "sent" and r["provider"] == "console"):
            delivered.add(r["hearing"])
        elif r["status"] in ("failed", "undelivered", "unconfirmed"):
            failed.add(r["hearing"])
        if r["kind"] in CHANGE_NOTICES and (
                r["status"] in ("failed", "undelivered", "unconfirmed")
                or (r["status"] == "skipped" and r["status_reason"] not in NOT_MISSED)):
            missed.add(r["hearing"])
    out = []
    for h in hearings:
        if h["id"] in missed:
            out.append({"source": "sms_reminders", "kind": "call_the_family",
                        "title": "Call the family", "due_on": today,
                        "detail": "the family was told about this hearing, but the message "
                                  "saying it was moved or cancelled did not reach them",
                        "case_id": h["case"], "hearing_id": h["id"], "starts_at": h["starts_at"],
                        "case_reference": None, "office_id": h["office_id"],
                        "office_tz": h["office_tz"]})
            continue
        if h["status"] != "scheduled":
            continue
        local_day = h["starts_at"].astimezone(ZoneInfo(h["tz"])).date()
        day_before = local_day - timedelta(days=1)
        if h["id"] in failed and h["id"] not in delivered:
            due, reason = today, ("an SMS reminder to the family failed, was not delivered, or "
                                  "may not have been sent (unconfirmed)")
        elif h["id"] not in delivered and today >= day_before:
            due, reason = day_before, "no SMS reminder reached the family by the day before"
        else:
            continue
        if (due - today).days > within_days:
            continue
        out.append({"source": "sms_reminders", "kind": "call_the_family",
                    "title": "Call the family", "detail": reason, "due_on": due,
                    "case_id": h["case"], "hearing_id": h["id"], "starts_at": h["starts_at"],
                    "case_reference": None, "office_id": h["office_id"],
                    "office_tz": h["office_tz"]})
    if out:
        references = {r["id"]: r["reference"] for r in await Case.select(Case.id, Case.reference).where(
            db.any_of('"legal_case"."id"', sorted({task["case_id"] for task in out})))}
        for task in out:
            task["case_reference"] = references.get(task["case_id"])
    out.sort(key=lambda d: (d["due_on"], d["starts_at"], d["hearing_id"]))
    return out
