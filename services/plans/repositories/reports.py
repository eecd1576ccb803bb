"""Progress reports and the receipts of directives acknowledged by units."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.contracts.envelope import Envelope
from services.plans.domain import NotFound
from services.plans.repositories.base import (
    ID_BATCH,
    OUTBOX_HIDDEN,
    REPORTS,
    StoreBase,
    batched,
    now,
)
from services.runtime.outbox import merge_updates, outbox_push, with_outbox
from services.runtime.unit_of_work import StaleWrite


class ReportStore(StoreBase):
    def insert_report(self, doc: dict[str, Any], events: Sequence[Envelope]) -> dict[str, Any]:
        document = with_outbox({**doc, "created_at": now()}, events)
        try:
            self.reports.insert_one(document)
            self.touch_plan(doc["plan_id"], reports=[doc["_id"]])
        except DuplicateKeyError:
            key = doc.get("idempotency_key")
            existing = self.report_with_idempotency_key(key) if key else None
            if existing is not None:
                return existing
            raise
        document.pop("_outbox", None)
        return document

    def report_with_idempotency_key(self, key: str) -> dict[str, Any] | None:
        """The report a submission with this idempotency key stored, if any."""
        return self.reports.find_one({"idempotency_key": key}, OUTBOX_HIDDEN)

    def get_report(self, report_id: str) -> dict[str, Any]:
        found = self.reports.find_one({"_id": report_id}, {"_outbox": 0})
        if found is None:
            raise NotFound(f"report {report_id} not found", {"report_id": report_id})
        return found

    def task_reports(self, plan_id: str, task_id: str) -> list[dict[str, Any]]:
        return list(self.reports.find({"plan_id": plan_id, "task_id": task_id}, {"_outbox": 0}))

    def reports_by_id(self, report_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [d for chunk in batched(report_ids, ID_BATCH)
                for d in self.reports.find({"_id": {"$in": chunk}}, OUTBOX_HIDDEN)]

    def plan_reports(self, plan_id: str) -> list[dict[str, Any]]:
        return list(self.reports.find({"plan_id": plan_id}, {"_outbox": 0}))

    def review(self, doc: dict[str, Any], fields: dict[str, Any],
               events: Sequence[Envelope]) -> dict[str, Any]:
        """Store the review of a report read as `doc`, if it is still `submitted` (only a
        review changes a submitted report); returns the report as written."""
        stamp = now()
        update = merge_updates({"$set": {**fields, "updated_at": stamp}}, outbox_push(events))
        result = self.reports.update_one({"_id": doc["_id"], "status": "submitted"}, update)
        if result.matched_count == 0:
            raise StaleWrite(doc["_id"])
        self.touch_plan(doc["plan_id"], reports=[doc["_id"]])
        return {**doc, **fields, "updated_at": stamp}

    def mark_superseded(self, plan_id: str, report_id: str, by: str) -> None:
        """Record on an accepted report the correction that replaced it (once)."""
        self.reports.update_one({"_id": report_id, "superseded_by": None},
                                {"$set": {"superseded_by": by, "updated_at": now()}})
        self.touch_plan(plan_id, reports=[report_id])

    def reports_page(self, plan_id: str, filters: dict[str, Any], after: str | None,
                     limit: int) -> list[dict[str, Any]]:
        """A plan's reports matching the filters (task, unit, status) in `_id` order after
        the cursor."""
        return self.page(REPORTS, {"plan_id": plan_id, **filters}, after, limit,
                         OUTBOX_HIDDEN)

    def pending_reviews(self, plan_id: str | None = None) -> int:
        query: dict[str, Any] = {"status": "submitted"}
        if plan_id:
            query["plan_id"] = plan_id
        return self.reports.count_documents(query)

    # -- receipts -------------------------------------------------------------------------

    def task_receipts(self, plan_id: str, task_id: str) -> list[dict[str, Any]]:
        return list(self.receipts.find({"plan_id": plan_id, "task_id": task_id}))

    def receipts_in_order(self, plan_id: str, task_id: str | None) -> list[dict[str, Any]]:
        """A plan's (or one task's) acknowledgements, oldest first."""
        query: dict[str, Any] = {"plan_id": plan_id}
        if task_id:
            query["task_id"] = task_id
        return list(self.receipts.find(query).sort("acknowledged_at", 1))

    def record_receipt(self, doc: dict[str, Any]) -> bool:
        try:
            self.receipts.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False
