"""Tasks as the read side and the deadline scan read them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.plans.codec import task_from
from services.plans.domain import Task
from services.plans.repositories.base import (
    ID_BATCH,
    OUTBOX_HIDDEN,
    StoreBase,
    batched,
)


class TaskStore(StoreBase):
    def plan_tasks(self, plan_id: str, projection: dict[str, Any] | None = OUTBOX_HIDDEN
                   ) -> dict[str, Task]:
        """Every task of a plan by storage key; `projection=None` reads whole documents."""
        return {d["_id"]: task_from(d)
                for d in self.tasks.find({"plan_id": plan_id}, projection)}

    def tasks_by_key(self, keys: Iterable[str],
                     projection: dict[str, Any] | None = OUTBOX_HIDDEN) -> dict[str, Task]:
        """The tasks with these storage keys that exist, by key."""
        return {d["_id"]: task_from(d) for chunk in batched(keys, ID_BATCH)
                for d in self.tasks.find({"_id": {"$in": chunk}}, projection)}

    def scan_tasks(self, plan_ids: list[str],
                   projection: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Tasks of these plans. Several plans: one collection scan filtered here, which
        measured faster than an index `$in` when most tasks belong to live plans."""
        if len(plan_ids) == 1:
            return self.tasks.find({"plan_id": plan_ids[0]}, projection)
        wanted = set(plan_ids)
        return (d for d in self.tasks.find({}, projection, batch_size=5000)
                if d["plan_id"] in wanted)

