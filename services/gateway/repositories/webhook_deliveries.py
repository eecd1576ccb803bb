"""Webhook deliveries (`deliveries`): one per (subscription, event), or a new id for a
replay; `pending` until delivered or failed."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING

from services.gateway.repositories.base import Collection, Doc, matching

DELIVERIES = "deliveries"
PENDING = "pending"


class WebhookDeliveriesRepository(Collection):
    name = DELIVERIES

    async def ensure_indexes(self) -> None:
        await self.records.create_index([("subscription_id", ASCENDING), ("_id", ASCENDING)])
        await self.records.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])

    async def add(self, docs: list[Doc]) -> None:
        if docs:
            await self.records.insert_many(docs, ordered=False)

    async def change(self, delivery_id: str, changes: Doc) -> None:
        await self.records.update_one({"_id": delivery_id}, {"$set": changes})

    async def pending(self, limit: int = 10_000) -> list[Doc]:
        return await self.records.find({"status": PENDING}).sort("_id", ASCENDING) \
            .limit(limit).to_list(limit)

    async def listed(self, subscription_id: str, status: str | None, event_id: str | None,
                     after: str | None, limit: int) -> tuple[list[Doc], str | None]:
        return await self.page(matching(subscription_id=subscription_id, status=status,
                                        event_id=event_id), after, limit)

    async def event_ids(self, delivery_ids: list[str], subscription_id: str) -> list[str]:
        """The events the subscription's deliveries among `delivery_ids` carried."""
        found = await self.records.find(
            {"_id": {"$in": delivery_ids}, "subscription_id": subscription_id},
            {"event_id": 1}).to_list(None)
        return [d["event_id"] for d in found]

    async def purge_settled_before(self, cutoff: datetime) -> None:
        await self.records.delete_many({"created_at": {"$lt": cutoff},
                                        "status": {"$ne": PENDING}})
