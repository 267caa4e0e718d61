"""One rate limiter, counted where every app server sees it (issue 15): three processes allow
what one would, in the database and in Redis; behind a trusted reverse proxy each client has
its own bucket, and nobody else can choose theirs with X-Forwarded-For."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.app import create_app
from legal_tracker import db
from legal_tracker.errors import TooManyRequests
from legal_tracker.rate_limit import DatabaseCounter, RateLimiter, RedisCounter
from tests.platform.servers import serving

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _counter(kind: str):
    if kind == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        return RedisCounter(REDIS_URL)
    return DatabaseCounter()


@pytest.mark.parametrize("kind", ["database", "redis"])
async def test_three_limiters_sharing_a_counter_allow_what_one_would(database, kind):
    counter = await _counter(kind)
    clock = Clock(1_800_000_000.0)  # the start of a window
    bucket = f"t{uuid.uuid4().hex[:8]}"  # Redis outlives the test database
    limiters = [RateLimiter(bucket, 5, counter, "slow down", clock) for _ in range(3)]
    allowed = 0
    for i in range(15):
        try:
            await limiters[i % 3].check("203.0.113.9")
            allowed += 1
        except TooManyRequests as exc:
            assert exc.retry_after_seconds == 60  # the window has just begun
    assert allowed == 5
    await limiters[0].check("198.51.100.1")  # another key has its own count
    # Half-way through the next window, last window's 15 hits weigh 7.5: still refused...
    clock.now += 90
    with pytest.raises(TooManyRequests) as refused:
        await limiters[1].check("203.0.113.9")
    assert 0 < refused.value.retry_after_seconds <= 30
    # ...and two windows later everything has faded.
    clock.now += 60
    for limiter in limiters:
        await limiter.check("203.0.113.9")
    await counter.aclose()


async def test_the_database_holds_no_client_address(database):
    limiter = RateLimiter("login", 5, DatabaseCounter(), "slow down")
    await limiter.check("203.0.113.9")
    rows = await db.execute("SELECT bucket, key_digest, hits FROM rate_limit_hit")
    assert [(r["bucket"], r["hits"]) for r in rows] == [("login", 1)]
    assert "203.0.113" not in rows[0]["key_digest"]


@pytest.mark.parametrize("kind", ["database", "redis"])
async def test_three_server_processes_share_the_login_limit(database, tmp_path, kind):
    extra = {"login_rate_per_minute": "4"}
    if kind == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        await _flush_login_counts()
        extra["redis_url"] = REDIS_URL
    with serving(database.database_url, tmp_path, 3, **extra) as servers:
        codes = []
        async with httpx.AsyncClient() as client:
            for i in range(9):
                response = await client.post(
                    servers[i % 3].url + "/api/auth/login",
                    json={"email": "nobody@example.org", "password": "wrong wrong"})
                codes.append(response.status_code)
    assert codes == [401] * 4 + [429] * 5


async def _flush_login_counts() -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    async for key in client.scan_iter("legal_tracker:rate:login:*"):
        await client.delete(key)
    await client.aclose()


async def _login_codes(app, peer: str, forwarded: str | None, times: int) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        return [(await c.post("/api/auth/login", headers=headers,
                              json={"email": "x@example.org", "password": "nope nope"})).status_code
                for _ in range(times)]


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(database):
    settings = database.with_overrides(login_rate_per_minute=2, trusted_proxies=("10.0.0.0/8",))
    app = create_app(settings, manage_database=False)
    proxy = "10.1.2.3"
    # Two clients behind the proxy: two buckets, not one shared by everyone.
    assert await _login_codes(app, proxy, "203.0.113.5", 3) == [401, 401, 429]
    assert await _login_codes(app, proxy, "203.0.113.6", 2) == [401, 401]
    # A client cannot escape its bucket by writing its own X-Forwarded-For in front.
    assert await _login_codes(app, proxy, "198.51.100.77, 203.0.113.5", 1) == [429]
    # A peer that is not a trusted proxy is counted by its own address, whatever it claims.
    assert await _login_codes(app, "192.0.2.50", "198.51.100.1", 2) == [401, 401]
    assert await _login_codes(app, "192.0.2.50", "198.51.100.2", 1) == [429]


async def test_without_trusted_proxies_forwarded_headers_are_ignored(database):
    app = create_app(database.with_overrides(login_rate_per_minute=2), manage_database=False)
    assert await _login_codes(app, "192.0.2.60", "198.51.100.1", 2) == [401, 401]
    assert await _login_codes(app, "192.0.2.60", "198.51.100.2", 1) == [429]
