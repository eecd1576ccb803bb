"""The near-duplicate index (MinHash LSH) lives in process memory; at start it is rebuilt
from the normalised text of the items stored within the dedup window, oldest first (by sort
key, so within a batch in the order the items came), so the first item stays the original and
copies keep linking to it. Exact repeats never depend on it: the database enforces them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from services.monitoring.domain import BOUNDARY, DedupIndex
from services.monitoring.repositories.items import ItemsRepository

log = logging.getLogger(__name__)


def rebuild_dedup(items: ItemsRepository, window_seconds: float) -> DedupIndex:
    index = DedupIndex(window_seconds=window_seconds)
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    count = 0
    for recent in items.recent(since):
        tokens = recent.text.split(" ")
        body = tokens[tokens.index(BOUNDARY) + 1:] if BOUNDARY in tokens else tokens
        index.add(recent.id, body, url=recent.url, guid=recent.guid, seen_at=recent.seen_at)
        count += 1
    log.info("dedup index rebuilt", extra={"items": count})
    return index
