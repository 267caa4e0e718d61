"""What every SMS gateway shares: the result type, retries with backoff, a rate limit."""

from __future__ import annotations

import abc
import asyncio
import logging
import random
import re
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx

logger = logging.getLogger("legal_tracker.reminders")

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


@dataclass(frozen=True, slots=True)
class SendResult:
    """Outcome of one send. ``ok`` means the provider accepted the message for delivery;
    ``retryable`` means a later attempt may succeed (rate limits, outages, network);
    ``opted_out`` means the recipient has blocked this sender (record as STOP)."""

    provider_message_id: str | None
    status: str
    ok: bool
    retryable: bool = False
    opted_out: bool = False
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 1
    # The provider refused our account (credentials, balance, sender id), not the number:
    # sending pauses; the number is not to blame.
    account_problem: bool = False
    # The provider did not answer in time and the message could not be found there: it may
    # or may not have gone out. Never retried automatically.
    unconfirmed: bool = False
    # Not sent: the caller's check before an attempt said no (the hearing changed...).
    not_sent_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter: delay_n = min(max, base * 2**n) * (1 - j*rand)."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        backoff = min(self.max_delay, self.base_delay * (2**retry_number))
        backoff *= 1 - self.jitter * random.random()
        if retry_after is not None:
            # Honour the provider's hint, but never wait longer than we are willing to.
            backoff = max(backoff, min(retry_after, self.max_delay))
        return max(0.0, backoff)


NO_RETRY = RetryPolicy(max_attempts=1)


class TokenBucket:
    """Rate limit shared by every send on one gateway instance.

    Reservation style: each caller takes a token (possibly going into debt) under a lock
    and then sleeps for its share, so concurrent senders are spaced evenly and the lock is
    never held across an await (which also keeps it usable from any event loop).
    """

    def __init__(self, rate_per_second: float, burst: int | None = None) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self.rate = float(rate_per_second)
        self.capacity = float(burst if burst is not None else max(1, int(rate_per_second)))
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return how long to wait before using it."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)


def mask_phone(number: str | None) -> str:
    """A phone number fit for logs: "+254712345678" -> "+2547•••••678"."""
    if not number:
        return "?"
    digits = number.strip()
    if len(digits) <= 6:
        return "•" * len(digits)
    head = 5 if len(digits) > 9 else 2
    return digits[:head] + "•" * (len(digits) - head - 3) + digits[-3:]


_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def scrub_phone_numbers(text: str | None) -> str | None:
    """Mask anything that looks like a phone number (providers echo the number in errors,
    and the error text ends up in the database and on staff screens)."""
    if text is None:
        return None
    return _PHONE_LIKE.sub(lambda m: mask_phone(re.sub(r"[^\d+]", "", m.group(0))), text)


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class SmsGateway(abc.ABC):
    """Common behaviour: one send = up to ``retry.max_attempts`` HTTP attempts.

    Subclasses implement ``_attempt`` (one HTTP exchange -> SendResult). Network errors
    and results marked ``retryable`` are retried with backoff. A read timeout is not: the
    message is looked up at the provider (``lookup``) and otherwise reported unconfirmed,
    so a family never gets the same text twice from a slow provider.
    """

    name: str = "abstract"

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_per_second: float | None = None,
        burst: int | None = None,
        max_concurrency: int = 6,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> None:
        self._client = client
        self._owns_client = client is None
        self._timeout = timeout
        self.retry = retry or RetryPolicy()
        self.bucket = TokenBucket(rate_per_second, burst) if rate_per_second else None
        self._sleep = sleep or asyncio.sleep
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _in_flight_limit(self) -> asyncio.Semaphore:
        # httpx's connection pool slows down sharply with many waiting requests; a few
        # requests in flight per gateway give the best throughput. asyncio primitives belong
        # to one event loop, so keep one per loop (tests and CLI runs may use several).
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.max_concurrency)
        return semaphore

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> SmsGateway:
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        await self.aclose()

    @abc.abstractmethod
    async def _attempt(
        self, to_e164: str, body: str, callback_url: str | None
    ) -> tuple[SendResult, float | None]:
        """One HTTP exchange: the result and an optional Retry-After hint in seconds."""

    async def lookup(self, to_e164: str, body: str, since: float) -> SendResult | None:
        """After a timeout: the message as the provider has it (sent since ``since``, a Unix
        time), or None when it cannot be found or the provider offers no way to look."""
        return None

    async def send(self, to_e164: str, body: str, *, callback_url: str | None = None,
                   before_attempt: Callable[[int], Awaitable[str | None]] | None = None,
                   ) -> SendResult:
        """Send with retries. ``before_attempt(attempt)`` runs before each HTTP attempt; a
        reason returned stops the send (``not_sent_reason``). A read or write timeout is never
        retried blindly: the message is looked up at the provider, and otherwise reported
        ``unconfirmed``."""
        if not body:
            raise ValueError("refusing to send an empty message")
        masked = mask_phone(to_e164)
        result: SendResult | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            if before_attempt is not None:
                reason = await before_attempt(attempt)
                if reason is not None:
                    return SendResult(None, "not_sent", ok=False, error_code="not_sent",
                                      not_sent_reason=reason, attempts=attempt - 1)
            if self.bucket is not None:
                await self.bucket.acquire()
            retry_after: float | None = None
            started = time.time()
            try:
                async with self._in_flight_limit():
                    result, retry_after = await self._attempt(to_e164, body, callback_url)
            except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
                # The request may have reached the provider: a retry could send it twice.
                try:
                    found = await self.lookup(to_e164, body, started - 5)
                except httpx.HTTPError:
                    found = None
                result = found or SendResult(
                    provider_message_id=None, status="unconfirmed", ok=False, unconfirmed=True,
                    error_code=type(exc).__name__,
                    error_message="the provider did not answer in time; the message may or "
                                  "may not have been sent")
                result = replace(result, attempts=attempt)
                break
            except httpx.TransportError as exc:
                # Connection refused/reset, DNS, timeouts: transient by nature.
                result = SendResult(
                    provider_message_id=None,
                    status="network_error",
                    ok=False,
                    retryable=True,
                    error_code=type(exc).__name__,
                    error_message=str(exc) or type(exc).__name__,
                )
            result = replace(result, attempts=attempt)
            if result.ok or not result.retryable or attempt == self.retry.max_attempts:
                break
            delay = self.retry.delay(attempt - 1, retry_after)
            logger.warning(
                "sms %s: attempt %d to %s failed (%s %s), retrying in %.2fs",
                self.name,
                attempt,
                masked,
                result.status,
                result.error_code,
                delay,
            )
            await self._sleep(delay)
        assert result is not None
        if result.error_message:
            result = replace(result, error_message=scrub_phone_numbers(result.error_message))
        log = logger.info if result.ok else logger.warning
        log(
            "sms %s: to %s ok=%s status=%s id=%s error=%s attempts=%d opted_out=%s",
            self.name,
            masked,
            result.ok,
            result.status,
            result.provider_message_id,
            result.error_code,
            result.attempts,
            result.opted_out,
        )
        return result
