"""Writing a batch chunk by chunk: each chunk's staged events document first, then its items
(one `insert_many`), then its events published directly or handed to the outbox relay
(services/runtime/staged_events.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.monitoring.ingestion.batches import Candidate, ChunkWritten
from services.monitoring.repositories.items import ItemsRepository, item_events
from services.runtime.staged_events import STAGED_GRACE_SECONDS, Publish, StagedEvents


class ChunkWriter:
    def __init__(self, items: ItemsRepository, publish: Publish | None = None) -> None:
        """`publish`: the direct path for item events; without it they take the outbox."""
        self.items = items
        self.staged: StagedEvents = items.staged_events(publish)

    def stage(self, chunks: Sequence[Sequence[Candidate]], now: datetime,
              cid: str | None) -> list[str]:
        """One staged events document per chunk, written before any of its items."""
        return self.staged.stage([[candidate.ident for candidate in chunk] for chunk in chunks],
                                 now, cid)

    def write(self, events_id: str, documents: list[dict[str, Any]],
              cid: str | None) -> ChunkWritten:
        """Store a chunk's items, then announce them; says which ids were refused as already
        stored (by another worker or replica meanwhile)."""
        refused = self.items.insert_chunk(documents)
        events = [event for doc in documents if doc["_id"] not in refused
                  for event in item_events(doc, cid)]
        return ChunkWritten(refused, via_outbox=self.staged.settle(events_id, events))

    def release_staged_events(self, now: datetime | None = None,
                              grace_seconds: float = STAGED_GRACE_SECONDS) -> int:
        """Events of batches whose worker died mid-write (the recovery sweep)."""
        return self.staged.sweep(now, grace_seconds)
