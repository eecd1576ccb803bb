"""The event log (`events`): every event once (`_id` its event id) under a sequence number
in arrival order (`counters`), whether it was fanned out to webhooks yet, and the bodies
that were not events (`rejected_events`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import BulkWriteError

from services.gateway.repositories.base import Collection, Doc, utc_now
from services.runtime.mongo import refused_as_duplicates

EVENTS = "events"
COUNTERS = "counters"
REJECTED_EVENTS = "rejected_events"


def event_filter(types: Sequence[str] | None = None, since: datetime | None = None,
                 until: datetime | None = None, subject: str | None = None,
                 ids: Sequence[str] | None = None) -> Doc:
    """Events of these types, in this time range, about this subject, with these ids."""
    query: Doc = {}
    if types:
        query["type"] = {"$in": list(types)}
    if since or until:
        query["time"] = {**({"$gte": since} if since else {}),
                         **({"$lte": until} if until else {})}
    if subject:
        query["subject"] = subject
    if ids is not None:
        query["_id"] = {"$in": list(ids)}
    return query


class EventLogRepository(Collection):
    name = EVENTS

    async def ensure_indexes(self) -> None:
        await self.records.create_index("seq", unique=True)
        await self.records.create_index("received_at")

    async def fan_out_state(self, event_ids: list[str]) -> dict[str, Doc]:
        """The events of `event_ids` logged already, with whether they were fanned out."""
        return {doc["_id"]: doc async for doc in self.records.find(
            {"_id": {"$in": event_ids}}, {"_id": 1, "fanned_out": 1})}

    async def add_in_order(self, docs: list[Doc]) -> list[Doc]:
        """Log the events (without `seq`) under consecutive sequence numbers in this order;
        returns those stored here (another replica may have stored some meanwhile)."""
        if not docs:
            return []
        counter = await self.db[COUNTERS].find_one_and_update(
            {"_id": EVENTS}, {"$inc": {"seq": len(docs)}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        assert counter is not None
        first = int(counter["seq"]) - len(docs) + 1
        docs = [{**doc, "seq": seq} for seq, doc in enumerate(docs, start=first)]
        try:
            await self.records.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            taken = {docs[i]["_id"] for i in refused_as_duplicates(exc)}
            docs = [doc for doc in docs if doc["_id"] not in taken]
        return docs

    async def by_ids(self, event_ids: list[str]) -> list[Doc]:
        return await self.records.find({"_id": {"$in": event_ids}}).to_list(None)

    async def mark_fanned_out(self, event_ids: list[str]) -> None:
        if event_ids:
            await self.records.update_many({"_id": {"$in": event_ids}},
                                           {"$set": {"fanned_out": True}})

    async def reject(self, body: bytes, error: str) -> None:
        """Keep what arrived that was not an event, for operators to read."""
        await self.db[REJECTED_EVENTS].insert_one(
            {"body": body[:10_000].decode("utf-8", "replace"), "error": error[:500],
             "received_at": utc_now()})

    async def after(self, seq: int, limit: int, query: Doc | None = None) -> list[Doc]:
        """Events after `seq` in log order (matching `query`, an `event_filter`)."""
        return await self.records.find({**(query or {}), "seq": {"$gt": seq}}) \
            .sort("seq", ASCENDING).limit(limit).to_list(limit)

    async def any_after(self, seq: int, query: Doc) -> bool:
        return await self.records.find_one({**query, "seq": {"$gt": seq}}, {"_id": 1}) \
            is not None

    async def first(self, query: Doc, limit: int) -> list[Doc]:
        """The first `limit` events matching `query`, in log order."""
        return await self.records.find(query).sort("seq", ASCENDING).limit(limit) \
            .to_list(limit)

    async def latest_seq(self) -> int:
        latest: list[Any] = await self.records.find({}, {"seq": 1}).sort("seq", DESCENDING) \
            .limit(1).to_list(1)
        return int(latest[0]["seq"]) if latest else 0

    async def purge_before(self, cutoff: datetime) -> int:
        events = await self.records.delete_many({"received_at": {"$lt": cutoff}})
        return int(events.deleted_count)
