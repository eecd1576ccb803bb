"""A correction of an accepted report: a new version of the same task, unit and period, with
its reason. It is reviewed like any report (reports.review); accepting it supersedes the
original, which stays on record, and progress counts the latest accepted version."""

from __future__ import annotations

from typing import Any

from services.contracts.plans_changes import CorrectReportRequest
from services.plans import codec
from services.plans.domain import submit_correction
from services.plans.use_cases.context import Context, idempotent, load_plan
from services.plans.use_cases.reports import store_submission, stored_submission


def correct_report(req: CorrectReportRequest, ctx: Context) -> Any:
    def run() -> dict[str, Any]:
        found = stored_submission(ctx, req.idempotency_key)
        if found is not None:
            return found
        original = codec.report_from(ctx.repo.get_report(req.report_id))
        _, plan = load_plan(ctx, original.plan_id)
        task = codec.task_from(ctx.repo.get_task(original.plan_id, original.task_id))
        previous = [codec.report_from(d) for d in ctx.repo.task_reports(plan.id, task.id)]
        content = codec.content_from(req.model_dump(mode="json"))
        report, entry = submit_correction(
            report_id=ctx.repo.new_id(), original=original, plan=plan, task=task,
            content=content, reason=req.reason, actor=req.actor, at=ctx.now(),
            previous=previous)
        return store_submission(ctx, report, entry, req.idempotency_key)

    return idempotent("correct_report", ctx, req.idempotency_key, run)
