"""Ingestion of items in batches (see runtime.py): the per-process pipeline and caches, the
chunked writes with their staged events, counters and alerts."""

from services.monitoring.ingestion.batches import (
    TAIL_CHUNKS,
    WRITE_CHUNK,
    BatchOutcome,
    item_id_for,
    raw_from_push,
    write_chunks,
)
from services.monitoring.ingestion.runtime import Ingestion

__all__ = ["TAIL_CHUNKS", "WRITE_CHUNK", "BatchOutcome", "Ingestion", "item_id_for",
           "raw_from_push", "write_chunks"]
