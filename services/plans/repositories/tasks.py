"""Tasks: one document each, written whole under a `version` guard with its events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.plans.repositories.base import (
    ID_BATCH,
    OUTBOX_HIDDEN,
    StoreBase,
    batched,
)


class TaskStore(StoreBase):
    def plan_tasks(self, plan_id: str, projection: dict[str, Any] | None = OUTBOX_HIDDEN
                   ) -> list[dict[str, Any]]:
        """Every task of a plan; `projection=None` reads whole documents."""
        return list(self.tasks.find({"plan_id": plan_id}, projection))

    def tasks_by_key(self, keys: Iterable[str],
                     projection: dict[str, Any] | None = OUTBOX_HIDDEN) -> list[dict[str, Any]]:
        return [d for chunk in batched(keys, ID_BATCH)
                for d in self.tasks.find({"_id": {"$in": chunk}}, projection)]

    def scan_tasks(self, plan_ids: list[str],
                   projection: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Tasks of these plans. Several plans: one collection scan filtered here, which
        measured faster than an index `$in` when most tasks belong to live plans."""
        if len(plan_ids) == 1:
            return self.tasks.find({"plan_id": plan_ids[0]}, projection)
        wanted = set(plan_ids)
        return (d for d in self.tasks.find({}, projection, batch_size=5000)
                if d["plan_id"] in wanted)

