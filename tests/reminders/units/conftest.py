from __future__ import annotations

from collections.abc import Iterator

import pytest

from legal_tracker.reminders.gateways import RetryPolicy
from tests.reminders.units.fake_gateway import FakeSmsServer

# Retries without waiting, so failure-path tests stay fast.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0, jitter=0.0)


@pytest.fixture
def fake_sms() -> Iterator[FakeSmsServer]:
    with FakeSmsServer() as server:
        yield server


@pytest.fixture
def fast_retry() -> RetryPolicy:
    return FAST_RETRY
