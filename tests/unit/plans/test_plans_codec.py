"""Documents round-trip to the same domain entities, so storage never changes a plan."""

from __future__ import annotations

from datetime import UTC, datetime

from plans_testkit import seed_plan, seed_units

from services.contracts.plans_documents import PlanDetail
from services.contracts.plans_reports import ReportDetail
from services.contracts.plans_tasks import TaskDetail
from services.plans import codec
from services.plans.domain import ProgressReport, ReportContent, ReportCount
from services.plans.domain.vocabulary import Channel, KpiMetric, Topic


def test_seed_plan_tasks_and_units_round_trip():
    imported = seed_plan()
    again = codec.plan_from(codec.plan_to_doc(imported.plan))
    assert codec.plan_to_doc(again) == codec.plan_to_doc(imported.plan)
    assert again.signer == imported.plan.signer and again.basis == imported.plan.basis
    for task in imported.tasks:
        doc = codec.task_to_doc(task)
        assert codec.task_to_doc(codec.task_from(doc)) == doc
        assert doc["_id"] == f"{task.plan_id}:{task.id}"
    units, groups = seed_units()
    assert all(codec.unit_from(codec.unit_to_doc(u)) == u for u in units)
    assert all(codec.group_from(codec.group_to_doc(g)) == g for g in groups)


def test_report_round_trip_and_reply_matches_the_contract():
    report = ProgressReport(
        "r1", "p1", "t1", "bao-gia-lai", "2021-Q1", 1,
        ReportContent(counts=(ReportCount(Channel.PRESS, KpiMetric.ARTICLES, 5, Topic.DRUGS),),
                      narrative="Năm tin, bài"),
        "reporter", datetime(2021, 4, 1, tzinfo=UTC))
    doc = codec.report_to_doc(report)
    assert codec.report_from(doc) == report
    reply = ReportDetail.model_validate(codec.report_reply(doc))
    assert reply.counts[0].topic == "drugs" and reply.narrative == "Năm tin, bài"


def test_plan_and_task_replies_validate_against_the_contract():
    imported = seed_plan()
    detail = PlanDetail.model_validate(
        codec.plan_detail(codec.plan_to_doc(imported.plan), len(imported.tasks)))
    assert detail.number == "25/KH-STTTT" and detail.task_count == len(imported.tasks)
    task = next(t for t in imported.tasks if t.id == "press-bgl-coverage")
    reply = TaskDetail.model_validate(codec.task_reply(codec.task_to_doc(task), None))
    assert reply.recurrence is not None and reply.kpis[0].id == "drugs-articles"


def test_task_watch_lists_open_deadlines_without_recorded_overdue_periods():
    coverage = next(t for t in seed_plan().tasks if t.id == "press-bgl-coverage")
    assert codec.task_watch(coverage) == {
        "alert_deadlines": ["2021-04-05", "2021-07-05", "2021-10-05", "2022-01-05"]}
    sent = [codec.alert_key(coverage.id, "2021-Q1", "due_soon"),
            codec.alert_key(coverage.id, "2021-Q1", "overdue"),
            codec.alert_key("other:task", "2021-Q2", "overdue")]
    assert codec.overdue_periods(sent) == {"2021-Q1", "2021-Q2"}
    assert codec.task_watch(coverage, sent[:2])["alert_deadlines"][0] == "2021-07-05"
