"""Listing keys and pages: newest first, by a sort key that begins with the time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from services.runtime.staged_events import time_key


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
