"""Progress reports and the receipts of directives acknowledged by units."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.plans.repositories.base import (
    ID_BATCH,
    OUTBOX_HIDDEN,
    StoreBase,
    batched,
)


class ReportStore(StoreBase):
    def reports_by_id(self, report_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [d for chunk in batched(report_ids, ID_BATCH)
                for d in self.reports.find({"_id": {"$in": chunk}}, OUTBOX_HIDDEN)]

    def plan_reports(self, plan_id: str) -> list[dict[str, Any]]:
        return list(self.reports.find({"plan_id": plan_id}, {"_outbox": 0}))

    def pending_reviews(self, plan_id: str | None = None) -> int:
        query: dict[str, Any] = {"status": "submitted"}
        if plan_id:
            query["plan_id"] = plan_id
        return self.reports.count_documents(query)

    # -- receipts -------------------------------------------------------------------------
