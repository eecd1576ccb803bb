"""Webhook subscriptions (`subscriptions`) and what their owners are told about them
(`owner_notices`)."""

from __future__ import annotations

from pymongo import ReturnDocument

from services.gateway.repositories.base import Collection, Doc, matching, new_id, utc_now

SUBSCRIPTIONS = "subscriptions"
OWNER_NOTICES = "owner_notices"


class SubscriptionsRepository(Collection):
    name = SUBSCRIPTIONS

    async def ensure_indexes(self) -> None:
        await self.records.create_index("owner_id")

    async def add(self, fields: Doc) -> Doc:
        doc = {"_id": new_id(), "created_at": utc_now(), "active": True, "failure_streak": 0,
               "disabled_reason": None, "disabled_at": None, **fields}
        await self.records.insert_one(doc)
        return doc

    async def listed(self, owner_id: str | None, active: bool | None, after: str | None,
                     limit: int) -> tuple[list[Doc], str | None]:
        return await self.page(matching(owner_id=owner_id, active=active), after, limit)

    async def active(self) -> list[Doc]:
        return await self.records.find({"active": True}).to_list(None)

    async def change(self, sub_id: str, changes: Doc) -> Doc | None:
        """The subscription with `changes` set; None when it does not exist."""
        return await self._update(sub_id, {"$set": changes})

    async def count_failure(self, sub_id: str) -> int:
        """One more failed attempt in a row; returns the streak."""
        updated = await self._update(sub_id, {"$inc": {"failure_streak": 1}})
        return int((updated or {}).get("failure_streak", 0))

    async def disable(self, sub_id: str, reason: str) -> Doc | None:
        """Disable an active subscription; None when it was not active (another replica
        disabled it first), so its owner is told once."""
        return await self.records.find_one_and_update(
            {"_id": sub_id, "active": True},
            {"$set": {"active": False, "disabled_reason": reason, "disabled_at": utc_now()}})

    async def delete(self, sub_id: str) -> bool:
        result = await self.records.delete_one({"_id": sub_id})
        return bool(result.deleted_count)

    async def _update(self, sub_id: str, update: Doc) -> Doc | None:
        return await self.records.find_one_and_update(
            {"_id": sub_id}, update, return_document=ReturnDocument.AFTER)


class OwnerNoticesRepository(Collection):
    name = OWNER_NOTICES

    async def add(self, fields: Doc) -> Doc:
        notice = {"_id": new_id(), "created_at": utc_now(), "read": False, **fields}
        await self.records.insert_one(notice)
        return notice
