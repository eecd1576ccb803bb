"""A correction of an accepted report: a new version of the same task, unit and period, with
its reason. It is reviewed like any report (reports.review); accepting it supersedes the
original, which stays on record, and progress counts the latest accepted version."""

from __future__ import annotations

from typing import Any

from services.contracts.events import plans as ev
from services.contracts.plans_changes import CorrectReportRequest
from services.plans import codec
from services.plans.domain import submit_correction
from services.plans.use_cases.context import Context, idempotent, load_plan
from services.plans.use_cases.reports import count_totals


def correct_report(req: CorrectReportRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        if req.idempotency_key:  # the correction was stored, its reply not remembered yet
            found = ctx.repo.report_with_idempotency_key(req.idempotency_key)
            if found is not None:
                return codec.report_reply(found)
        original = codec.report_from(ctx.repo.get_report(req.report_id))
        _, plan = load_plan(ctx, original.plan_id)
        task = codec.task_from(ctx.repo.get_task(original.plan_id, original.task_id))
        previous = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)]
        content = codec.content_from(req.model_dump(mode="json"))
        report, entry = submit_correction(
            report_id=ctx.repo.new_id(), original=original, plan=plan, task=task,
            content=content, reason=req.reason, actor=req.actor, at=ctx.now(),
            previous=previous)
        doc = codec.report_to_doc(report)
        if req.idempotency_key:
            doc["idempotency_key"] = req.idempotency_key
        event = ev.ReportSubmitted(
            report_id=report.id, task_id=task.id, plan_id=plan.id, unit_id=report.unit_id,
            period_key=report.period_key, report_version=report.version,
            counts=count_totals(content), corrects_report_id=original.id)
        stored = ctx.repo.insert_report(doc, [ctx.envelope(event)])
        if stored["_id"] == report.id:
            ctx.repo.journal([entry], plan.id, task.id)
        return codec.report_reply(stored)

    return idempotent("correct_report", ctx, req.idempotency_key, run)
