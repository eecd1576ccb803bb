"""Watched sources: the `sources` collection."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from services.contracts import monitoring
from services.monitoring.domain import POLLED_KINDS, Source
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import AggregateRepository

SOURCES = "sources"
FIELDS = tuple(f.name for f in dataclasses.fields(Source) if f.name != "id")


class SourcesRepository(InDatabase, AggregateRepository[Source]):
    collection = SOURCES
    stored_in = SOURCES
    indexes = (Index(SOURCES, "due", (("enabled", ASCENDING), ("next_poll_at", ASCENDING))),)

    def document_of(self, aggregate: Source) -> dict[str, Any]:
        return {"_id": aggregate.id, **{name: getattr(aggregate, name) for name in FIELDS}}

    def aggregate_of(self, document: Mapping[str, Any]) -> Source:
        # A field missing or null takes the aggregate's default (older documents).
        return Source(id=document["_id"], **{name: document[name] for name in FIELDS
                                             if document.get(name) is not None})

    def get(self, source_id: str) -> Source | None:
        """The source, to change it."""
        found = self._records.find_one({"_id": source_id})
        return None if found is None else self._loaded(found)

    def find(self, source_id: str) -> Source | None:
        """The source, to read it."""
        found = self._records.find_one({"_id": source_id})
        return None if found is None else self.aggregate_of(found)

    def by_ids(self, ids: Iterable[str | None]) -> dict[str, Source]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        return {d["_id"]: self.aggregate_of(d)
                for d in self._records.find({"_id": {"$in": wanted}})}

    def page(self, request: monitoring.ListSourcesRequest) -> tuple[list[Source], str | None]:
        query: dict[str, Any] = {}
        for name, value in (("kind", request.kind), ("collections", request.collection),
                            ("outlet_unit_id", request.outlet_unit_id)):
            if value:
                query[name] = value
        if request.healthy is not None:
            query["healthy"] = request.healthy
        if request.after:
            query["_id"] = {"$gt": request.after}
        rows = list(self._records.find(query).sort("_id", 1).limit(request.limit + 1))
        more = len(rows) > request.limit
        rows = rows[:request.limit]
        return [self.aggregate_of(d) for d in rows], rows[-1]["_id"] if more else None

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        """The most overdue polled sources no poller holds, on the `due` index (no `$or`,
        which SecantusDB answers with a collection scan)."""
        free = {"lease_until": {"$not": {"$gt": now}}}  # never leased, released or expired
        return [d["_id"] for d in self._records.find(
            {"enabled": True, "next_poll_at": {"$lte": now}, "kind": {"$in": list(POLLED_KINDS)},
             **free}, {"_id": 1}).sort("next_poll_at", 1).limit(limit)]

    def silence_candidates(self) -> list[Source]:
        """Healthy polled sources with a known rhythm, whose silence may be too long."""
        return [self.aggregate_of(d) for d in self._records.find({
            "enabled": True, "healthy": True, "kind": {"$in": list(POLLED_KINDS)},
            "typical_gap_seconds": {"$gt": 0}})]

    def unhealthy_count(self) -> int:
        return int(self._records.count_documents({"enabled": True, "healthy": False}))
