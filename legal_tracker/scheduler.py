"""APScheduler as a ticker only.

APScheduler 3.x runs every job in every process, so jobs here must be safe to run anywhere at
once: each tick claims its work in the database atomically (see the reminder dispatcher),
and the scheduler's own job store holds nothing that matters.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("legal_tracker.scheduler")


@dataclass(frozen=True, slots=True)
class TickJob:
    name: str
    func: Callable[[], Awaitable[object]]
    seconds: float


# Areas register their periodic work here from legal_tracker.bootstrap (e.g. the reminder
# dispatcher), before the scheduler starts.
TICK_JOBS: list[TickJob] = []


def register_tick(name: str, seconds: float) -> Callable[[Callable[[], Awaitable[object]]], Callable]:
    def decorator(func: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
        if all(job.name != name for job in TICK_JOBS):
            TICK_JOBS.append(TickJob(name, func, seconds))
        return func

    return decorator


def start_scheduler(interval_seconds: float | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in TICK_JOBS:
        scheduler.add_job(
            _guarded(job), "interval", seconds=interval_seconds or job.seconds, id=job.name,
            max_instances=1, coalesce=True, misfire_grace_time=None,
        )
    scheduler.start()
    return scheduler


def _guarded(job: TickJob) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job.func()
        except Exception:  # noqa: BLE001 - a failed tick must not stop the next one
            log.exception("tick %s failed", job.name)

    return run
