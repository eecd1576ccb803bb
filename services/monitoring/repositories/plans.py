"""What monitoring knows of the plans, kept from their events: `watched_plans` and
`assignments` (one document per task and unit, keyed `task|unit`).

SecantusDB scans the collection for a write filtered on anything but `_id`, so writes go by
the ids a read on the plan or task index selected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pymongo import ASCENDING

from services.monitoring.domain import Assignment, WatchedPlan
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import DocumentWrite, Repository

WATCHED_PLANS = "watched_plans"
ASSIGNMENTS = "assignments"
FAR_PAST, FAR_FUTURE = date(2000, 1, 1), date(9999, 12, 31)
ASSIGNMENTS_LISTED = 1000


class PlansRepository(InDatabase, Repository):
    stored_in = ASSIGNMENTS
    indexes = tuple(Index(ASSIGNMENTS, field.removesuffix("_id"), ((field, ASCENDING),))
                    for field in ("unit_id", "plan_id", "task_id"))

    # -- plans ------------------------------------------------------------------------------

    def plan(self, plan_id: str) -> WatchedPlan | None:
        found = self._collection(WATCHED_PLANS).find_one({"_id": plan_id})
        if found is None:
            return None
        return WatchedPlan(plan_id, found.get("number"), found.get("status"),
                           list(found.get("topics") or []), found.get("issued_on"),
                           found.get("event_id"))

    def remember_plan(self, plan_id: str, fields: dict[str, Any],
                      on_insert: dict[str, Any] | None = None) -> None:
        update: dict[str, dict[str, Any]] = {"$set": fields}
        if on_insert:
            update["$setOnInsert"] = on_insert
        self.queue(DocumentWrite(WATCHED_PLANS, plan_id, update=update, upsert=True))

    # -- assignments ------------------------------------------------------------------------

    def _ids(self, query: dict[str, Any]) -> list[str]:
        return [d["_id"] for d in self._records.find(query, {"_id": 1})]

    def following_plan(self, plan_id: str) -> list[str]:
        """The assignments of the plan's tasks without topics of their own."""
        return self._ids({"plan_id": plan_id, "own_topics": False})

    def of_plan(self, plan_id: str) -> list[str]:
        return self._ids({"plan_id": plan_id})

    def of_task_except(self, task_id: str, units: Sequence[str]) -> list[str]:
        return self._ids({"task_id": task_id, "unit_id": {"$nin": list(units)}})

    def active(self) -> list[Assignment]:
        return [Assignment(d["task_id"], d["unit_id"], frozenset(d.get("topics") or ()),
                           date.fromisoformat(d.get("start") or FAR_PAST.isoformat()),
                           date.fromisoformat(d.get("end") or FAR_FUTURE.isoformat()))
                for d in self._records.find({"active": True})]

    def plans_of_active_tasks(self) -> dict[str, str]:
        return {d["task_id"]: d["plan_id"] for d in self._records.find(
            {"active": True}, {"task_id": 1, "plan_id": 1})}

    def listed(self, unit_id: str | None, plan_id: str | None,
               active_only: bool) -> list[dict[str, Any]]:
        query: dict[str, Any] = {}
        if unit_id:
            query["unit_id"] = unit_id
        if plan_id:
            query["plan_id"] = plan_id
        if active_only:
            query["active"] = True
        return [{k: v for k, v in d.items() if k != "_id"}
                for d in self._records.find(query).sort("_id", 1)
                .limit(ASSIGNMENTS_LISTED)]

    def assign(self, assignment_id: str, fields: dict[str, Any]) -> None:
        self.queue(DocumentWrite(ASSIGNMENTS, assignment_id, update={"$set": fields},
                                 upsert=True))

    def set_topics(self, ids: list[str], topics: list[str],
                   unless_changed_from: list[str] | None = None) -> None:
        """The topics of these assignments; with `unless_changed_from`, only of those whose
        topics are still those."""
        if ids:
            guard = {} if unless_changed_from is None else {"topics": unless_changed_from}
            self.queue(DocumentWrite(ASSIGNMENTS, ids, update={"$set": {"topics": topics}},
                                     guard=guard, stale_if_unmatched=False))

    def deactivate(self, ids: list[str]) -> None:
        if ids:
            self.queue(DocumentWrite(ASSIGNMENTS, ids, update={"$set": {"active": False}}))

    def drop(self, ids: list[str]) -> None:
        if ids:
            self.queue(DocumentWrite(ASSIGNMENTS, ids, delete=True))
