"""The gateway's own data in MongoDB (`<DB_PREFIX>gateway`): users, API keys, webhook
subscriptions and deliveries, and the event log. These modules are the only gateway code
that knows collections and query syntax; routers and the event consumer call their named
methods."""

from __future__ import annotations

from datetime import datetime

from pymongo import AsyncMongoClient

from services.gateway.repositories.api_keys import ApiKeysRepository
from services.gateway.repositories.base import Doc, Taken, new_id, public, utc_now
from services.gateway.repositories.event_log import EventLogRepository, event_filter
from services.gateway.repositories.subscriptions import (
    OwnerNoticesRepository,
    SubscriptionsRepository,
)
from services.gateway.repositories.users import UsersRepository
from services.gateway.repositories.webhook_deliveries import WebhookDeliveriesRepository

__all__ = ["Doc", "Store", "Taken", "event_filter", "new_id", "public", "utc_now"]


class Store:
    """The gateway's database and its repositories, one per process."""

    def __init__(self, uri: str, database: str, timeout_ms: int = 5000,
                 credential_ttl_seconds: float = 0.0) -> None:
        # A database that is down fails a request after `timeout_ms` (503); one that stalls
        # mid-answer, after the socket timeout: no request waits on it for ever.
        self.client: AsyncMongoClient[Doc] = AsyncMongoClient(
            uri, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
            socketTimeoutMS=max(10_000, timeout_ms), maxPoolSize=50)
        db = self.client[database]
        self.users = UsersRepository(db, credential_ttl_seconds)
        self.api_keys = ApiKeysRepository(db, credential_ttl_seconds)
        self.subscriptions = SubscriptionsRepository(db)
        self.owner_notices = OwnerNoticesRepository(db)
        self.deliveries = WebhookDeliveriesRepository(db)
        self.events = EventLogRepository(db)

    async def close(self) -> None:
        await self.client.close()

    async def ensure_indexes(self) -> None:
        await self.users.ensure_indexes()
        await self.subscriptions.ensure_indexes()
        await self.deliveries.ensure_indexes()
        await self.events.ensure_indexes()

    async def purge_before(self, cutoff: datetime) -> int:
        """Events received before `cutoff` and the settled deliveries made before it; returns
        how many events went."""
        removed = await self.events.purge_before(cutoff)
        await self.deliveries.purge_settled_before(cutoff)
        return removed
