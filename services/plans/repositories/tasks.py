"""Tasks: one document each, written whole under a `version` guard with its events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.contracts.envelope import Envelope
from services.plans.codec import WATCH, task_key
from services.plans.domain import Conflict, NotFound
from services.plans.repositories.base import (
    ID_BATCH,
    OUTBOX_HIDDEN,
    TASKS,
    StoreBase,
    batched,
    now,
)
from services.runtime.outbox import merge_updates, outbox_push
from services.runtime.unit_of_work import StaleWrite


class TaskStore(StoreBase):
    def insert_tasks(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            stamped = [{**d, "version": 1, "alerts_sent": [], "created_at": now()} for d in docs]
            try:
                self.tasks.insert_many(stamped, ordered=True)
            except (DuplicateKeyError, BulkWriteError):
                raise Conflict("a task with this id already exists in the plan",
                               {"field": "task_id"}) from None
            finally:  # an ordered insert may have stored some before the duplicate
                for plan_id in {d["plan_id"] for d in docs}:
                    self.touch_plan(plan_id, [d["_id"] for d in docs if d["plan_id"] == plan_id])

    def find_task(self, plan_id: str, task_id: str) -> dict[str, Any] | None:
        return self.tasks.find_one({"_id": task_key(plan_id, task_id)}, {"_outbox": 0})

    def get_task(self, plan_id: str, task_id: str) -> dict[str, Any]:
        found = self.find_task(plan_id, task_id)
        if found is None:
            raise NotFound(f"task {task_id} of plan {plan_id} not found",
                           {"plan_id": plan_id, "task_id": task_id})
        return found

    def plan_tasks(self, plan_id: str, projection: dict[str, Any] | None = OUTBOX_HIDDEN
                   ) -> list[dict[str, Any]]:
        """Every task of a plan; `projection=None` reads whole documents."""
        return list(self.tasks.find({"plan_id": plan_id}, projection))

    def tasks_by_key(self, keys: Iterable[str],
                     projection: dict[str, Any] | None = OUTBOX_HIDDEN) -> list[dict[str, Any]]:
        return [d for chunk in batched(keys, ID_BATCH)
                for d in self.tasks.find({"_id": {"$in": chunk}}, projection)]

    def tasks_page(self, plan_id: str, filters: dict[str, Any], after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        """A plan's tasks matching the filters (`unit_ids`, `status`, `parent_task_id`) in
        storage-key order after the cursor (a storage key)."""
        return self.page(TASKS, {"plan_id": plan_id, **filters}, after, limit, OUTBOX_HIDDEN)

    def count_tasks(self, plan_id: str) -> int:
        return self.tasks.count_documents({"plan_id": plan_id})

    def delete_plan_tasks(self, plan_id: str) -> None:
        """Remove a plan's tasks (leftovers of a crashed import), deleting by `_id`."""
        ids = [d["_id"] for d in self.tasks.find({"plan_id": plan_id}, {"_id": 1})]
        for chunk in batched(ids, ID_BATCH):
            self.tasks.delete_many({"_id": {"$in": chunk}})
        if ids:
            self.touch_plan(plan_id, reset=True)

    def write_task(self, doc: dict[str, Any], version: int, fields: dict[str, Any],
                   events: Sequence[Envelope]) -> dict[str, Any]:
        """The whole-task write and its events: one atomic, version-guarded update; returns
        the task as written."""
        stamp = now()
        update = merge_updates({"$set": {**fields, "updated_at": stamp},
                                "$inc": {"version": 1}}, outbox_push(events) if events else {})
        result = self.tasks.update_one({"_id": doc["_id"], "version": version}, update)
        if result.matched_count == 0:
            raise StaleWrite(doc["_id"])
        self.touch_plan(doc["plan_id"], [doc["_id"]])
        return {**doc, **fields, "updated_at": stamp, "version": version + 1}

    def complete_period(self, plan_id: str, key: str, period_key: str, at: datetime,
                        deadline: str | None) -> None:
        """Record a recurring task's period as completed (the first completion wins); its
        `deadline` leaves the watch list."""
        update = merge_updates({"$set": {f"period_completions.{period_key}": at},
                                "$inc": {"version": 1}},
                               {"$pull": {WATCH: deadline}} if deadline else {})
        self.tasks.update_one(
            {"_id": key, f"period_completions.{period_key}": {"$exists": False}}, update)
        self.touch_plan(plan_id, [key])

    def scan_tasks(self, plan_ids: list[str],
                   projection: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Tasks of these plans. Several plans: one collection scan filtered here, which
        measured faster than an index `$in` when most tasks belong to live plans."""
        if len(plan_ids) == 1:
            return self.tasks.find({"plan_id": plan_ids[0]}, projection)
        wanted = set(plan_ids)
        return (d for d in self.tasks.find({}, projection, batch_size=5000)
                if d["plan_id"] in wanted)

