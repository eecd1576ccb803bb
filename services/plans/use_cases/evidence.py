"""What other services tell plans: monitoring's coverage counted toward a task's KPIs, and
notifications' acknowledgements recorded as receipts of a directive (with the receipts query).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from services.contracts.plans_reporting import ReceiptsRequest
from services.plans import codec
from services.plans.domain import (
    AuditEntry,
    CoverageMatched,
    Topic,
    apply_coverage,
)
from services.plans.use_cases.context import Context
from services.plans.use_cases.reports import (
    kpi_events,
)
from services.plans.use_cases.tasks import (
    write_task_change,
)
from services.runtime.unit_of_work import retrying

log = logging.getLogger(__name__)


def on_coverage(payload: Any, event_time: datetime, ctx: Context) -> str:
    """Count a monitored article toward the task's KPIs once per item; returns the outcome."""
    def attempt() -> str:
        task_doc = ctx.repo.find_task(payload.plan_id, payload.task_id)
        plan_doc = ctx.repo.find_plan(payload.plan_id)
        if task_doc is None or plan_doc is None:
            log.warning("coverage for an unknown task ignored", extra={
                "plan_id": payload.plan_id, "task_id": payload.task_id})
            return "unknown_task"
        plan = codec.plan_from(plan_doc)
        task = codec.task_from(task_doc)
        before = codec.task_from(task_doc)
        try:
            topic: Topic | None = Topic(payload.topic)
        except ValueError:
            topic = None
        fact = CoverageMatched(payload.item_id, payload.url or f"item:{payload.item_id}",
                               payload.outlet_unit_id, topic, payload.published_at or event_time)
        result = apply_coverage(task, fact, at=ctx.now())
        if not result.applied:
            return result.outcome.value
        reports = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)]
        as_of = max(ctx.now(), fact.published_at)
        events = kpi_events(ctx, plan, before, task, reports, reports, "coverage", as_of,
                             payload.item_id)
        assert result.audit is not None
        write_task_change(ctx, plan, task_doc, task, result.audit, events)
        return result.outcome.value

    return retrying(attempt)


def on_acknowledged(payload: Any, ctx: Context) -> bool:
    """Record that a unit acknowledged a directive of a plan or task (once per notice)."""
    if not payload.plan_id:
        return False
    new = ctx.repo.record_receipt({
        "_id": f"{payload.notice_id}:{payload.unit_id}", "plan_id": payload.plan_id,
        "task_id": payload.task_id, "unit_id": payload.unit_id, "notice_id": payload.notice_id,
        "acknowledged_at": payload.acknowledged_at, "via": payload.via, "late": payload.late})
    if new:
        kind, entity = ("task", payload.task_id) if payload.task_id else ("plan", payload.plan_id)
        ctx.repo.journal([AuditEntry(payload.unit_id, "directive.acknowledged", kind, entity,
                                     payload.acknowledged_at,
                                     extra={"notice_id": payload.notice_id, "via": payload.via,
                                            "late": payload.late})], payload.plan_id)
    return new


def receipts(req: ReceiptsRequest, ctx: Context) -> list[dict[str, Any]]:
    ctx.repo.get_plan(req.plan_id, {"_id": 1})  # an unknown plan is not_found, not "none"
    return [{k: v for k, v in r.items() if k != "_id"}
            for r in ctx.repo.receipts_in_order(req.plan_id, req.task_id)]
