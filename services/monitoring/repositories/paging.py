"""Listing keys and pages: newest first, by a sort key that begins with the time; and the
repository base of the aggregates listed so (alerts, labels)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from services.runtime.mongo_repository import InDatabase
from services.runtime.staged_events import time_key
from services.runtime.unit_of_work import A, AggregateRepository

# The events a document carries (`_outbox`) are the relay's to publish, never a reader's.
HIDDEN = {"_outbox": 0}


def sort_key(moment: datetime, ident: str, arrival: int | None = None) -> str:
    """Newest-first listing key; `arrival` (the position in a batch, whose items share one
    fetch time) keeps a batch's items in the order they came."""
    if arrival is None:
        return f"{time_key(moment)}:{ident}"
    return f"{time_key(moment)}:{arrival:05d}:{ident}"


def newest_first(records: Collection[dict[str, Any]], query: Mapping[str, Any],
                 after: str | None, limit: int, projection: Mapping[str, Any] | None = None,
                 ) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the documents matching `query`, newest first by `sort_key` from the cursor
    `after` on, and the cursor of the next page (None on the last)."""
    if after:
        query = {**query, "sort_key": {"$lt": after}}
    rows = list(records.find(query, projection).sort("sort_key", -1).limit(limit + 1))
    if len(rows) > limit:
        return rows[:limit], str(rows[limit - 1]["sort_key"])
    return rows, None


def filters(*conditions: tuple[str, Any]) -> dict[str, Any]:
    """A listing's query from its (field, value) conditions: each one asked for, that is whose
    value is neither None nor empty (False is asked for)."""
    return {name: value for name, value in conditions if value is not None and value != ""}


class ListedNewestFirst(InDatabase, AggregateRepository[A]):
    """Aggregates whose documents carry their events and list newest first by `sort_key`."""

    def get(self, key: str) -> A | None:
        found = self._records.find_one({"_id": key}, HIDDEN)
        return None if found is None else self._loaded(found)

    def _newest_first(self, query: Mapping[str, Any], after: str | None, limit: int
                      ) -> tuple[list[A], str | None]:
        rows, cursor = newest_first(self._records, query, after, limit, HIDDEN)
        return [self.aggregate_of(d) for d in rows], cursor
