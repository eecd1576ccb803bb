"""The plans use cases against the real database: progress summaries, exports and the audit
journal following every change."""

from __future__ import annotations

import base64
import csv
import io

import pytest
from openpyxl import load_workbook
from plans_handlers_kit import Q2_2021, imported

from services.contracts.plans_reporting import ExportRequest, ProgressRequest
from services.contracts.plans_reports import (
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.contracts.plans_tasks import (
    AddTaskRequest,
    TaskCommand,
)
from services.contracts.plans_units import (
    GetUnitRequest,
    UpsertUnitRequest,
)
from services.plans import reporting
from services.plans.domain import NotFound
from services.plans.use_cases import reports
from services.plans.use_cases.tasks import (
    add_task,
    change_task_status,
)
from services.plans.use_cases.units import upsert_unit
from services.plans.use_cases.units_as_of import get_unit


def test_progress_summary_and_exports(ctx, units):
    plan = imported(ctx)
    change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance-staff",
                                       at="2021-03-20T08:00:00+07:00"), "complete", ctx)
    summary = reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                         ctx)
    counts = summary["summary"]
    assert counts["completed_on_time"] == 1 and counts["overdue"] >= 1
    assert counts["total"] == sum(counts[b] for b in (
        "completed_on_time", "completed_late", "not_completed_within_deadline", "overdue"))
    guidance = next(t for t in summary["tasks"] if t["task_id"] == "stttt-guidance")
    assert guidance["children"][0]["bucket"] == "completed_on_time"
    assert guidance["percent_complete"] == 100.0

    csv_file = reporting.export_progress(ExportRequest(plan_id=plan["id"], format="csv",
                                                         view="units", as_of=Q2_2021), ctx)
    rows = list(csv.reader(io.StringIO(base64.b64decode(csv_file["content_base64"])
                                       .decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Đơn vị", "Tổng số nhiệm vụ"]
    assert any(r[1] == "Báo Gia Lai" for r in rows[1:])
    xlsx = reporting.export_progress(ExportRequest(plan_id=plan["id"], as_of=Q2_2021), ctx)
    book = load_workbook(io.BytesIO(base64.b64decode(xlsx["content_base64"])))
    assert book.sheetnames == ["Theo đơn vị", "Theo nhiệm vụ", "Chỉ tiêu"]
    task_sheet = book["Theo nhiệm vụ"]
    assert task_sheet.cell(3, 1).value == "Mã nhiệm vụ"
    assert task_sheet.max_row == 3 + 124


def test_progress_summary_follows_every_change(ctx, units, clock):
    """Summaries are reused until the plan's tasks, its reports or the unit names change."""
    plan = imported(ctx)

    def summary() -> dict:
        return reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                          ctx)

    def unit_name(result: dict, unit_id: str) -> str:
        return next(u["unit_name"] for u in result["units"] if u["unit_id"] == unit_id)

    first = summary()
    assert summary() == first
    change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance-staff",
                                       at="2021-03-20T08:00:00+07:00"), "complete", ctx)
    completed = summary()
    assert completed["summary"]["completed_on_time"] == first["summary"][
        "completed_on_time"] + 1
    report = reports.submit(SubmitReportRequest(
        plan_id=plan["id"], task_id="press-bgl-coverage", unit_id="bao-gia-lai",
        period_key="2021-Q1", counts=[{"channel": "press", "metric": "articles", "count": 14,
                                       "topic": "drugs"}]), ctx)
    assert summary()["reports_pending_review"] == completed["reports_pending_review"] + 1
    reports.review(ReviewReportRequest(report_id=report["id"], decision="accepted"), ctx)
    reviewed = summary()
    assert reviewed["reports_pending_review"] == completed["reports_pending_review"]
    bgl = next(t for t in reviewed["tasks"] if t["task_id"] == "press-bgl-coverage")
    assert bgl["percent_complete"] == 25.0  # Q1 of four quarters completed
    add_task(AddTaskRequest(plan_id=plan["id"], task_id="late-addition", task={
        "title": "Bổ sung", "lead_unit_id": "bao-gia-lai", "due_date": "2021-03-31"}), ctx)
    added = summary()
    assert added["summary"]["total"] == reviewed["summary"]["total"] + 1
    assert added["summary"]["overdue"] == reviewed["summary"]["overdue"] + 1
    assert "late-addition" in {t["task_id"] for t in added["tasks"]}
    # Read whole again (another process, or the cache expired): the same summary.
    reporting._plans.clear()
    reporting._summaries.clear()
    whole = summary()
    assert (whole["summary"], whole["units"]) == (added["summary"], added["units"])

    def by_id(result: dict) -> list:
        return sorted(result["tasks"], key=lambda t: t["task_id"])

    assert by_id(whole) == by_id(added)
    unit = get_unit(GetUnitRequest(unit_id="bao-gia-lai"), ctx)
    upsert_unit(UpsertUnitRequest(unit={**unit, "name": "Báo Gia Lai (điện tử)"}), ctx)
    assert unit_name(summary(), "bao-gia-lai") == "Báo Gia Lai (điện tử)"
    upsert_unit(UpsertUnitRequest(unit=unit), ctx)
    assert unit_name(summary(), "bao-gia-lai") == unit["name"]
    with pytest.raises(NotFound):
        reporting.progress_summary(ProgressRequest(plan_id="no-such-plan"), ctx)
