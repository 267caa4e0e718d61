"""One rate limiter for the whole service (logins per client address, feed requests per
token), counted where every app server sees the same numbers (issue 15): in the database, or
in Redis when ``LEGAL_TRACKER_REDIS_URL`` is set. Three processes allow what one would.

The count is a sliding-window estimate over two fixed one-minute windows (the approach of
Cloudflare's and nginx's limiters): ``hits_this_window + hits_last_window × (share of the
last window still inside the past 60 s)``. Each check is one atomic increment (an
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` or a Redis ``INCR``) and one read of the
previous window, so two servers counting at the same moment never lose a hit.

Keys are stored as SHA-256 digests: the table never holds a client address or a token.
"""

from __future__ import annotations

import hashlib
import math
import random
import sqlite3
import threading
import time
from typing import Any, Protocol

from legal_tracker import db
from legal_tracker.errors import TooManyRequests

WINDOW_SECONDS = 60
# A check deletes finished windows now and then, so the table stays a few rows per active key.
PRUNE_PROBABILITY = 0.01


class Counter(Protocol):
    async def hit(self, bucket: str, key: str, window: int) -> tuple[int, int]:
        """Count one hit in ``window``; answer (hits in this window, hits in the one before)."""
        ...

    async def aclose(self) -> None: ...


_UPSERT = ("INSERT INTO rate_limit_hit (bucket, key_digest, window_start, hits) "
           "VALUES ({0}, {0}, {0}, 1) ON CONFLICT (bucket, key_digest, window_start) "
           "DO UPDATE SET hits = rate_limit_hit.hits + 1 RETURNING hits")
_PREVIOUS = ("SELECT hits FROM rate_limit_hit WHERE bucket = {0} AND key_digest = {0} "
             "AND window_start = {0}")
_PRUNE = "DELETE FROM rate_limit_hit WHERE window_start < {0}"


class DatabaseCounter:
    """Counts in the ``rate_limit_hit`` table (m0642), on whichever engine is configured.

    On SQLite every check is a write, and Piccolo opens a connection per query and commits
    with a sync: tens of milliseconds on a busy disk, on every feed poll. So SQLite gets one
    connection of its own (in a worker thread, never blocking the event loop) with
    ``synchronous=NORMAL``: in WAL mode a commit then needs no fsync (the database stays
    consistent; a power cut may forget the last few counts, which only matters to an attacker
    who also controls the power)."""

    def __init__(self) -> None:
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_path: str | None = None
        self._lock = threading.Lock()

    async def hit(self, bucket: str, key: str, window: int) -> tuple[int, int]:
        prune = random.random() < PRUNE_PROBABILITY  # noqa: S311 - housekeeping, not security
        if db.is_sqlite():
            import anyio.to_thread

            path = db.engine().path  # type: ignore[attr-defined]
            return await anyio.to_thread.run_sync(self._sqlite_hit, path, bucket, key, window, prune)
        rows = await db.execute(_UPSERT.format("{}"), bucket, key, window)
        previous = await db.execute(_PREVIOUS.format("{}"), bucket, key, window - WINDOW_SECONDS)
        if prune:
            await db.execute(_PRUNE.format("{}"), window - WINDOW_SECONDS)
        return int(rows[0]["hits"]), int(previous[0]["hits"]) if previous else 0

    def _sqlite_hit(self, path: str, bucket: str, key: str, window: int,
                    prune: bool) -> tuple[int, int]:
        with self._lock:
            if self._sqlite is None or self._sqlite_path != path:
                if self._sqlite is not None:
                    self._sqlite.close()
                self._sqlite = sqlite3.connect(path, timeout=db.SQLITE_TIMEOUT_SECONDS,
                                               isolation_level=None, check_same_thread=False)
                self._sqlite.execute("PRAGMA synchronous=NORMAL")
                self._sqlite_path = path
            conn = self._sqlite
            current = conn.execute(_UPSERT.format("?"), (bucket, key, window)).fetchone()[0]
            previous = conn.execute(_PREVIOUS.format("?"),
                                    (bucket, key, window - WINDOW_SECONDS)).fetchone()
            if prune:
                conn.execute(_PRUNE.format("?"), (window - WINDOW_SECONDS,))
        return int(current), int(previous[0]) if previous else 0

    async def aclose(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None


class RedisCounter:
    """Counts in Redis: one key per (bucket, key, window), expiring after two windows."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis  # imported only when Redis is configured

        self._redis: Any = redis.from_url(url)

    async def hit(self, bucket: str, key: str, window: int) -> tuple[int, int]:
        name = f"legal_tracker:rate:{bucket}:{key}:"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name + str(window))
            pipe.expire(name + str(window), 2 * WINDOW_SECONDS + 5)
            pipe.get(name + str(window - WINDOW_SECONDS))
            current, _, previous = await pipe.execute()
        return int(current), int(previous or 0)

    async def aclose(self) -> None:
        await self._redis.aclose()


def make_counter(redis_url: str | None) -> Counter:
    return RedisCounter(redis_url) if redis_url else DatabaseCounter()


class RateLimiter:
    """At most ``per_minute`` checks per key in any 60 seconds, across every process sharing
    the counter; a check over the limit raises :class:`TooManyRequests` with a retry delay."""

    def __init__(self, bucket: str, per_minute: int, counter: Counter, message: str,
                 clock: Any = time.time) -> None:
        self.bucket = bucket
        self.per_minute = per_minute
        self.counter = counter
        self.message = message
        self._clock = clock

    async def check(self, key: str) -> None:
        now = self._clock()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        digest = hashlib.sha256(f"{self.bucket}\x00{key}".encode()).hexdigest()
        current, previous = await self.counter.hit(self.bucket, digest, window)
        elapsed = now - window
        estimate = current + previous * (WINDOW_SECONDS - elapsed) / WINDOW_SECONDS
        if estimate > self.per_minute:
            # When the previous window's weight has faded enough (or this window ends).
            if previous and current <= self.per_minute:
                wait = elapsed_needed(current, previous, self.per_minute) - elapsed
            else:
                wait = WINDOW_SECONDS - elapsed
            raise TooManyRequests(self.message, max(1, math.ceil(wait)))


def elapsed_needed(current: int, previous: int, limit: int) -> float:
    """Seconds into the window at which ``current + previous × (1 − t/60)`` reaches ``limit``."""
    return WINDOW_SECONDS * (1 - (limit - current) / previous)
