"""Progress reports: submitting, reviewing (KPI progress and superseded originals) and
listing them (corrections: `corrections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.contracts.envelope import Envelope
from services.contracts.events import plans as plan_events
from services.contracts.plans_reports import (
    ListReportsRequest,
    ReportRef,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.plans import codec
from services.plans.domain import (
    AuditEntry,
    InvalidTransition,
    Plan,
    ProgressReport,
    ReportContent,
    ReportStatus,
    Task,
    kpi_achievements,
    parse_period_key,
    review_report,
    submit_report,
    superseded_by_acceptance,
)
from services.plans.repositories import StaleWrite
from services.plans.use_cases.context import (
    Context,
    idempotent,
    load_plan,
    page_reply,
)


def kpi_events(ctx: Context, plan: Plan, before: Task, after: Task,
                reports_before: Sequence[ProgressReport], reports_after: Sequence[ProgressReport],
                source: str, as_of: datetime, item_id: str | None = None) -> list[Envelope]:
    """kpi.progressed for every KPI row (target, unit, period) whose achieved count moved."""
    old = {(k.target_id, k.unit_id, k.period_key): k.achieved
           for k in kpi_achievements(before, reports_before, as_of)}
    events = []
    for k in kpi_achievements(after, reports_after, as_of):
        if old.get((k.target_id, k.unit_id, k.period_key), 0) != k.achieved:
            events.append(ctx.envelope(plan_events.KpiProgressed(
                task_id=after.id, plan_id=plan.id, unit_id=k.unit_id or after.lead_unit_id,
                metric=k.metric.value, topic=k.topic.value if k.topic else None,
                period_key=k.period_key, achieved=k.achieved, target=k.target, source=source,
                item_id=item_id, occurred_at=as_of)))
    return events


def submit(req: SubmitReportRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        found = stored_submission(ctx, req.idempotency_key)
        if found is not None:
            return found
        _, plan = load_plan(ctx, req.plan_id)
        task = codec.task_from(ctx.repo.get_task(req.plan_id, req.task_id))
        previous = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)]
        content = codec.content_from(req.model_dump(mode="json"))
        report, entry = submit_report(
            report_id=ctx.repo.new_id(), plan=plan, task=task, unit_id=req.unit_id,
            period_key=req.period_key, content=content, actor=req.actor, at=ctx.now(),
            previous=previous)
        return store_submission(ctx, report, entry, req.idempotency_key)

    return idempotent("submit_report", ctx, req.idempotency_key, run)


def stored_submission(ctx: Context, idempotency_key: str | None) -> dict[str, Any] | None:
    """The report a submission with this key stored whose reply was not remembered yet."""
    found = (ctx.repo.report_with_idempotency_key(idempotency_key) if idempotency_key
             else None)
    return None if found is None else codec.report_reply(found)


def store_submission(ctx: Context, report: ProgressReport, entry: AuditEntry,
                     idempotency_key: str | None) -> dict[str, Any]:
    """Store a new report (a submission or a correction) with `report.submitted` and its
    journal entry; a report stored before under the same key is answered instead."""
    doc = codec.report_to_doc(report)
    if idempotency_key:
        doc["idempotency_key"] = idempotency_key
    event = plan_events.ReportSubmitted(
        report_id=report.id, task_id=report.task_id, plan_id=report.plan_id,
        unit_id=report.unit_id, period_key=report.period_key, report_version=report.version,
        counts=count_totals(report.content), corrects_report_id=report.corrects_report_id)
    stored = ctx.repo.insert_report(doc, [ctx.envelope(event)])
    if stored["_id"] == report.id:
        ctx.repo.journal([entry], report.plan_id, report.task_id)
    return codec.report_reply(stored)


def count_totals(content: ReportContent) -> dict[str, int]:
    totals: dict[str, int] = {}
    for count in content.counts:
        totals[count.metric.value] = totals.get(count.metric.value, 0) + count.count
    return totals


def review(req: ReviewReportRequest, ctx: Context) -> Any:
    def attempt() -> dict[str, Any]:
        report_doc = ctx.repo.get_report(req.report_id)
        report = codec.report_from(report_doc)
        _, plan = load_plan(ctx, report.plan_id)
        task_doc = ctx.repo.get_task(report.plan_id, report.task_id)
        task = codec.task_from(task_doc)
        before_task = codec.task_from(task_doc)
        others = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)
                  if d["_id"] != report.id]
        at = ctx.now()
        entry = review_report(report, accept=req.decision == "accepted", reviewer=req.actor,
                              at=at, reason=req.reason, task=task)
        events = [ctx.envelope(plan_events.ReportReviewed(
            report_id=report.id, task_id=task.id, plan_id=plan.id, unit_id=report.unit_id,
            decision=report.status.value, reason=req.reason))]
        if report.status is ReportStatus.ACCEPTED:
            as_of = max(at, report.submitted_at)
            events += kpi_events(ctx, plan, before_task, task, others, [*others, report],
                                  "report", as_of)
        stored = ctx.repo.review(report_doc, {
            "status": report.status.value, "reviewed_by": report.reviewed_by,
            "reviewed_at": report.reviewed_at, "review_reason": report.review_reason}, events)
        entries = [entry]
        if report.status is ReportStatus.ACCEPTED:  # a correction replaces what it corrects
            for older, superseded in superseded_by_acceptance(report, others, at):
                ctx.repo.mark_superseded(plan.id, older.id, report.id)
                entries.append(superseded)
        if task.period_completions != before_task.period_completions:
            recurrence = task.recurrence  # only recurring tasks complete periods
            deadline = (recurrence.deadline(parse_period_key(report.period_key)).isoformat()
                        if recurrence is not None else None)
            ctx.repo.complete_period(plan.id, task_doc["_id"], report.period_key,
                                     task.period_completions[report.period_key], deadline)
            entries.append(AuditEntry(req.actor, "task.period_completed", "task", task.id, at,
                                      extra={"period_key": report.period_key,
                                             "report_id": report.id}))
        ctx.repo.journal(entries, plan.id, task.id)
        return codec.report_reply(stored)

    def guarded() -> dict[str, Any]:
        try:
            return attempt()
        except StaleWrite:
            status = ctx.repo.get_report(req.report_id)["status"]
            raise InvalidTransition(f"report {req.report_id} is already {status}",
                                    {"report_id": req.report_id, "status": status}) from None

    return idempotent("review_report", ctx, req.idempotency_key, guarded)


def get_report(req: ReportRef, ctx: Context) -> dict[str, Any]:
    return codec.report_reply(ctx.repo.get_report(req.report_id))


def list_reports(req: ListReportsRequest, ctx: Context) -> dict[str, Any]:
    filters = {name: getattr(req, name) for name in ("task_id", "unit_id", "status")
               if getattr(req, name) is not None}
    rows = ctx.repo.reports_page(req.plan_id, filters, req.after, req.limit + 1)
    return page_reply(rows, req.limit, codec.report_reply)
