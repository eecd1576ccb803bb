"""Plans on the unit of work: one document each, changed under its `version` with the events
the plan recorded; a new one is inserted with what it was created with (who, from where, the
creation's idempotency key)."""

from __future__ import annotations

import uuid
from typing import Any

from services.plans import codec
from services.plans.domain import AuditEntry, NotFound, Plan
from services.plans.repositories.audit import recorded_document
from services.plans.repositories.base import PLANS
from services.plans.repositories.stored import VersionedRepository
from services.runtime.mongo_repository import Index

Document = dict[str, Any]
# What a plan rolled over from another stores: the source plan and the units not carried over.
ROLLED_OVER = "rolled_over_from"


class PlanRepository(VersionedRepository[Plan]):
    collection = PLANS
    indexes = (Index(PLANS, "number_issuer_year", (("uniqueness_key", 1),), unique=True),
               Index(PLANS, "idempotency_key", (("idempotency_key", 1),), sparse=True,
                     unique=True),
               Index(PLANS, "year", (("year", -1), ("_id", 1))),
               Index(PLANS, "status", (("status", 1),)))

    def __init__(self, db: Any) -> None:
        super().__init__(db, codec.plan_to_doc, codec.plan_from)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def find(self, plan_id: str) -> Plan | None:
        """The plan, written at commit if the use case changes it."""
        found = self._read(plan_id)
        return None if found is None else self._loaded(found)

    def get(self, plan_id: str) -> Plan:
        return _found(self.find(plan_id), plan_id)

    def find_read(self, plan_id: str) -> Plan | None:
        """The plan as the rules of another change see it (never written), if it exists."""
        found = self._read(plan_id)
        return None if found is None else self.aggregate_of(found)

    def read(self, plan_id: str) -> Plan:
        return _found(self.find_read(plan_id), plan_id)

    def exists(self, plan_id: str) -> bool:
        return bool(self._find({"_id": plan_id}, {"_id": 1}))

    def created_with_key(self, idempotency_key: str) -> Plan | None:
        """The plan a creation with this idempotency key stored, if any."""
        found = self._find({"idempotency_key": idempotency_key})
        return self.aggregate_of(found[0]) if found else None

    def imported_from(self, plan: Plan) -> str | None:
        """The digest of the file the plan was imported from (None: not imported)."""
        return (self.original_of(plan) or {}).get("import_hash")

    def rolled_over_from(self, plan: Plan) -> Document | None:
        """The source plan and the unmapped units of a rolled-over plan (None: not one)."""
        found: Document | None = (self.original_of(plan) or {}).get(ROLLED_OVER)
        return found

    def number_taken(self, plan: Plan) -> bool:
        """Whether another plan holds this plan's number for its issuer and year."""
        found = self._find({"uniqueness_key": plan.uniqueness_key}, {"_id": 1})
        return any(document["_id"] != plan.id for document in found)

    def page(self, filters: Document, after: str | None, limit: int) -> list[Document]:
        """Summaries of the plans matching the filters (year, status, issuer) in id order
        after the cursor."""
        return [codec.plan_summary(document) for document in self._page(filters, after, limit)]

    def audit_document(self, aggregate: Plan, entry: AuditEntry) -> Document:
        return recorded_document(entry, aggregate.audit, aggregate.id, None)

    def summary(self, plan: Plan) -> Document:
        return codec.plan_summary(self.document_of(plan))

    def detail(self, plan: Plan, task_count: int) -> Document:
        return codec.plan_detail(self.document_of(plan), task_count)


def _found(plan: Plan | None, plan_id: str) -> Plan:
    if plan is None:
        raise NotFound(f"plan {plan_id} not found", {"plan_id": plan_id})
    return plan
