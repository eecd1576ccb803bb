"""Storage of plans. Every write that changes state stores its events in the same document
write (outbox), so a change and its announcement can never diverge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.contracts.envelope import Envelope
from services.contracts.errors import ErrorCode, ServiceError
from services.runtime.outbox import with_outbox

PLANS = "plans"
OUTBOX_COLLECTIONS = [PLANS]


class PlanRepository:
    def __init__(self, db: Database) -> None:
        self.plans = db[PLANS]

    def ensure_indexes(self) -> None:
        self.plans.create_index([("issuer_unit_id", 1), ("number_key", 1)], unique=True,
                                name="number_per_issuer")
        self.plans.create_index("idempotency_key", unique=True, sparse=True,
                                name="idempotency_key")
        self.plans.create_index([("year", -1), ("_id", 1)], name="year")

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def insert(self, plan: dict[str, Any], events: list[Envelope]) -> dict[str, Any]:
        document = with_outbox({**plan, "created_at": datetime.now(UTC)}, events)
        try:
            self.plans.insert_one(document)
        except DuplicateKeyError as exc:
            key = plan.get("idempotency_key")
            if key and "idempotency_key" in str(exc):
                existing = self.plans.find_one({"idempotency_key": key})
                if existing is not None:
                    return existing
            raise ServiceError(ErrorCode.CONFLICT,
                               f"plan {plan['number']} already exists for this issuer",
                               {"number": plan["number"]}) from None
        return document

    def get(self, plan_id: str) -> dict[str, Any]:
        found = self.plans.find_one({"_id": plan_id})
        if found is None:
            raise ServiceError(ErrorCode.NOT_FOUND, f"plan {plan_id} not found",
                               {"plan_id": plan_id})
        return found

    def list(self, after: str | None, limit: int, year: int | None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {}
        if after:
            query["_id"] = {"$gt": after}
        if year is not None:
            query["year"] = year
        return list(self.plans.find(query).sort("_id", 1).limit(limit))

    def update(self, plan_id: str, update: dict[str, Any]) -> dict[str, Any] | None:
        doc: dict[str, Any] | None = self.plans.find_one_and_update(
            {"_id": plan_id}, update, return_document=ReturnDocument.AFTER)
        return doc
