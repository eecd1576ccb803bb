"""The plans service: thin nameko entrypoints over the handlers."""

from __future__ import annotations

from typing import Any

from services.contracts.plans import CreatePlanRequest, PlanSummary
from services.plans import handlers
from services.plans.repository import OUTBOX_COLLECTIONS, PlanRepository
from services.runtime.logging import correlation_id
from services.runtime.nameko_ext.base import PlatformService
from services.runtime.nameko_ext.entrypoints import rpc_method
from services.runtime.nameko_ext.providers import OutboxRelayProvider


class PlansService(PlatformService):
    name = "plans"

    relay = OutboxRelayProvider(collections=OUTBOX_COLLECTIONS)

    @staticmethod
    def ensure_indexes(db: Any) -> None:
        PlanRepository(db).ensure_indexes()

    def _repo(self) -> PlanRepository:
        return PlanRepository(self.db)

    @rpc_method(CreatePlanRequest)
    def create_plan(self, request: CreatePlanRequest) -> PlanSummary:
        return handlers.create_plan(request, self._repo(), correlation_id.get())

    @rpc_method()
    def get_plan(self, plan_id: str) -> PlanSummary:
        return handlers.summary(self._repo().get(plan_id))

    @rpc_method()
    def list_plans(self, after: str | None = None, limit: int = 50,
                   year: int | None = None) -> dict[str, Any]:
        limit = min(max(int(limit), 1), 200)
        rows = self._repo().list(after, limit + 1, year)
        items = [handlers.summary(r) for r in rows[:limit]]
        return {"items": items, "next_cursor": items[-1].id if len(rows) > limit else None}
