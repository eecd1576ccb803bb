"""What other services tell plans: monitoring's coverage counted toward a task's KPIs, and
notifications' acknowledgements recorded as receipts of a directive (with the receipts query).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from services.contracts.plans_reporting import ReceiptsRequest
from services.plans.domain import (
    AuditEntry,
    CoverageMatched,
    Topic,
    apply_coverage,
)
from services.plans.use_cases.context import Context
from services.plans.use_cases.reports import kpi_events
from services.runtime.unit_of_work import retrying

log = logging.getLogger(__name__)


def on_coverage(payload: Any, event_time: datetime, ctx: Context) -> str:
    """Count a monitored article toward the task's KPIs once per item; returns the outcome."""
    try:
        topic: Topic | None = Topic(payload.topic)
    except ValueError:
        topic = None

    def attempt() -> str:
        with ctx.unit_of_work() as uow:
            task = uow.tasks.find(payload.plan_id, payload.task_id)
            plan = uow.plans.find_read(payload.plan_id)
            if task is None or plan is None:
                log.warning("coverage for an unknown task ignored", extra={
                    "plan_id": payload.plan_id, "task_id": payload.task_id})
                return "unknown_task"
            before = uow.tasks.as_read(task)
            fact = CoverageMatched(payload.item_id, payload.url or f"item:{payload.item_id}",
                                   payload.outlet_unit_id, topic,
                                   payload.published_at or event_time)
            result = apply_coverage(task, fact, at=ctx.now())
            if not result.applied:
                return result.outcome.value
            reports = uow.reports.of_task(plan.id, task.id)
            as_of = max(ctx.now(), fact.published_at)
            assert result.audit is not None
            task.record(result.audit, *kpi_events(plan, before, task, reports, reports,
                                                  "coverage", as_of, payload.item_id))
            uow.commit()
            return result.outcome.value

    return retrying(attempt)


def on_acknowledged(payload: Any, ctx: Context) -> bool:
    """Record that a unit acknowledged a directive of a plan or task (once per notice), then
    its journal entry."""
    if not payload.plan_id:
        return False
    receipt = {
        "_id": f"{payload.notice_id}:{payload.unit_id}", "plan_id": payload.plan_id,
        "task_id": payload.task_id, "unit_id": payload.unit_id, "notice_id": payload.notice_id,
        "acknowledged_at": payload.acknowledged_at, "via": payload.via, "late": payload.late}
    with ctx.unit_of_work() as uow:
        uow.receipts.record(receipt)
        if not uow.receipts.is_new(uow.commit(), receipt):
            return False
        kind, entity = ("task", payload.task_id) if payload.task_id else ("plan", payload.plan_id)
        uow.receipts.journal(AuditEntry(
            payload.unit_id, "directive.acknowledged", kind, entity, payload.acknowledged_at,
            extra={"notice_id": payload.notice_id, "via": payload.via, "late": payload.late}),
            payload.plan_id)
        uow.commit()
    return True


def receipts(req: ReceiptsRequest, ctx: Context) -> list[dict[str, Any]]:
    with ctx.unit_of_work() as uow:
        uow.plans.read(req.plan_id)  # an unknown plan is not_found, not "none"
        return uow.receipts.in_order(req.plan_id, req.task_id)
