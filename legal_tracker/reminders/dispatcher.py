"""The reminder dispatcher: claim what is due, re-check it, send it once, record the outcome.

Safe to run in every process at once (the scheduler ticks everywhere):

* **Claiming** is one atomic statement. PostgreSQL: ``WITH due AS MATERIALIZED (SELECT ...
  LIMIT n FOR UPDATE SKIP LOCKED) UPDATE ... FROM due RETURNING id``, so concurrent
  dispatchers take disjoint rows without waiting for each other, never more than n each.
  SQLite: a compare-and-set ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) AND status =
  'pending' RETURNING id`` inside an IMMEDIATE transaction.
  A claimed row is ``sending`` with a lease (owner, until) and one more attempt.
* **Never sent twice by us**: a row is only ever sent by the process that claimed it. If that
  process dies between claiming and recording, the row stays ``sending``; once its lease has
  expired the next pass marks it ``unconfirmed`` (the message may or may not have gone out)
  and it is never re-sent automatically: staff resolve it (resend creates a new reminder).
* **Re-checked at send time**: the hearing is read again; a reminder whose hearing changed
  version, was cancelled/adjourned/held or has started is ``skipped`` with the reason, as is
  one whose contact withdrew consent or was deleted.
* **After downtime** (a reminder found overdue): it is still sent if its hearing is ahead
  and the recipient is not in quiet hours now; otherwise skipped. An overdue first notice or
  "dN" reminder is ``superseded`` (skipped) when a later reminder of the same hearing for the
  same contact is also due: a d7 reminder five days late is replaced by the d3 one. Dated
  texts always carry the full date, so a late reminder is never wrong, only later.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from legal_tracker import audit, crypto, db, scheduler
from legal_tracker.common import utcnow
from legal_tracker.reminders.consent import set_consent
from legal_tracker.reminders.delivery import flag_phone
from legal_tracker.reminders.gateways import SendResult, SmsGateway, create_gateway
from legal_tracker.reminders.outbox import in_quiet_hours, office_policy, render_for
from legal_tracker.reminders.tables import Reminder, SmsGatewayState
from legal_tracker.reminders.webhooks import twilio_status_callback_url
from legal_tracker.scheduler import register_tick
from legal_tracker.settings import Settings

log = logging.getLogger("legal_tracker.reminders.dispatcher")

SUPERSEDABLE_PREFIXES = ("first_notice", "d")
MAX_CLAIMS = 3  # a reminder whose provider stays unavailable is retried on 3 passes, then failed


def supersedable(kind: str) -> bool:
    return kind == "first_notice" or (kind.startswith("d") and kind[1:].isdigit())


def build_gateway(settings: Settings, **kwargs: Any) -> SmsGateway:
    """The configured gateway with the configured send rate (0 or less: no limit)."""
    rate = settings.sms_rate_per_second if settings.sms_rate_per_second > 0 else None
    return create_gateway(settings=settings, rate_per_second=rate, **kwargs)


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    unconfirmed: int = 0
    released: int = 0
    paused: bool = False
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)

    def note(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


@dataclass
class _Outcome:
    reminder_id: int
    contact_id: int
    survivor_id: int
    office_id: int
    status: str  # sent | failed | skipped | pending (retry)
    reason: str | None = None
    result: SendResult | None = None
    segments: int | None = None
    retry_at: datetime | None = None
    released: bool = False


class Dispatcher:
    def __init__(self, gateway: SmsGateway, settings: Settings, *, owner: str | None = None,
                 batch_size: int = 200, concurrency: int = 16, lease_seconds: float = 600.0,
                 flush_seconds: float = 0.05) -> None:
        self.gateway = gateway
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.lease = timedelta(seconds=lease_seconds)
        self.flush_seconds = flush_seconds
        self.callback_url = (twilio_status_callback_url(settings.public_url)
                             if gateway.name == "twilio" else None)
        # Set when the provider refuses our account mid-batch: the rest of the batch is
        # put back, unsent, and sending pauses (see gateway_state).
        self._paused = False
        self._account_problem: SendResult | None = None
        self.recheck_after = timedelta(seconds=1)

    # ------------------------------------------------------------ claiming

    async def expire_leases(self, now: datetime) -> int:
        """Rows left ``sending`` by a process that died: unconfirmed, never re-sent."""
        async with db.transaction():
            rows = await Reminder.update({
                Reminder.status: "unconfirmed",
                Reminder.status_reason: "the sending process stopped before recording the "
                                        "outcome; the message may or may not have been sent",
                Reminder.lease_owner: None, Reminder.lease_until: None, Reminder.updated_at: now,
            }).where((Reminder.status == "sending") & (Reminder.lease_until < now)).returning(
                Reminder.id)
        if rows:
            log.warning("%d reminder(s) left in 'sending' past their lease are now unconfirmed",
                        len(rows))
        return len(rows)

    async def claim(self, limit: int, now: datetime) -> list[int]:
        until = now + self.lease
        if db.is_sqlite():
            sql = (
                "UPDATE reminder SET status = 'sending', lease_owner = {}, lease_until = {}, "
                "attempts = attempts + 1, updated_at = {} "
                "WHERE id IN (SELECT id FROM reminder WHERE status = 'pending' AND send_at <= {} "
                "ORDER BY send_at, id LIMIT {}) AND status = 'pending' RETURNING id"
            )
        else:
            # The locking subquery as a MATERIALIZED CTE: run once, so the LIMIT holds. As a
            # plain ``IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)`` the planner may re-run
            # it inside a nested-loop semi join and one claim took the whole backlog.
            sql = (
                "WITH due AS MATERIALIZED (SELECT id FROM reminder WHERE status = 'pending' "
                "AND send_at <= {} ORDER BY send_at, id LIMIT {} FOR UPDATE SKIP LOCKED) "
                "UPDATE reminder SET status = 'sending', lease_owner = {}, lease_until = {}, "
                "attempts = attempts + 1, updated_at = {} "
                "FROM due WHERE reminder.id = due.id AND reminder.status = 'pending' "
                "RETURNING reminder.id"
            )
        args = (self.owner, until, now, now, limit) if db.is_sqlite() else (
            now, limit, self.owner, until, now)
        async with db.transaction():
            rows = await db.execute(sql, *args)
        return sorted(r["id"] for r in rows)

    # ------------------------------------------------------------ one pass

    async def run_once(self, *, now: datetime | None = None, max_messages: int | None = None
                       ) -> DispatchStats:
        """Send everything due now (up to ``max_messages``) and return what happened."""
        started = time.perf_counter()
        stats = DispatchStats()
        stats.unconfirmed = await self.expire_leases(now or utcnow())
        state = await gateway_state(self.gateway.name)
        probing = False
        if state is not None and state["degraded_since"] is not None:
            if state["next_try_at"] is not None and state["next_try_at"] > (now or utcnow()):
                stats.paused = True
                return stats
            probing = True  # one message tells whether the provider accepts us again
        self._paused = False
        while max_messages is None or stats.claimed < max_messages:
            moment = now or utcnow()
            limit = self.batch_size if max_messages is None else min(
                self.batch_size, max_messages - stats.claimed)
            ids = await self.claim(1 if probing else limit, moment)
            if not ids:
                break
            stats.claimed += len(ids)
            await self._process(ids, moment, stats)
            if self._paused:
                stats.paused = True
                break
            if probing and stats.sent:
                await mark_gateway_healthy(self.gateway.name)
                probing = False  # otherwise the probe was skipped or refused: try the next
        stats.seconds = time.perf_counter() - started
        if stats.claimed:
            log.info("dispatch: claimed %d, sent %d, failed %d, skipped %d, retrying %d in %.2fs",
                     stats.claimed, stats.sent, stats.failed, stats.skipped, stats.retrying,
                     stats.seconds)
        return stats

    async def _load(self, ids: list[int]) -> list[dict[str, Any]]:
        return await Reminder.select(
            Reminder.id, Reminder.kind, Reminder.hearing, Reminder.hearing_version,
            Reminder.contact, Reminder.survivor, Reminder.office, Reminder.timezone,
            Reminder.send_at, Reminder.attempts,
            Reminder.hearing.status.as_alias("h_status"),
            Reminder.hearing.version.as_alias("h_version"),
            Reminder.hearing.starts_at.as_alias("h_starts_at"),
            Reminder.hearing._.court._.name.as_alias("court_name"),
            Reminder.contact.phone_enc.as_alias("phone_enc"),
            Reminder.contact.language.as_alias("language"),
            Reminder.contact.sms_consent_at.as_alias("consent_at"),
            Reminder.contact.sms_consent_withdrawn_at.as_alias("withdrawn_at"),
            Reminder.contact.deleted_at.as_alias("deleted_at"),
            Reminder.office.name.as_alias("office_name"),
            Reminder.office.sms_sender_name.as_alias("office_sender"),
            Reminder.office.phone.as_alias("office_phone"),
            Reminder.office.country.as_alias("office_country"),
            Reminder.office.reminder_policy.as_alias("office_policy"),
        ).where(Reminder.id.is_in(ids))

    async def _later_due(self, rows: list[dict[str, Any]], now: datetime) -> dict[tuple, datetime]:
        """For each (hearing, version, contact): the latest send time of a due reminder."""
        hearings = sorted({r["hearing"] for r in rows if r["hearing"] and supersedable(r["kind"])})
        latest: dict[tuple, datetime] = {}
        if not hearings:
            return latest
        for r in await Reminder.select(Reminder.hearing, Reminder.hearing_version, Reminder.contact,
                                       Reminder.send_at).where(
                Reminder.hearing.is_in(hearings) & (Reminder.send_at <= now)
                & Reminder.status.is_in(["pending", "sending", "sent", "delivered"])
                & Reminder.kind.not_in(["cancelled", "welcome", "help"])):
            key = (r["hearing"], r["hearing_version"], r["contact"])
            if key not in latest or r["send_at"] > latest[key]:
                latest[key] = r["send_at"]
        return latest

    def _check(self, row: dict[str, Any], now: datetime, latest: dict[tuple, datetime],
               policies: dict[int, Any]) -> str | None:
        """Why this reminder must not go out now, or None."""
        if row["deleted_at"] is not None:
            return "contact deleted"
        if row["consent_at"] is None or row["withdrawn_at"] is not None:
            return "no SMS consent"
        if row["phone_enc"] is None:
            return "no phone number"
        if row["hearing"] is not None:
            expected = "cancelled" if row["kind"] == "cancelled" else "scheduled"
            if row["h_status"] != expected:
                return f"hearing {row['h_status']}"
            if row["h_version"] != row["hearing_version"]:
                return "hearing changed since this reminder was planned"
            if row["h_starts_at"] <= now:
                return "hearing has started"
            if supersedable(row["kind"]):
                key = (row["hearing"], row["hearing_version"], row["contact"])
                if key in latest and latest[key] > row["send_at"]:
                    return "superseded by a later reminder"
        if row["kind"] != "help":
            policy = policies.setdefault(row["office"], office_policy(row["office_policy"]))
            if in_quiet_hours(now, row["timezone"], policy):
                return "overdue and now within quiet hours"
        return None

    async def _process(self, ids: list[int], now: datetime, stats: DispatchStats) -> None:
        rows = await self._load(ids)
        latest = await self._later_due(rows, now)
        policies: dict[int, Any] = {}
        texts: dict[tuple, Any] = {}
        outcomes: list[_Outcome] = []
        jobs: list[tuple[dict[str, Any], str, str, int]] = []
        cipher = crypto.cipher()
        for row in rows:
            base = dict(reminder_id=row["id"], contact_id=row["contact"],
                        survivor_id=row["survivor"], office_id=row["office"])
            reason = self._check(row, now, latest, policies)
            if reason is not None:
                outcomes.append(_Outcome(**base, status="skipped", reason=reason))
                continue
            office = {"name": row["office_name"], "sms_sender_name": row["office_sender"],
                      "phone": row["office_phone"], "country": row["office_country"]}
            key = (row["kind"], row["language"], row["timezone"], row["office"], row["court_name"],
                   row["h_starts_at"])
            try:
                rendered = texts.get(key)
                if rendered is None:
                    rendered = texts[key] = render_for(
                        row["kind"], row["language"], office=office, tz=row["timezone"],
                        court_name=row["court_name"], starts_at=row["h_starts_at"], now=now)
                phone = cipher.decrypt(row["phone_enc"], context="contact.phone")
            except Exception as exc:  # noqa: BLE001 - a bad row must not stop the batch
                outcomes.append(_Outcome(**base, status="failed",
                                         reason=f"could not prepare the message ({type(exc).__name__})"))
                continue
            jobs.append((base, phone or "", rendered.text, rendered.segments))
        if outcomes:
            await self._record(outcomes, now, stats)
        if not jobs:
            return

        limit = asyncio.Semaphore(self.concurrency)

        # The text was rendered at claim time: before every attempt (a retry after 429, or a
        # wait for a slot) the hearing and the consent are read again, so a stale date or a
        # withdrawn consent never goes out. One query refreshes the whole batch's state: for a
        # first attempt when it is older than ``recheck_after``, for a retry always.
        by_id = {r["id"]: r for r in rows}
        snapshot: dict[str, Any] = {"at": utcnow(), "rows": by_id}
        refreshing = asyncio.Lock()

        async def current_rows(force: bool) -> dict[int, dict[str, Any]]:
            asked = utcnow()
            async with refreshing:
                # A retry (rare: after 429 or 5xx) always reads a state newer than its wait.
                if snapshot["at"] < asked and (
                        force or asked - snapshot["at"] >= self.recheck_after):
                    fresh = await self._load(list(by_id))
                    snapshot["rows"], snapshot["at"] = {r["id"]: r for r in fresh}, utcnow()
            return snapshot["rows"]

        async def send(base: dict[str, Any], phone: str, text: str, segments: int) -> _Outcome:
            planned = by_id[base["reminder_id"]]

            async def before_attempt(attempt: int) -> str | None:
                if self._paused:
                    return PAUSED
                current = (await current_rows(attempt > 1)).get(base["reminder_id"])
                if current is None:
                    return "reminder no longer exists"
                if current["hearing"] is not None and (
                        current["h_starts_at"] != planned["h_starts_at"]
                        or current["court_name"] != planned["court_name"]):
                    return "hearing changed since this reminder was planned"
                return self._check(current, utcnow(), {}, policies)

            async with limit:
                try:
                    result = await self.gateway.send(phone, text, callback_url=self.callback_url,
                                                     before_attempt=before_attempt)
                except Exception as exc:  # noqa: BLE001 - recorded as a retryable failure
                    result = SendResult(None, "error", ok=False, retryable=True,
                                        error_code=type(exc).__name__, error_message="gateway error")
            return self._classify(base, result, segments, row_attempts.get(base["reminder_id"], 1))

        row_attempts = {r["id"]: r["attempts"] for r in rows}
        pending = {asyncio.create_task(send(*job)) for job in jobs}
        # Record outcomes every few milliseconds as they come, so a delivery report racing
        # the send finds the provider id, and a crash loses as little as possible.
        while pending:
            done, pending = await asyncio.wait(pending, timeout=self.flush_seconds)
            if done:
                await self._record([t.result() for t in done], utcnow(), stats)

    def _classify(self, base: dict[str, Any], result: SendResult, segments: int,
                  attempts: int) -> _Outcome:
        if result.ok:
            return _Outcome(**base, status="sent", result=result, segments=segments)
        if result.not_sent_reason == PAUSED or result.account_problem:
            if result.account_problem:
                self._paused = True
                self._account_problem = result
            # Put back unsent, this claim not counted: the number is not to blame.
            return _Outcome(**base, status="pending", result=None, released=True,
                            reason="sending paused: the SMS provider refused our account")
        if result.not_sent_reason is not None:
            return _Outcome(**base, status="skipped", reason=result.not_sent_reason)
        if result.unconfirmed:
            return _Outcome(**base, status="unconfirmed", result=result,
                            reason="the provider did not answer in time and the message was "
                                   "not found there; it may or may not have been sent")
        if result.opted_out:
            return _Outcome(**base, status="failed", result=result,
                            reason="recipient opted out at the provider; consent withdrawn")
        if result.retryable and attempts < MAX_CLAIMS:
            return _Outcome(**base, status="pending", result=result,
                            reason="provider unavailable; will retry",
                            retry_at=utcnow() + timedelta(minutes=2 ** attempts))
        reason = ("provider unavailable after retries" if result.retryable
                  else "provider refused the number")
        return _Outcome(**base, status="failed", result=result, reason=reason)

    async def _record(self, outcomes: list[_Outcome], now: datetime, stats: DispatchStats) -> None:
        problem = self._account_problem
        if problem is not None:
            self._account_problem = None
            await mark_gateway_degraded(self.gateway.name, problem, now)
        async with db.transaction():
            for o in outcomes:
                r = o.result
                changes: dict[Any, Any] = {
                    Reminder.status: o.status, Reminder.status_reason: o.reason,
                    Reminder.lease_owner: None, Reminder.lease_until: None, Reminder.updated_at: now,
                }
                if r is not None:
                    changes.update({
                        Reminder.provider: self.gateway.name,
                        Reminder.provider_status: (r.status or "")[:32] or None,
                        Reminder.error_code: (r.error_code or "")[:32] or None,
                        Reminder.error_message: r.error_message,
                    })
                if o.status == "sent":
                    assert r is not None  # _classify: a sent outcome carries its result
                    changes.update({Reminder.provider_message_id: r.provider_message_id,
                                    Reminder.sent_at: now, Reminder.segments: o.segments,
                                    Reminder.error_code: None, Reminder.error_message: None})
                    stats.sent += 1
                elif o.status == "pending" and o.released:
                    changes[Reminder.attempts] = Reminder.attempts - 1
                    stats.released += 1
                elif o.status == "pending":
                    changes[Reminder.send_at] = o.retry_at
                    stats.retrying += 1
                elif o.status == "unconfirmed":
                    stats.unconfirmed += 1
                    stats.note(o.reason or "")
                elif o.status == "skipped":
                    stats.skipped += 1
                    stats.note(o.reason or "")
                else:
                    stats.failed += 1
                    stats.note(o.reason or "")
                # Only the lease holder records: a row taken over (unconfirmed) stays so.
                await Reminder.update(changes).where(
                    (Reminder.id == o.reminder_id) & (Reminder.status == "sending")
                    & (Reminder.lease_owner == self.owner))
                if r is not None and r.opted_out:
                    await set_consent([o.contact_id], False, via=f"{self.gateway.name}_opt_out")
                elif o.status == "failed" and r is not None and not r.retryable:
                    await flag_phone(
                        o.contact_id, f"message failed: {r.error_message or r.error_code}", now)
                    await audit.record(None, "sms_failed", "reminder", o.reminder_id,
                                       office_id=o.office_id, detail={"error_code": r.error_code})


# ---------------------------------------------------------------- the gateway's health

PAUSED = "sending paused"
PROBE_BACKOFF = (timedelta(seconds=30), timedelta(minutes=15))


async def gateway_state(provider: str) -> dict[str, Any] | None:
    return await SmsGatewayState.select().where(SmsGatewayState.provider == provider).first()


async def mark_gateway_degraded(provider: str, result: SendResult, now: datetime) -> None:
    """The provider refused our account: pause every process's sending until a probe
    (one message, after a growing wait) is accepted again."""
    reason = (f"the SMS provider refused the account: {result.error_code or ''} "
              f"{result.error_message or result.status}").strip()[:200]
    async with db.transaction():
        state = await gateway_state(provider)
        failures = (state["failures"] if state and state["degraded_since"] else 0) + 1
        wait = min(PROBE_BACKOFF[1], PROBE_BACKOFF[0] * 2 ** (failures - 1))
        values = {"degraded_since": (state or {}).get("degraded_since") or now, "reason": reason,
                  "error_code": (result.error_code or "")[:32] or None, "failures": failures,
                  "next_try_at": now + wait, "updated_at": now}
        if state is None:
            await SmsGatewayState.insert(SmsGatewayState(provider=provider, **values)).on_conflict(
                action="DO NOTHING")
        else:
            await SmsGatewayState.update(
                {getattr(SmsGatewayState, k): v for k, v in values.items()}).where(
                SmsGatewayState.id == state["id"])
        if failures == 1:
            await audit.record(None, "sms_gateway_degraded", "sms_gateway", None,
                               detail={"provider": provider, "error_code": values["error_code"]})
    log.error("sms %s: sending paused, %s; next try in %s", provider, reason, wait)


async def mark_gateway_healthy(provider: str) -> None:
    now = utcnow()
    async with db.transaction():
        rows = await SmsGatewayState.update({
            SmsGatewayState.degraded_since: None, SmsGatewayState.reason: None,
            SmsGatewayState.error_code: None, SmsGatewayState.failures: 0,
            SmsGatewayState.next_try_at: None, SmsGatewayState.updated_at: now,
        }).where((SmsGatewayState.provider == provider)
                 & SmsGatewayState.degraded_since.is_not_null()).returning(SmsGatewayState.id)
        if rows:
            await audit.record(None, "sms_gateway_recovered", "sms_gateway", None,
                               detail={"provider": provider})
    log.warning("sms %s: the provider accepts messages again; sending resumed", provider)


async def gateway_health() -> dict[str, Any]:
    """What administrators and /health see: the configured provider and whether sending is
    paused (never a number, a name or a message)."""
    runtime = current()
    provider = runtime.gateway.name if runtime is not None else None
    rows = await SmsGatewayState.select().where(SmsGatewayState.degraded_since.is_not_null())
    degraded = [r for r in rows if provider is None or r["provider"] == provider]
    state = degraded[0] if degraded else None
    return {"provider": provider, "status": "degraded" if state else "ok",
            "degraded_since": state["degraded_since"] if state else None,
            "reason": state["reason"] if state else None,
            "next_try_at": state["next_try_at"] if state else None}


# ---------------------------------------------------------------- the running service

_runtime: Dispatcher | None = None


async def start(settings: Settings, gateway: SmsGateway | None = None) -> Dispatcher:
    """Build the gateway from the settings (app start); the tick below then uses it."""
    global _runtime
    _runtime = Dispatcher(gateway or build_gateway(settings), settings)
    # Tick at LEGAL_TRACKER_SCHEDULER_INTERVAL_SECONDS (only this job; others keep theirs).
    for index, job in enumerate(scheduler.TICK_JOBS):
        if job.name == TICK_NAME and settings.scheduler_interval_seconds > 0:
            scheduler.TICK_JOBS[index] = replace(job, seconds=settings.scheduler_interval_seconds)
    return _runtime


async def stop() -> None:
    global _runtime
    runtime, _runtime = _runtime, None
    if runtime is not None:
        await runtime.gateway.aclose()


def current() -> Dispatcher | None:
    return _runtime


TICK_NAME = "sms-dispatch"


async def tick() -> DispatchStats | None:
    if _runtime is None:
        return None
    return await _runtime.run_once()


def register_ticks() -> None:
    """Called by :func:`legal_tracker.bootstrap.bootstrap`, before any scheduler starts."""
    register_tick(TICK_NAME, 5.0)(tick)
