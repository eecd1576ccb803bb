"""Progress reports as the read side reads them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.plans.codec import report_from
from services.plans.domain import ProgressReport
from services.plans.repositories.base import (
    ID_BATCH,
    OUTBOX_HIDDEN,
    StoreBase,
    batched,
)


class ReportStore(StoreBase):
    def reports_by_id(self, report_ids: Iterable[str]) -> dict[str, ProgressReport]:
        """The reports with these ids that exist, by id."""
        return {d["_id"]: report_from(d) for chunk in batched(report_ids, ID_BATCH)
                for d in self.reports.find({"_id": {"$in": chunk}}, OUTBOX_HIDDEN)}

    def plan_reports(self, plan_id: str) -> dict[str, ProgressReport]:
        """Every report of a plan, by id."""
        return {d["_id"]: report_from(d)
                for d in self.reports.find({"plan_id": plan_id}, OUTBOX_HIDDEN)}

    def pending_reviews(self, plan_id: str | None = None) -> int:
        query: dict[str, Any] = {"status": "submitted"}
        if plan_id:
            query["plan_id"] = plan_id
        return self.reports.count_documents(query)

    # -- receipts -------------------------------------------------------------------------
