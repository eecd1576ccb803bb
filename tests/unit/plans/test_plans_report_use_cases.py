"""Reports, corrections, coverage evidence, receipts and the remaining task use cases on an
in-memory unit of work, over the seed plan issued: what a submission, a review, a correction,
a counted article and an acknowledgement write (documents, events, journal, progress stamp),
and what a retried command answers after the process died before its reply was kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fake_unit_of_work import InMemoryDocuments
from plans_testkit import SEED_DIR

from services.contracts.events.monitoring import CoverageMatched
from services.contracts.events.notifications import NotificationAcknowledged
from services.contracts.plans_changes import CorrectReportRequest
from services.contracts.plans_documents import ImportPlanRequest
from services.contracts.plans_reports import (
    ListReportsRequest,
    ReportRef,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.contracts.plans_tasks import AddTaskRequest, ListTasksRequest, TaskRef
from services.contracts.plans_units import ImportUnitsRequest
from services.plans.domain import Conflict, InvalidTransition, NotFound
from services.plans.use_cases import corrections, evidence, reports
from services.plans.use_cases.context import Context
from services.plans.use_cases.plans import import_plan
from services.plans.use_cases.tasks import add_task, get_task, list_tasks
from services.plans.use_cases.units import import_units

PLAN = "plan-25-kh-stttt-2021"
TASK = "press-bgl-coverage"
TASK_KEY = f"{PLAN}:{TASK}"


@pytest.fixture
def ctx(ctx: Context, documents: InMemoryDocuments) -> Context:
    """The context over the seed plan, issued (its journal and events left out)."""
    for read, request in ((import_units, ImportUnitsRequest), (import_plan, ImportPlanRequest)):
        name = "units-gia-lai.yaml" if read is import_units else "plan-25-KH-STTTT-2021.yaml"
        extra = {} if read is import_units else {"issue": True}
        read(request(content=(SEED_DIR / name).read_text(encoding="utf-8"), actor="officer-1",
                     **extra), ctx)
    documents["audit"].clear()
    documents.outbox.clear()
    return ctx


def submission(key: str | None = None, count: int = 14) -> SubmitReportRequest:
    return SubmitReportRequest(
        plan_id=PLAN, task_id=TASK, unit_id="bao-gia-lai", period_key="2021-Q1",
        counts=[{"channel": "press", "metric": "articles", "count": count, "topic": "drugs"}],
        actor="bao-gia-lai", idempotency_key=key)


def journal(documents: InMemoryDocuments) -> list[str]:
    return [entry["action"] for entry in documents["audit"].values()]


def event_types(documents: InMemoryDocuments) -> list[str]:
    return [event.type for event in documents.outbox]


def test_a_submission_is_stored_with_its_event_journal_and_stamp_once_for_a_key(
        ctx: Context, documents: InMemoryDocuments) -> None:
    seq = documents["progress_stamps"][f"plan:{PLAN}"]["seq"]
    first = reports.submit(submission("k1"), ctx)
    documents["idempotency"].clear()  # the process died before keeping the reply

    assert reports.submit(submission("k1"), ctx) == first
    assert first["status"] == "submitted" and len(documents["reports"]) == 1
    assert documents["reports"][first["id"]]["idempotency_key"] == "k1"
    assert event_types(documents) == ["report.submitted"]
    assert journal(documents) == ["report.submitted"]
    assert documents["progress_stamps"][f"plan:{PLAN}"]["seq"] == seq + 1
    read = reports.get_report(ReportRef(report_id=first["id"]), ctx)
    assert (read["id"], read["status"], read["counts"]) == (first["id"], "submitted",
                                                            first["counts"])
    listed = reports.list_reports(ListReportsRequest(plan_id=PLAN, task_id=TASK), ctx)
    assert [r["id"] for r in listed["items"]] == [first["id"]]


def test_an_accepted_report_counts_its_kpis_completes_its_period_and_is_reviewed_once(
        ctx: Context, documents: InMemoryDocuments) -> None:
    report = reports.submit(submission(), ctx)
    request = ReviewReportRequest(report_id=report["id"], decision="accepted",
                                  actor="officer-1", idempotency_key="r1")

    reviewed = reports.review(request, ctx)
    documents["idempotency"].clear()

    assert reports.review(request, ctx) == reviewed and reviewed["status"] == "accepted"
    assert event_types(documents)[1:3] == ["report.reviewed", "kpi.progressed"]
    assert event_types(documents).count("report.reviewed") == 1
    task = documents["tasks"][TASK_KEY]
    assert "2021-Q1" in task["period_completions"] and task["version"] == 2
    assert journal(documents)[1:] == ["report.accepted", "task.period_completed"]
    with pytest.raises(InvalidTransition):
        reports.review(ReviewReportRequest(report_id=report["id"], decision="returned",
                                           reason="Thiếu", actor="officer-1"), ctx)


def test_an_accepted_correction_supersedes_the_original(
        ctx: Context, documents: InMemoryDocuments) -> None:
    original = reports.submit(submission(), ctx)
    reports.review(ReviewReportRequest(report_id=original["id"], decision="accepted"), ctx)

    corrected = corrections.correct_report(CorrectReportRequest(
        report_id=original["id"], reason="Nhập nhầm: 41 thay vì 14",
        counts=[{"channel": "press", "metric": "articles", "count": 41, "topic": "drugs"}]),
        ctx)
    reports.review(ReviewReportRequest(report_id=corrected["id"], decision="accepted"), ctx)

    assert corrected["version"] == 2 and corrected["corrects_report_id"] == original["id"]
    assert documents["reports"][original["id"]]["superseded_by"] == corrected["id"]
    assert journal(documents)[-2:] == ["report.accepted", "report.superseded"]


def test_a_counted_article_changes_the_task_with_its_kpi_event_once_per_item(
        ctx: Context, documents: InMemoryDocuments) -> None:
    article = CoverageMatched(
        item_id="item-1", task_id=TASK, plan_id=PLAN, outlet_unit_id="bao-gia-lai",
        topic="drugs", url="https://baogialai.com.vn/a", title="Ma túy",
        published_at=datetime(2021, 2, 27, tzinfo=UTC), content_hash="h")
    now = datetime(2021, 3, 1, tzinfo=UTC)

    first = evidence.on_coverage(article, now, ctx)
    again = evidence.on_coverage(article, now, ctx)
    unknown = evidence.on_coverage(article.model_copy(update={"task_id": "nope"}), now, ctx)

    assert (first, unknown) == ("applied", "unknown_task") and again == "duplicate"
    assert documents["tasks"][TASK_KEY]["version"] == 2
    assert set(event_types(documents)) == {"kpi.progressed"}  # one write, none for the repeat
    assert len(journal(documents)) == 1


def test_an_acknowledgement_is_a_receipt_once_with_its_journal_entry(
        ctx: Context, documents: InMemoryDocuments) -> None:
    acknowledged = NotificationAcknowledged(
        notice_id="n1", unit_id="bao-gia-lai", acknowledged_at=datetime(2021, 3, 2, tzinfo=UTC),
        via="link", plan_id=PLAN, task_id=TASK)

    assert evidence.on_acknowledged(acknowledged, ctx) is True
    assert evidence.on_acknowledged(acknowledged, ctx) is False

    assert journal(documents) == ["directive.acknowledged"]
    receipts = get_task(TaskRef(plan_id=PLAN, task_id=TASK), ctx)["receipts"]
    assert [(r["unit_id"], r["notice_id"], r["via"]) for r in receipts] == [
        ("bao-gia-lai", "n1", "link")]


def test_a_task_added_to_an_issued_plan_is_assigned_and_listed(
        ctx: Context, documents: InMemoryDocuments) -> None:
    request = AddTaskRequest(plan_id=PLAN, task_id="extra", idempotency_key="t1", task={
        "title": "Thêm", "lead_unit_id": "bao-gia-lai", "due_date": "2021-06-30"})

    added = add_task(request, ctx)
    documents["idempotency"].clear()

    assert add_task(request, ctx) == added and added["bucket"] is not None
    assert event_types(documents) == ["task.assigned"] and journal(documents) == [
        "task.created"]
    with pytest.raises(Conflict):
        add_task(request.model_copy(update={"idempotency_key": "t2"}), ctx)
    listed = list_tasks(ListTasksRequest(plan_id=PLAN, unit_id="bao-gia-lai", limit=50), ctx)
    assert "extra" in [task["task_id"] for task in listed["items"]]
    with pytest.raises(NotFound):
        list_tasks(ListTasksRequest(plan_id="nope"), ctx)
