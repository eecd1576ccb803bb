"""The near-duplicate index's shared log (`dedup_log`): every replica appends the entries it
registers and reads the others', so each one's in-memory index holds what all of them have
seen. An entry's `_id` is its position in the log: two replicas that append at the same
position collide on the unique `_id`, and the one refused learns that its view was stale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bson.binary import Binary
from pymongo import ASCENDING
from pymongo.errors import BulkWriteError

from services.runtime.mongo import DUPLICATE_KEY
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import Repository

DEDUP_LOG = "dedup_log"


class DedupLogRepository(InDatabase, Repository):
    stored_in = DEDUP_LOG
    indexes = (Index(DEDUP_LOG, "seen_at", (("seen_at", ASCENDING),)),)  # trimming the tail

    def after(self, position: int) -> list[dict[str, Any]]:
        """The entries after this position, in log order, each with its `position`."""
        return [{**row, "position": row.pop("_id")}
                for row in self._records.find({"_id": {"$gt": position}}).sort("_id", 1)]

    def append(self, position: int, entries: Sequence[dict[str, Any]]) -> int:
        """Write the entries at `position`, `position + 1`, ... in order; returns how many
        were written before a position taken by another replica stopped the rest."""
        if not entries:
            return 0
        rows = [{**entry, "_id": position + offset, "signature": Binary(entry["signature"])}
                for offset, entry in enumerate(entries)]
        try:
            self._records.insert_many(rows, ordered=True)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if not errors or errors[0].get("code") != DUPLICATE_KEY:
                raise
            return int(errors[0]["index"])
        return len(rows)

    def trim(self, before: float) -> int:
        """Drop entries seen before this time (epoch seconds): past the dedup window."""
        return int(self._records.delete_many({"seen_at": {"$lt": before}}).deleted_count)

    def is_empty(self) -> bool:
        return self._records.find_one({}, {"_id": 1}) is None
