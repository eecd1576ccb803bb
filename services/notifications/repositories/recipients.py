"""The recipient directory: `recipients`, one document per unit (`_id` the unit id)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReplaceOne

from services.notifications.repositories.base import setting
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import Repository

RECIPIENTS = "recipients"
Document = dict[str, Any]


class RecipientsRepository(InDatabase, Repository):
    """Units as stored documents: the directory merges and shows them as they are."""

    stored_in = RECIPIENTS
    indexes = (Index(RECIPIENTS, "groups", (("groups", ASCENDING),)),)

    def find(self, unit_id: str) -> Document | None:
        return self._records.find_one({"_id": unit_id})

    def by_id(self, unit_ids: Iterable[str]) -> dict[str, Document]:
        return {d["_id"]: d for d in self._records.find({"_id": {"$in": list(unit_ids)}})}

    def local_group(self, group: str) -> list[Document]:
        """The members of a group defined here (units fetched from plans aside), by id."""
        return list(self._records.find({"groups": group, "source": {"$ne": "plans"}})
                    .sort("_id", 1))

    def page(self, group: str | None, after: str | None, limit: int) -> list[Document]:
        """Up to `limit` units by id after `after`, optionally one group's."""
        query: dict[str, Any] = {}
        if group:
            query["groups"] = group
        if after:
            query["_id"] = {"$gt": after}
        return list(self._records.find(query).sort("_id", 1).limit(limit))

    def webhook_secrets(self, unit_ids: list[str]) -> dict[str, Any]:
        if not unit_ids:
            return {}
        return {u["_id"]: u.get("webhook_secret") for u in self._records.find(
            {"_id": {"$in": unit_ids}}, {"webhook_secret": 1})}

    def replace(self, doc: Document) -> None:
        self._records.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def replace_many(self, docs: list[Document]) -> int:
        """Import: one bulk write for the whole list."""
        operations = [ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs]
        if operations:
            self._records.bulk_write(operations, ordered=False)
        return len(operations)

    def delete(self, unit_id: str) -> bool:
        return bool(self._records.delete_one({"_id": unit_id}).deleted_count)

    def set_preferences(self, unit_id: str, preferences: Document, at: datetime,
                        actor: str | None) -> None:
        self.queue(setting(RECIPIENTS, unit_id, {
            "preferences": preferences, "preferences_set_at": at,
            "preferences_set_by": actor}))
