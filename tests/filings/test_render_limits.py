"""Renders at once are bounded (issue 16 item 15): runaway templates cannot take every worker
thread; the rest wait their turn and the event loop keeps answering."""

from __future__ import annotations

import threading
import time

import anyio

import documents.service as documents_service
from documents.demo import DEMO_FIELDS


async def test_concurrent_drafts_wait_for_a_render_slot(drafting, monkeypatch):
    active = 0
    most = 0
    lock = threading.Lock()
    real = documents_service.render_filing

    def slow_render(*args, **kwargs):
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.3)
            return real(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(documents_service, "render_filing", slow_render)
    key = "accompaniment_report"
    statuses: list[int] = []

    async def draft() -> None:
        response = await drafting.draft(key, DEMO_FIELDS[key], hearing_id=drafting.hearing["id"])
        statuses.append(response.status_code)

    async with anyio.create_task_group() as group:
        for _ in range(6):
            group.start_soon(draft)
    assert statuses == [201] * 6
    assert most == documents_service.RENDER_CONCURRENCY
