"""Listing keys and pages: newest first, by a sort key that begins with the time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.runtime.staged_events import time_key


def sort_key(moment: datetime, ident: str, arrival: int | None = None) -> str:
    """Newest-first listing key; `arrival` (the position in a batch, whose items share one
    fetch time) keeps a batch's items in the order they came."""
    if arrival is None:
        return f"{time_key(moment)}:{ident}"
    return f"{time_key(moment)}:{arrival:05d}:{ident}"


def page_of(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """A page of rows read with one more than `limit`, and the cursor of the next."""
    if len(rows) > limit:
        return rows[:limit], str(rows[limit - 1]["sort_key"])
    return rows, None
