"""Correcting an accepted report: a reviewed new version that supersedes the original once
accepted; progress counts the latest accepted version; bad corrections are refused clearly."""

from datetime import date, timedelta

import pytest
from plans_testkit import issued_plan, local, quarterly_task

from services.plans.domain import (
    Channel,
    Conflict,
    InvalidTransition,
    KpiMetric,
    Plan,
    ProgressReport,
    ReportContent,
    ReportCount,
    ReportStatus,
    Task,
    Topic,
    ValidationFailed,
    effective_reports,
    kpi_achievements,
    review_report,
    submit_correction,
    submit_report,
    superseded_by_acceptance,
)

AT = local(date(2021, 4, 2))


def articles(count: int) -> ReportContent:
    return ReportContent(counts=(ReportCount(Channel.PRESS, KpiMetric.ARTICLES, count,
                                             Topic.DRUGS),), narrative="Tin, bài quý I")


def accepted_report(p: Plan, t: Task, count: int = 14) -> ProgressReport:
    report, _ = submit_report(report_id="r1", plan=p, task=t, unit_id="bao-gia-lai",
                              period_key="2021-Q1", content=articles(count), actor="bgl", at=AT)
    review_report(report, accept=True, reviewer="officer", at=AT, task=t)
    return report


def correct(p: Plan, t: Task, original: ProgressReport, reports: list[ProgressReport],
            count: int = 41, reason: str = "Nhập nhầm 14 thay vì 41") -> ProgressReport:
    correction, entry = submit_correction(
        report_id=f"c{len(reports)}", original=original, plan=p, task=t,
        content=articles(count), reason=reason, actor="bgl", at=AT + timedelta(days=3),
        previous=reports)
    assert entry.action == "report.correction_submitted" and entry.note == reason
    return correction


def achieved(t: Task, reports: list[ProgressReport]) -> int:
    q1 = [k for k in kpi_achievements(t, reports, AT + timedelta(days=5))
          if k.period_key == "2021-Q1"]
    return q1[0].achieved


def test_an_accepted_correction_supersedes_the_original_and_progress_counts_it():
    p, t = issued_plan(), quarterly_task()
    original = accepted_report(p, t)
    correction = correct(p, t, original, [original])
    assert (correction.version, correction.status) == (2, ReportStatus.SUBMITTED)
    assert correction.corrects_report_id == "r1" and correction.period_key == "2021-Q1"
    # Under review: the original still counts.
    assert achieved(t, [original, correction]) == 14
    review_report(correction, accept=True, reviewer="officer", at=AT + timedelta(days=4), task=t)
    superseded = superseded_by_acceptance(correction, [original], AT + timedelta(days=4))
    assert [(r.id, e.action) for r, e in superseded] == [("r1", "report.superseded")]
    assert original.superseded_by == correction.id and original.status is ReportStatus.ACCEPTED
    assert achieved(t, [original, correction]) == 41
    assert [r.id for r in effective_reports([original, correction])] == [correction.id]


def test_a_returned_correction_leaves_the_original_counting_and_can_be_sent_again():
    p, t = issued_plan(), quarterly_task()
    original = accepted_report(p, t)
    correction = correct(p, t, original, [original])
    review_report(correction, accept=False, reviewer="officer", at=AT, reason="Thiếu minh chứng")
    assert achieved(t, [original, correction]) == 14
    again, entry = submit_report(report_id="c2", plan=p, task=t, unit_id="bao-gia-lai",
                                 period_key="2021-Q1", content=articles(40), actor="bgl", at=AT,
                                 previous=[original, correction])
    assert (again.version, again.corrects_report_id) == (3, "r1")
    assert entry.extra["corrects_report_id"] == "r1"


def test_only_an_accepted_current_report_without_a_pending_correction_is_corrected():
    p, t = issued_plan(), quarterly_task()
    submitted, _ = submit_report(report_id="s1", plan=p, task=t, unit_id="bao-gia-lai",
                                 period_key="2021-Q2", content=articles(3), actor="bgl", at=AT)
    with pytest.raises(InvalidTransition, match="only an accepted report can be corrected"):
        correct(p, t, submitted, [submitted])
    original = accepted_report(p, t)
    with pytest.raises(ValidationFailed, match="needs a reason"):
        correct(p, t, original, [original], reason="  ")
    with pytest.raises(ValidationFailed):
        correct(p, t, original, [original], count=-1)
    pending = correct(p, t, original, [original])
    with pytest.raises(Conflict, match="awaits review"):
        correct(p, t, original, [original, pending])
    review_report(pending, accept=True, reviewer="officer", at=AT, task=t)
    superseded_by_acceptance(pending, [original], AT)
    with pytest.raises(Conflict, match="superseded by"):
        correct(p, t, original, [original, pending])
    # A plain second report for an accepted period is refused, naming the way to correct it.
    with pytest.raises(Conflict, match="correct it instead"):
        submit_report(report_id="x", plan=p, task=t, unit_id="bao-gia-lai",
                      period_key="2021-Q1", content=articles(1), actor="bgl", at=AT,
                      previous=[original, pending])
