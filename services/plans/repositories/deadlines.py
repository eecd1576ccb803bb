"""Deadline alerts (one small document per task, period and kind, with its event) and the
tasks' watch lists the deadline scan reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from services.contracts.envelope import Envelope
from services.plans.codec import WATCH
from services.plans.repositories.base import (
    ALERT_BATCH,
    ID_BATCH,
    SCAN_PROJECTION,
    StoreBase,
    batched,
)
from services.runtime.mongo import refused_as_duplicates
from services.runtime.outbox import with_outbox


@dataclass(frozen=True)
class DeadlineAlertWrite:
    key: str  # the task's storage key
    dedup_key: str  # `<task>:<period>:<kind>`, kept in `alerts_sent` for overdue alerts
    envelope: Envelope
    unwatch: str | None = None  # a deadline to drop from the watch list (after its overdue)

    @property
    def alert_id(self) -> str:
        return alert_id(self.key, self.dedup_key)


def alert_id(task_storage_key: str, dedup_key: str) -> str:
    """A deadline alert's `_id`: unique across plans (task ids are unique within one)."""
    return f"{task_storage_key}|{dedup_key}"


class DeadlineStore(StoreBase):
    def recorded_alerts(self, alert_ids: Iterable[str]) -> set[str]:
        """Which of these deadline alerts are stored."""
        found: set[str] = set()
        for chunk in batched(alert_ids, ID_BATCH):
            found.update(d["_id"] for d in self.deadline_alerts.find({"_id": {"$in": chunk}},
                                                                     {"_id": 1}))
        return found

    def record_alerts(self, alerts: Sequence[DeadlineAlertWrite], at: datetime) -> set[str]:
        """Store deadline alerts once each, with their events; returns the ids this call
        stored (not those another replica stored first).

        An overdue alert also takes its deadline off the task's watch list and is remembered
        in the task's `alerts_sent` (whole-task writes recompute the watch from it). That
        second write is idempotent: if the process dies before it, the next scan finds the
        alert stored and corrects the watch list."""
        stored: set[str] = set()
        for chunk in batched(alerts, ALERT_BATCH):
            docs = [with_outbox({"_id": a.alert_id, "task": a.key, "alert": a.dedup_key,
                                 "at": at}, [a.envelope]) for a in chunk]
            refused: set[int] = set()
            try:
                self.deadline_alerts.insert_many(docs, ordered=False)
            except BulkWriteError as exc:
                refused = refused_as_duplicates(exc)
            stored.update(doc["_id"] for n, doc in enumerate(docs) if n not in refused)
        overdue = [UpdateOne({"_id": a.key}, {"$addToSet": {"alerts_sent": a.dedup_key},
                                              "$pull": {WATCH: a.unwatch}})
                   for a in alerts if a.unwatch]
        for ops in batched(overdue, ALERT_BATCH):
            self.tasks.bulk_write(ops, ordered=False)
        return stored

    def deadline_candidates(self, until: str, plan_id: str | None = None
                            ) -> list[dict[str, Any]]:
        """Tasks with a watched deadline on or before `until` (ISO date), via the multikey
        index: only live tasks have one (their watch list is empty otherwise)."""
        query: dict[str, Any] = {WATCH: {"$lte": until}}
        if plan_id is not None:
            query["plan_id"] = plan_id
        return list(self.tasks.find(query, SCAN_PROJECTION))

    def set_watch(self, key: str, version: int, deadlines: list[str]) -> bool:
        """Correct one task's watch list, unless the task was written since it was read."""
        result = self.tasks.update_one({"_id": key, "version": version},
                                       {"$set": {WATCH: deadlines}})
        return result.modified_count == 1

    def unwatch(self, keys: Sequence[str]) -> None:
        """Empty the watch lists of these tasks (their plan is closed or cancelled)."""
        for chunk in batched(keys, ID_BATCH):
            self.tasks.update_many({"_id": {"$in": chunk}}, {"$set": {WATCH: []}})

    def unwatched_tasks(self, projection: dict[str, Any]) -> list[dict[str, Any]]:
        """Tasks stored without a watch list (before it existed, or by an older replica)."""
        return list(self.tasks.find({WATCH: None}, projection))

    def backfill_watch(self, version: int, deadlines: list[str], keys: Sequence[str]) -> None:
        """Give tasks of this `version` that still have no watch list this one."""
        for chunk in batched(keys, ID_BATCH):
            self.tasks.update_many({"_id": {"$in": chunk}, "version": version, WATCH: None},
                                   {"$set": {WATCH: deadlines}})

