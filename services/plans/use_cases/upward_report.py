"""The report to the Provincial People's Committee on a plan (domain.upward_report), rendered
as DOCX or PDF (report_rendering). Coverage per topic comes in the request: it is monitoring's
statistic, which the gateway gathers by RPC (no service reads another's database).

Rendering takes a second or two of CPU in the worker (matplotlib, reportlab); reports are
asked for rarely, by people, so it runs inline like the XLSX export."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from services.contracts.plans_reporting import UpwardReportRequest
from services.plans.domain import LOCAL_TZ, local_date
from services.plans.domain.upward_report import (
    ReportInputs,
    TopicCoverage,
    build_upward_report,
)
from services.plans.files import export_file
from services.plans.report_rendering import CONTENT_TYPES, render
from services.plans.use_cases.context import Context


def upward_report(req: UpwardReportRequest, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        plan = uow.plans.read(req.plan_id)
        units = uow.units.directory()
        tasks = uow.tasks.of_plan(plan.id)
        reports = uow.reports.of_plan(plan.id)
    # Midday of the report's day: the figures depend on the local date only.
    as_of = (datetime.combine(req.as_of, time(12), LOCAL_TZ) if req.as_of is not None
             else ctx.now())
    today = local_date(as_of)
    issuer = units.get(plan.issuer_unit_id)
    superior = units.get(issuer.parent_id) if issuer and issuer.parent_id else None
    coverage = (None if req.coverage is None else
                [TopicCoverage(c.topic, c.items, c.outlet_unit_id) for c in req.coverage])
    report = build_upward_report(ReportInputs(
        plan=plan, tasks=tasks, reports=reports, as_of=as_of,
        unit_names={u.id: u.named_on(today).name for u in units.units()},
        issuer=issuer.named_on(today) if issuer else None,
        superior=superior.named_on(today) if superior else None, coverage=coverage,
        coverage_from=req.coverage_from, coverage_to=req.coverage_to))
    data = render(report, req.format)
    return export_file(f"{report.filename_stem}.{req.format}", CONTENT_TYPES[req.format], data,
                       len(tasks))
