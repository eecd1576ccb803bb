"""The credential cache of the gateway: a record is read from the database at most once per
`ttl_seconds`, a local change is seen at once, a change elsewhere within `ttl_seconds`."""

import asyncio

import pytest

from services.gateway.credentials import ExpiringCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Database:
    """A stand-in for the users collection that counts reads."""

    def __init__(self, **docs):
        self.docs = dict(docs)
        self.reads = 0

    async def load(self, key):
        self.reads += 1
        await asyncio.sleep(0)
        return self.docs.get(key)


def run(coro):
    return asyncio.run(coro)


def test_a_record_is_read_once_within_the_ttl_and_again_after_it():
    clock, db = Clock(), Database(u1={"active": True})
    cache = ExpiringCache(2.0, clock=clock)

    async def scenario():
        first = await cache.get("u1", db.load)
        clock.now += 1.9
        second = await cache.get("u1", db.load)
        assert db.reads == 1 and first == second == {"active": True}
        db.docs["u1"] = {"active": False}  # changed by another replica
        clock.now += 0.1  # the entry is now ttl_seconds old
        assert await cache.get("u1", db.load) == {"active": False}
        assert db.reads == 2

    run(scenario())


def test_invalidation_makes_the_next_read_go_to_the_database():
    clock, db = Clock(), Database(u1={"active": True})
    cache = ExpiringCache(5.0, clock=clock)

    async def scenario():
        await cache.get("u1", db.load)
        db.docs["u1"] = {"active": False}
        cache.invalidate("u1")
        assert await cache.get("u1", db.load) == {"active": False}
        assert db.reads == 2

    run(scenario())


def test_an_invalidation_during_a_read_is_not_undone_by_that_read():
    """A read that started before a write may return the old record to its own caller, but
    must not leave it in the cache for the requests that come after the write."""
    db = Database(u1={"active": True})
    cache = ExpiringCache(5.0, clock=Clock())

    async def scenario():
        read, release = asyncio.Event(), asyncio.Event()

        async def slow_load(key):
            doc = dict(db.docs[key])
            read.set()
            await release.wait()
            return doc

        stale = asyncio.ensure_future(cache.get("u1", slow_load))
        await read.wait()
        db.docs["u1"] = {"active": False}
        cache.invalidate("u1")
        release.set()
        assert await stale == {"active": True}
        assert await cache.get("u1", db.load) == {"active": False}

    run(scenario())


def test_concurrent_misses_share_one_read():
    db = Database(u1={"active": True})
    cache = ExpiringCache(2.0, clock=Clock())

    async def scenario():
        results = await asyncio.gather(*(cache.get("u1", db.load) for _ in range(50)))
        assert db.reads == 1 and all(r == {"active": True} for r in results)

    run(scenario())


def test_a_waiter_that_is_cancelled_does_not_cancel_the_shared_read():
    db = Database(u1={"active": True})
    cache = ExpiringCache(2.0, clock=Clock())

    async def scenario():
        first = asyncio.ensure_future(cache.get("u1", db.load))
        second = asyncio.ensure_future(cache.get("u1", db.load))
        await asyncio.sleep(0)
        first.cancel()
        assert await second == {"active": True}
        assert db.reads == 1

    run(scenario())


def test_absent_records_and_failed_reads_are_not_kept():
    db = Database()
    cache = ExpiringCache(2.0, clock=Clock())

    async def failing(key):
        raise ConnectionError("database down")

    async def scenario():
        assert await cache.get("nobody", db.load) is None
        assert await cache.get("nobody", db.load) is None
        assert db.reads == 2 and len(cache) == 0
        with pytest.raises(ConnectionError):
            await cache.get("u1", failing)
        db.docs["u1"] = {"active": True}
        assert await cache.get("u1", db.load) == {"active": True}

    run(scenario())


def test_the_cache_is_bounded_and_a_zero_ttl_disables_it():
    db = Database(**{f"u{i}": {"n": i} for i in range(10)})
    cache = ExpiringCache(2.0, max_entries=3, clock=Clock())
    off = ExpiringCache(0.0, clock=Clock())

    async def scenario():
        for i in range(10):
            await cache.get(f"u{i}", db.load)
        assert len(cache) == 3
        reads = db.reads
        await cache.get("u9", db.load)  # among the newest: kept
        assert db.reads == reads
        await cache.get("u0", db.load)  # the oldest went first
        assert db.reads == reads + 1
        await off.get("u1", db.load)
        await off.get("u1", db.load)
        assert db.reads == reads + 3 and len(off) == 0

    run(scenario())
