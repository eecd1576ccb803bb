"""Plans: one document each, written whole under a `version` guard with its events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.plans.domain import NotFound
from services.plans.repositories.base import StoreBase


class PlanStore(StoreBase):
    def find_plan(self, plan_id: str,
                  projection: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return self.plans.find_one({"_id": plan_id}, projection or {"_outbox": 0})

    def get_plan(self, plan_id: str, projection: dict[str, Any] | None = None) -> dict[str, Any]:
        found = self.find_plan(plan_id, projection)
        if found is None:
            raise NotFound(f"plan {plan_id} not found", {"plan_id": plan_id})
        return found

    def issued_plans(self) -> list[dict[str, Any]]:
        return list(self.plans.find({"status": "issued"}, {"number": 1}))

    def plan_states(self, plan_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Status and number of these plans, by id (missing plans are left out)."""
        ids = sorted(set(plan_ids))
        if not ids:
            return {}
        return {d["_id"]: d for d in self.plans.find({"_id": {"$in": ids}},
                                                      {"status": 1, "number": 1})}

