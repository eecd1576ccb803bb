"""A short-lived cache of the credential records that authentication reads on every request
(users by id, API keys by key id), so an authenticated request costs no database round trip.

Why a time limit and not invalidation alone: several gateway replicas share the database. A
change made through this process (deactivation, role or unit change, key revocation) drops
the entry here as soon as it is written; a change made anywhere else (another replica, the
CLI, the database by hand) is seen when the copy expires, at most `ttl_seconds` later. That
bound is the revocation delay the gateway documents (`AUTH_CACHE_SECONDS`, at most 5 s).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ExpiringCache(Generic[K, V]):
    """Values loaded at most `ttl_seconds` ago, at most `max_entries` of them (the oldest
    go first). Concurrent misses on one key share one load, so an expiry under load costs
    one database read, not one per waiting request. Absent values (None) and failed loads
    are not kept: unknown keys cannot fill the cache."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[K, tuple[float, asyncio.Future[V | None]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: K, load: Callable[[K], Awaitable[V | None]]) -> V | None:
        if self.ttl_seconds <= 0:
            return await load(key)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.ttl_seconds:
            loading = entry[1]
            if loading.done():
                return loading.result()
            # Another request is loading this key: wait for it without letting our own
            # cancellation (a client that went away) cancel the shared load.
            return await asyncio.shield(loading)
        loading = asyncio.ensure_future(load(key))
        self._entries.pop(key, None)
        self._entries[key] = (now, loading)
        while len(self._entries) > self.max_entries:
            del self._entries[next(iter(self._entries))]
        loading.add_done_callback(lambda done: self._forget_unless_kept(key, done))
        return await asyncio.shield(loading)

    def invalidate(self, key: K) -> None:
        """Forget `key`: the next request reads the database. Call it after the write."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def _forget_unless_kept(self, key: K, done: asyncio.Future[V | None]) -> None:
        if done.cancelled() or done.exception() is not None or done.result() is None:
            entry = self._entries.get(key)
            if entry is not None and entry[1] is done:
                del self._entries[key]
