"""Plans: one document each, written whole under a `version` guard with its events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.contracts.envelope import Envelope
from services.plans.domain import Conflict, NotFound
from services.plans.repositories.base import OUTBOX_HIDDEN, PLANS, StoreBase, now
from services.runtime.outbox import merge_updates, outbox_push, with_outbox
from services.runtime.unit_of_work import StaleWrite


class PlanStore(StoreBase):
    def insert_plan(self, doc: dict[str, Any], events: Sequence[Envelope]) -> dict[str, Any]:
        document = with_outbox({**doc, "version": 1, "created_at": now()}, events)
        try:
            self.plans.insert_one(document)
        except DuplicateKeyError as exc:
            key = doc.get("idempotency_key")
            if key and "idempotency_key" in str(exc):
                existing = self.plans.find_one({"idempotency_key": key})
                if existing is not None:
                    return existing
            if "_id_" in str(exc) or "dup key: { _id" in str(exc):
                raise Conflict(f"plan {doc['_id']} already exists",
                               {"field": "id", "plan_id": doc["_id"]}) from None
            raise Conflict(
                f"plan number {doc['number']} of {doc['issuer_unit_id']} for {doc['year']} "
                "already exists", {"field": "number", "key": doc["uniqueness_key"]}) from None
        return document

    def find_plan(self, plan_id: str,
                  projection: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return self.plans.find_one({"_id": plan_id}, projection or {"_outbox": 0})

    def plan_with_idempotency_key(self, key: str) -> dict[str, Any] | None:
        """The plan a creation with this idempotency key stored, if any."""
        return self.plans.find_one({"idempotency_key": key})

    def plans_page(self, filters: dict[str, Any], after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        """Plans matching the filters (year, status, issuer) in `_id` order after the
        cursor."""
        return self.page(PLANS, filters, after, limit, OUTBOX_HIDDEN)

    def plan_with_uniqueness_key(self, key: str) -> dict[str, Any] | None:
        """The id of the plan holding this number for this issuer and year, if any."""
        return self.plans.find_one({"uniqueness_key": key}, {"_id": 1})

    def get_plan(self, plan_id: str, projection: dict[str, Any] | None = None) -> dict[str, Any]:
        found = self.find_plan(plan_id, projection)
        if found is None:
            raise NotFound(f"plan {plan_id} not found", {"plan_id": plan_id})
        return found

    def write_plan(self, doc: dict[str, Any], fields: dict[str, Any],
                   events: Sequence[Envelope]) -> dict[str, Any]:
        """Set a plan's fields if nobody wrote it since `doc` was read (its `version`), with
        its events; returns the plan as written."""
        stamp = now()
        update = merge_updates({"$set": {**fields, "updated_at": stamp},
                                "$inc": {"version": 1}}, outbox_push(events) if events else {})
        try:
            result = self.plans.update_one({"_id": doc["_id"], "version": doc["version"]},
                                           update)
        except DuplicateKeyError:
            raise Conflict("another plan of this issuer and year has this number",
                           {"field": "number"}) from None
        if result.matched_count == 0:
            raise StaleWrite(doc["_id"])
        # The guard held: the stored plan is exactly `doc` plus this update.
        return {**doc, **fields, "updated_at": stamp, "version": doc["version"] + 1}

    def issued_plans(self) -> list[dict[str, Any]]:
        return list(self.plans.find({"status": "issued"}, {"number": 1}))

    def plan_states(self, plan_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Status and number of these plans, by id (missing plans are left out)."""
        ids = sorted(set(plan_ids))
        if not ids:
            return {}
        return {d["_id"]: d for d in self.plans.find({"_id": {"$in": ids}},
                                                      {"status": 1, "number": 1})}

