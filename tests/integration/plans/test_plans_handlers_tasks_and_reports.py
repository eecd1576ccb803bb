"""The plans use cases against the real database: reports, their review and KPIs, the task
life cycle's events, automatic evidence from coverage and acknowledged directives."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from plans_handlers_kit import Q2_2021, imported, outbox_types

from services.contracts.events.monitoring import CoverageMatched
from services.contracts.events.notifications import NotificationAcknowledged
from services.contracts.plans_reporting import ProgressRequest
from services.contracts.plans_reports import (
    ReportCountModel,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.contracts.plans_tasks import (
    AssignTaskRequest,
    ListTasksRequest,
    TaskCommand,
    TaskReasonCommand,
    TaskRef,
    UpdateTaskRequest,
)
from services.plans import reporting
from services.plans.domain import Conflict, InvalidTransition, ValidationFailed
from services.plans.use_cases import reports
from services.plans.use_cases.evidence import on_acknowledged, on_coverage
from services.plans.use_cases.tasks import (
    assign_task,
    change_task_status,
    get_task,
    list_tasks,
    update_task,
)


def test_reports_review_kpis_and_idempotent_submission(ctx, units, db, clock):
    plan = imported(ctx)
    submit = SubmitReportRequest(
        plan_id=plan["id"], task_id="press-bgl-coverage", unit_id="bao-gia-lai",
        period_key="2021-Q1", narrative="Quý I: 14 tin, bài về ma túy",
        counts=[{"channel": "press", "metric": "articles", "count": 14, "topic": "drugs"}],
        links=[{"url": "https://baogialai.example.org/a1", "kind": "article"}],
        idempotency_key=uuid.uuid4().hex, actor="bgl-reporter")
    first = reports.submit(submit, ctx)
    assert reports.submit(submit, ctx)["id"] == first["id"]  # a retried RPC does not count twice
    assert db["reports"].count_documents({"plan_id": plan["id"]}) == 1
    with pytest.raises(Conflict):  # a second open report for the same unit and period
        reports.submit(submit.model_copy(update={"idempotency_key": None}), ctx)
    with pytest.raises(ValidationFailed):  # negative counts
        reports.submit(submit.model_copy(update={
            "idempotency_key": None, "period_key": "2021-Q2",
            "counts": [ReportCountModel(channel="press", metric="articles", count=-1)]}), ctx)
    with pytest.raises(ValidationFailed):  # not a unit of the task
        reports.submit(submit.model_copy(update={"idempotency_key": None, "unit_id": "vtv-tt-gl"}),
                 ctx)

    returned = reports.review(ReviewReportRequest(report_id=first["id"], decision="returned",
                                              reason="Thiếu minh chứng"), ctx)
    assert returned["status"] == "returned"
    with pytest.raises(InvalidTransition):
        reports.review(ReviewReportRequest(report_id=first["id"], decision="accepted"), ctx)
    second = reports.submit(submit.model_copy(update={"idempotency_key": None}), ctx)
    assert second["version"] == 2
    clock.at = datetime(2021, 4, 3, 3, tzinfo=UTC)
    accepted = reports.review(ReviewReportRequest(report_id=second["id"], decision="accepted",
                                              actor="department"), ctx)
    assert accepted["status"] == "accepted"
    report_doc = db["reports"].find_one({"_id": second["id"]})
    kpis = [e["data"] for e in report_doc["_outbox"] if e["type"] == "kpi.progressed"]
    assert {(k["period_key"], k["achieved"], k["target"]) for k in kpis} >= {("2021-Q1", 14, 12)}
    task = get_task(TaskRef(plan_id=plan["id"], task_id="press-bgl-coverage"), ctx)
    assert "2021-Q1" in task["period_completions"]

    change_task_status(TaskReasonCommand(plan_id=plan["id"], task_id="press-bgl-coverage",
                                             reason="Dừng"), "cancel", ctx)
    with pytest.raises(InvalidTransition):  # reporting on a cancelled task
        reports.submit(submit.model_copy(update={"idempotency_key": None, "period_key": "2021-Q2"}),
                 ctx)


def test_task_life_cycle_emits_status_changes_and_assignments(ctx, units, db):
    plan = imported(ctx)
    key = f"{plan['id']}:stttt-guidance"
    started = change_task_status(TaskCommand(plan_id=plan["id"], task_id="stttt-guidance",
                                                 actor="o1"), "start", ctx)
    assert started["status"] == "in_progress"
    done = change_task_status(TaskCommand(
        plan_id=plan["id"], task_id="stttt-guidance", at="2021-03-10T08:00:00+07:00"),
        "complete", ctx)
    assert done["bucket"] == "completed_on_time"
    with pytest.raises(InvalidTransition):  # a completed task is reopened, not cancelled
        change_task_status(TaskReasonCommand(plan_id=plan["id"], task_id="stttt-guidance",
                                                 reason="x"), "cancel", ctx)
    assign_task(AssignTaskRequest(plan_id=plan["id"], task_id="stttt-cyberspace",
                                      lead_unit_id="gl-stttt",
                                      coordinating_unit_ids=["gl-congan", "bao-gia-lai"]), ctx)
    with pytest.raises(ValidationFailed):
        assign_task(AssignTaskRequest(plan_id=plan["id"], task_id="stttt-cyberspace",
                                          lead_unit_id="no-such-unit"), ctx)
    assert outbox_types(db["tasks"], key) == ["task.status_changed", "task.status_changed"]
    assert outbox_types(db["tasks"], f"{plan['id']}:stttt-cyberspace") == ["task.assigned"]
    mine = list_tasks(ListTasksRequest(plan_id=plan["id"], unit_id="bao-gia-lai"), ctx)
    assert {"press-bgl-coverage", "stttt-cyberspace"} <= {t["task_id"] for t in mine["items"]}
    updated = update_task(UpdateTaskRequest(plan_id=plan["id"], task_id="ttvh-materials",
                                                changes={"due_date": "2021-09-30"}), ctx)
    assert updated["due_date"] == "2021-09-30"


def coverage(plan_id: str, item_id: str, **kw) -> CoverageMatched:
    fields = {"item_id": item_id, "task_id": "press-bgl-coverage", "plan_id": plan_id,
              "outlet_unit_id": "bao-gia-lai", "topic": "drugs", "title": "Bắt giữ ma túy",
              "url": f"https://baogialai.example.org/{item_id}",
              "published_at": datetime(2021, 3, 20, 3, tzinfo=UTC),
              "content_hash": "ab" * 32}
    return CoverageMatched(**{**fields, **kw})


def test_coverage_counts_once_per_item_as_evidence(ctx, units, db):
    plan = imported(ctx)
    event = coverage(plan["id"], "item-1")
    assert on_coverage(event, event.published_at, ctx) == "applied"
    assert on_coverage(event, event.published_at, ctx) == "duplicate"
    other = coverage(plan["id"], "item-2", outlet_unit_id="vtv-tt-gl")
    assert on_coverage(other, other.published_at, ctx) == "unit_not_assigned"
    task = get_task(TaskRef(plan_id=plan["id"], task_id="press-bgl-coverage"), ctx)
    assert [e["url"] for e in task["evidence"]] == ["https://baogialai.example.org/item-1"]
    events = [e["data"] for e in db["tasks"].find_one(
        {"_id": f"{plan['id']}:press-bgl-coverage"})["_outbox"]]
    assert {(e["period_key"], e["achieved"], e["source"]) for e in events} == {
        ("2021-Q1", 1, "coverage"), ("2021-Y", 1, "coverage")}
    summary = reporting.progress_summary(ProgressRequest(plan_id=plan["id"], as_of=Q2_2021),
                                         ctx)
    bgl = next(u for u in summary["units"] if u["unit_id"] == "bao-gia-lai")
    assert bgl["kpis_total"] > 0


def test_acknowledged_directive_is_recorded_once(ctx, units):
    plan = imported(ctx)
    ack = NotificationAcknowledged(notice_id="n-1", unit_id="bao-gia-lai", via="link",
                                   acknowledged_at=datetime(2021, 3, 1, tzinfo=UTC),
                                   plan_id=plan["id"], task_id="press-bgl-coverage")
    assert on_acknowledged(ack, ctx) is True
    assert on_acknowledged(ack, ctx) is False
    task = get_task(TaskRef(plan_id=plan["id"], task_id="press-bgl-coverage"), ctx)
    assert [r["unit_id"] for r in task["receipts"]] == ["bao-gia-lai"]
