"""Rate limits shared by every gateway replica (sliding window counters in Redis, through the
`limits` library), or kept in this process for a single instance (`memory://`).

Why a shared store: Kubernetes runs two gateways or more, and a budget kept in each process
lets a caller spend it once per replica. One check is one Redis round trip (a Lua script that
counts and decides atomically), awaited on the event loop.

Why fail open: the limiter guards the platform against floods, it is not what authenticates
anyone. When Redis does not answer within `timeout_ms`, this replica falls back to its own
in-process counters (so every replica still enforces the budget on its own, as before Redis),
logs it, counts it (`campaign_gateway_rate_limit_storage_errors_total`) and tries Redis again
after `RETRY_SECONDS`. Nobody is locked out by a Redis outage; the budget is at most
replicas x limit until Redis is back.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

from services.gateway.metrics import RATE_LIMIT_STORAGE_ERRORS

log = logging.getLogger(__name__)

MEMORY = "memory://"
SHARED_SCHEMES = ("redis://", "rediss://")
RETRY_SECONDS = 5.0


class RateLimiter:
    """`per_minute` requests per key over a sliding minute; shared when the storage is
    Redis. `hit` consumes, `blocked` only looks (for budgets spent by failures)."""

    def __init__(self, storage_uri: str = MEMORY, key_prefix: str = "gateway",
                 timeout_ms: int = 250) -> None:
        self._local = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared: SlidingWindowCounterRateLimiter | None = None
        self._storage: RedisStorage | None = None
        if storage_uri != MEMORY:
            timeout = timeout_ms / 1000
            self._storage = RedisStorage(
                f"async+{storage_uri}", implementation="redispy", wrap_exceptions=True,
                key_prefix=f"{key_prefix}:rate", socket_timeout=timeout,
                socket_connect_timeout=timeout)
            self._shared = SlidingWindowCounterRateLimiter(self._storage)
        self._shared_down_until = 0.0
        self._items: dict[int, RateLimitItem] = {}

    @property
    def shared(self) -> bool:
        return self._shared is not None

    async def hit(self, key: str, per_minute: int) -> float:
        """Count one request; 0 if it is within the budget, else seconds to wait."""
        return await self._check(key, per_minute, count=True)

    async def blocked(self, key: str, per_minute: int) -> float:
        """Seconds until `key` may be counted again (0: not blocked), counting nothing."""
        return await self._check(key, per_minute, count=False)

    async def _check(self, key: str, per_minute: int, count: bool) -> float:
        item = self._item(per_minute)
        limiter = self._limiter()
        try:
            allowed = await (limiter.hit(item, key) if count else limiter.test(item, key))
            if allowed:
                return 0.0
            return await self._wait(limiter, item, key)
        except (StorageError, OSError, TimeoutError) as exc:
            self._storage_failed(limiter, exc)
            return await self._check(key, per_minute, count)

    async def close(self) -> None:
        if self._storage is not None:
            bridge: Any = self._storage.bridge  # the redis-py bridge: one client, one pool
            await bridge.get_connection().aclose()

    def _item(self, per_minute: int) -> RateLimitItem:
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        return item

    def _limiter(self) -> SlidingWindowCounterRateLimiter:
        if self._shared is not None and time.monotonic() >= self._shared_down_until:
            return self._shared
        return self._local

    @staticmethod
    async def _wait(limiter: SlidingWindowCounterRateLimiter, item: RateLimitItem,
                    key: str) -> float:
        # A second round trip, only on the refused path.
        stats = await limiter.get_window_stats(item, key)
        return float(max(1, math.ceil(stats.reset_time - time.time())))

    def _storage_failed(self, limiter: SlidingWindowCounterRateLimiter,
                        exc: BaseException) -> None:
        if limiter is self._local:
            raise exc  # the in-process storage itself failed: nothing to fall back to
        RATE_LIMIT_STORAGE_ERRORS.inc()
        if time.monotonic() < self._shared_down_until:
            return  # another request already switched over (and logged it)
        self._shared_down_until = time.monotonic() + RETRY_SECONDS
        log.warning("rate limit storage unavailable: this replica limits on its own for "
                    f"{RETRY_SECONDS:.0f} s", extra={"error": type(exc).__name__})
