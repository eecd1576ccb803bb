"""A correction of an accepted report: a new version of the same task, unit and period, with
its reason. It is reviewed like any report (reports.review); accepting it supersedes the
original, which stays on record, and progress counts the latest accepted version."""

from __future__ import annotations

from typing import Any

from services.contracts.plans_changes import CorrectReportRequest
from services.plans.domain import AuditEntry, ProgressReport, ReportContent, submit_correction
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context
from services.plans.use_cases.reports import new_id, new_report


def correct_report(req: CorrectReportRequest, ctx: Context) -> Any:
    def report(uow: PlansUnitOfWork, content: ReportContent
               ) -> tuple[ProgressReport, AuditEntry]:
        original = uow.reports.get(req.report_id)
        plan = uow.plans.read(original.plan_id)
        task = uow.tasks.get(original.plan_id, original.task_id)
        return submit_correction(
            report_id=new_id(), original=original, plan=plan, task=task,
            content=content, reason=req.reason, actor=req.actor, at=ctx.now(),
            previous=uow.reports.of_task(plan.id, task.id))

    return new_report(ctx, "correct_report", req, report)
