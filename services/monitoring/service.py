"""The monitoring service: thin nameko entrypoints over the handlers."""

from __future__ import annotations

from typing import Any

from services.contracts.envelope import Envelope
from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.events import EventType, PlanCreated
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method

WATCHED_PLANS = "watched_plans"


class MonitoringService(EventConsumerService):
    name = "monitoring"

    @consumes(EventType.PLAN_CREATED)
    def on_plan_created(self, envelope: Envelope, event: PlanCreated) -> None:
        self.db[WATCHED_PLANS].update_one(
            {"_id": event.plan_id},
            {"$set": {"number": event.number, "topics": event.topics, "status": event.status,
                      "event_id": envelope.id}},
            upsert=True)

    @rpc_method()
    def watched_plan(self, plan_id: str) -> dict[str, Any]:
        found = self.db[WATCHED_PLANS].find_one({"_id": plan_id})
        if found is None:
            raise ServiceError(ErrorCode.NOT_FOUND, f"plan {plan_id} is not watched")
        found["plan_id"] = found.pop("_id")
        return found
