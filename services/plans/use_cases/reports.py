"""Progress reports: submitting, reviewing (KPI progress and superseded originals) and
listing them (corrections: `corrections`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from services.contracts.events import plans as plan_events
from services.contracts.plans_reports import (
    ListReportsRequest,
    NewReportRequest,
    ReportRef,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.plans import codec
from services.plans.domain import (
    AuditEntry,
    Plan,
    ProgressReport,
    ReportContent,
    ReportStatus,
    Task,
    kpi_achievements,
    review_report,
    submit_report,
    superseded_by_acceptance,
)
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context, page_reply, run_command
from services.runtime.unit_of_work import StaleWrite


def kpi_events(plan: Plan, before: Task, after: Task,
               reports_before: Sequence[ProgressReport], reports_after: Sequence[ProgressReport],
               source: str, as_of: datetime, item_id: str | None = None
               ) -> list[plan_events.KpiProgressed]:
    """kpi.progressed for every KPI row (target, unit, period) whose achieved count moved."""
    old = {(k.target_id, k.unit_id, k.period_key): k.achieved
           for k in kpi_achievements(before, reports_before, as_of)}
    return [plan_events.KpiProgressed(
                task_id=after.id, plan_id=plan.id, unit_id=k.unit_id or after.lead_unit_id,
                metric=k.metric.value, topic=k.topic.value if k.topic else None,
                period_key=k.period_key, achieved=k.achieved, target=k.target, source=source,
                item_id=item_id, occurred_at=as_of)
            for k in kpi_achievements(after, reports_after, as_of)
            if old.get((k.target_id, k.unit_id, k.period_key), 0) != k.achieved]


def submit(req: SubmitReportRequest, ctx: Context) -> Any:
    def report(uow: PlansUnitOfWork, content: ReportContent
               ) -> tuple[ProgressReport, AuditEntry]:
        plan = uow.plans.read(req.plan_id)
        task = uow.tasks.get(req.plan_id, req.task_id)
        return submit_report(
            report_id=new_id(), plan=plan, task=task, unit_id=req.unit_id,
            period_key=req.period_key, content=content, actor=req.actor, at=ctx.now(),
            previous=uow.reports.of_task(plan.id, task.id))

    return new_report(ctx, "submit_report", req, report)


def new_report(ctx: Context, name: str, req: NewReportRequest,
               report: Callable[[PlansUnitOfWork, ReportContent],
                                tuple[ProgressReport, AuditEntry]]) -> dict[str, Any]:
    """A new report (a submission or a correction) of the request's content; a report its
    key stored before the reply was kept answers the retry."""
    content = codec.content_from(req.model_dump(mode="json"))

    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        found = uow.reports.created_with_key(req.idempotency_key)
        if found is not None:
            return uow.reports.reply(found)
        made, entry = report(uow, content)
        return store_submission(uow, made, entry, req.idempotency_key)

    return run_command(ctx, name, req.idempotency_key, run)


def new_id() -> str:
    return uuid.uuid4().hex


def store_submission(uow: PlansUnitOfWork, report: ProgressReport, entry: AuditEntry,
                     idempotency_key: str | None) -> dict[str, Any]:
    """Store a new report (a submission or a correction) with `report.submitted`, then its
    journal entry; a report stored meanwhile under the same key is read again."""
    uow.reports.create(report, **({"idempotency_key": idempotency_key} if idempotency_key else {}))
    report.record(None, plan_events.ReportSubmitted(
        report_id=report.id, task_id=report.task_id, plan_id=report.plan_id,
        unit_id=report.unit_id, period_key=report.period_key, report_version=report.version,
        counts=count_totals(report.content), corrects_report_id=report.corrects_report_id))
    if uow.reports.refused(uow.commit(), report):
        raise StaleWrite(f"report {report.id}")
    report.record(entry)
    return uow.reports.reply(report)


def count_totals(content: ReportContent) -> dict[str, int]:
    totals: dict[str, int] = {}
    for count in content.counts:
        totals[count.metric.value] = totals.get(count.metric.value, 0) + count.count
    return totals


def review(req: ReviewReportRequest, ctx: Context) -> Any:
    """Accept or return a submitted report: its event, the KPI progress an acceptance makes,
    the reports a correction supersedes and the period it completes, in one commit. A report
    reviewed meanwhile by another writer is read again (and found already reviewed)."""
    def run(uow: PlansUnitOfWork) -> dict[str, Any]:
        report = uow.reports.get(req.report_id)
        if uow.applied_before(uow.reports, report):  # died before the reply was kept
            return uow.reports.reply(report)
        plan = uow.plans.read(report.plan_id)
        task = uow.tasks.get(report.plan_id, report.task_id)
        before_task = uow.tasks.as_read(task)
        others = [other for other in uow.reports.of_task(plan.id, task.id, to_change=True)
                  if other.id != report.id]
        at = ctx.now()
        entry = review_report(report, accept=req.decision == "accepted", reviewer=req.actor,
                              at=at, reason=req.reason, task=task)
        events: list[Any] = [plan_events.ReportReviewed(
            report_id=report.id, task_id=task.id, plan_id=plan.id, unit_id=report.unit_id,
            decision=report.status.value, reason=req.reason)]
        if report.status is ReportStatus.ACCEPTED:
            events += kpi_events(plan, before_task, task, others, [*others, report], "report",
                                 max(at, report.submitted_at))
            # a correction replaces what it corrects
            for older, superseded in superseded_by_acceptance(report, others, at):
                older.record(superseded)
        report.record(entry, *events)
        if task.period_completions != before_task.period_completions:
            task.record(AuditEntry(req.actor, "task.period_completed", "task", task.id, at,
                                   extra={"period_key": report.period_key,
                                          "report_id": report.id}))
        return uow.reports.reply(report)

    return run_command(ctx, "review_report", req.idempotency_key, run)


def get_report(req: ReportRef, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        return uow.reports.reply(uow.reports.get(req.report_id))


def list_reports(req: ListReportsRequest, ctx: Context) -> dict[str, Any]:
    filters = {name: getattr(req, name) for name in ("task_id", "unit_id", "status")
               if getattr(req, name) is not None}
    with ctx.unit_of_work() as uow:
        rows = uow.reports.page(req.plan_id, filters, req.after, req.limit + 1)
    return page_reply(rows, req.limit)
