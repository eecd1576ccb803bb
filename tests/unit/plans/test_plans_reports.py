from collections.abc import Sequence
from datetime import date

import pytest
from plans_testkit import issued_plan, local, plan, quarterly_task, task

from services.plans.domain import (
    Attachment,
    AuditEntry,
    Channel,
    Conflict,
    CoverageMatched,
    EvidenceLink,
    EvidenceOutcome,
    InvalidTransition,
    KpiMetric,
    KpiTarget,
    PeriodKind,
    Plan,
    ProgressReport,
    Recurrence,
    RecurrenceKind,
    ReportContent,
    ReportCount,
    ReportStatus,
    Task,
    Topic,
    ValidationFailed,
    apply_coverage,
    kpi_achievements,
    review_report,
    submit_report,
)

AT = local(date(2021, 4, 2))
SHA = "a" * 64


def content(count: int = 5, topic: Topic | None = Topic.DRUGS) -> ReportContent:
    return ReportContent(
        counts=(ReportCount(Channel.PRESS, KpiMetric.ARTICLES, count, topic),),
        narrative="Đã đăng tin, bài",
        links=(EvidenceLink("https://baogialai.example.org/a1"),),
        attachments=(Attachment("bao-cao.pdf", 1024, "application/pdf", SHA),),
    )


def submit(
    p: Plan,
    t: Task,
    unit: str = "bao-gia-lai",
    previous: Sequence[ProgressReport] = (),
    c: ReportContent | None = None,
    rid: str = "r1",
) -> tuple[ProgressReport, AuditEntry]:
    return submit_report(
        report_id=rid, plan=p, task=t, unit_id=unit, period_key="2021-Q1",
        content=c or content(), actor="reporter", at=AT, previous=previous,
    )


def test_lead_and_coordinating_units_may_report_others_may_not() -> None:
    p, t = issued_plan(), quarterly_task()
    report, entry = submit(p, t)
    assert (report.version, report.status) == (1, ReportStatus.SUBMITTED)
    assert entry.action == "report.submitted"
    submit(p, t, unit="dai-ptth", rid="r2")
    with pytest.raises(ValidationFailed) as err:
        submit(p, t, unit="pvhtt-kbang", rid="r3")
    assert err.value.details["field"] == "unit_id"


def test_no_report_on_cancelled_task_or_closed_or_draft_plan() -> None:
    t = quarterly_task()
    with pytest.raises(InvalidTransition):
        submit(plan(), t)  # draft
    p = issued_plan()
    p.close("officer", AT)
    with pytest.raises(InvalidTransition):
        submit(p, t)
    p2 = issued_plan()
    t.cancel("officer", AT, "x")
    with pytest.raises(InvalidTransition):
        submit(p2, t)


def test_invalid_content_is_rejected_with_fields() -> None:
    p, t = issued_plan(), quarterly_task()
    bad = ReportContent(
        counts=(ReportCount(Channel.RADIO, KpiMetric.BROADCASTS, -1),),
        links=(EvidenceLink("ftp://x"),),
        attachments=(Attachment("a.pdf", 10, "application/pdf", "nope"),),
    )
    with pytest.raises(ValidationFailed) as err:
        submit(p, t, c=bad)
    fields = [e["field"] for e in err.value.details["errors"]]
    assert fields == ["counts[0].count", "links[0].url", "attachments[0].sha256"]


def test_quantities_beyond_what_storage_holds_are_rejected() -> None:
    p, t = issued_plan(), quarterly_task()
    huge = ReportContent(counts=(ReportCount(Channel.RADIO, KpiMetric.BROADCASTS, 10**25),),
                         attachments=(Attachment("a.pdf", 2**70, "application/pdf", "a" * 64),))
    with pytest.raises(ValidationFailed) as err:
        submit(p, t, c=huge)
    fields = [e["field"] for e in err.value.details["errors"]]
    assert fields == ["counts[0].count", "attachments[0].size"]
    with pytest.raises(ValidationFailed) as err:
        KpiTarget("k", KpiMetric.ARTICLES, 10**25, PeriodKind.MONTHLY)
    assert err.value.details["field"] == "target"
    assert KpiTarget("k", KpiMetric.ARTICLES, 1_000_000_000, PeriodKind.MONTHLY).target


def test_review_return_then_resubmit_as_new_version() -> None:
    p, t = issued_plan(), quarterly_task()
    first, _ = submit(p, t)
    with pytest.raises(Conflict):
        submit(p, t, previous=[first], rid="r2")  # still under review
    with pytest.raises(ValidationFailed):
        review_report(first, accept=False, reviewer="dept", at=AT)  # reason required
    entry = review_report(first, accept=False, reviewer="dept", at=AT, reason="thiếu minh chứng")
    assert first.status is ReportStatus.RETURNED and entry.note == "thiếu minh chứng"
    with pytest.raises(InvalidTransition):
        review_report(first, accept=True, reviewer="dept", at=AT)
    second, entry = submit(p, t, previous=[first], rid="r2")
    assert second.version == 2 and entry.action == "report.resubmitted"
    review_report(second, accept=True, reviewer="dept", at=AT, task=t)
    with pytest.raises(Conflict):
        submit(p, t, previous=[first, second], rid="r3")  # accepted: closed for this period


def test_accepting_the_lead_units_report_completes_the_period() -> None:
    p, t = issued_plan(), quarterly_task()
    coordinating, _ = submit(p, t, unit="dai-ptth", rid="c1")
    review_report(coordinating, accept=True, reviewer="dept", at=AT, task=t)
    assert t.period_completions == {}
    lead, _ = submit(p, t, rid="l1")
    review_report(lead, accept=True, reviewer="dept", at=local(date(2021, 4, 9)), task=t)
    assert t.period_completions == {"2021-Q1": AT}  # the submission time counts


def coverage(item: str, outlet: str = "bao-gia-lai", topic: Topic | None = Topic.DRUGS,
             day: date = date(2021, 3, 10)) -> CoverageMatched:
    return CoverageMatched(item, f"https://x.example.org/{item}", outlet, topic, local(day))


def test_coverage_counts_once_per_item() -> None:
    t = quarterly_task()
    first = apply_coverage(t, coverage("item-1"))
    assert first.applied and first.target_ids == ("drugs",)
    assert first.audit is not None and first.audit.extra["item_id"] == "item-1"
    again = apply_coverage(t, coverage("item-1"))
    assert not again.applied and again.outcome is EvidenceOutcome.DUPLICATE
    assert again.audit is None
    assert len(t.evidence) == 1


def test_coverage_that_does_not_match_is_not_counted() -> None:
    t = quarterly_task()
    assert apply_coverage(t, coverage("a", outlet="vtv")).outcome is (
        EvidenceOutcome.UNIT_NOT_ASSIGNED)
    assert apply_coverage(t, coverage("b", topic=Topic.GAMBLING)).outcome is (
        EvidenceOutcome.NO_MATCHING_TARGET)
    assert apply_coverage(t, coverage("c", day=date(2022, 1, 3))).outcome is (
        EvidenceOutcome.OUTSIDE_WINDOW)
    t.cancel("o", AT, "x")
    assert apply_coverage(t, coverage("d")).outcome is EvidenceOutcome.TASK_CANCELLED
    assert t.evidence == {}


def test_kpi_achievement_per_period_from_reports_and_evidence() -> None:
    p, t = issued_plan(), quarterly_task()
    for i in range(7):
        apply_coverage(t, coverage(f"q1-{i}"))
    apply_coverage(t, coverage("q2-0", day=date(2021, 4, 20)))
    report, _ = submit(p, t, c=content(10))
    review_report(report, accept=True, reviewer="dept", at=AT, task=t)
    rows = {r.period_key: r for r in kpi_achievements(t, [report], local(date(2021, 5, 1)))}
    assert set(rows) == {"2021-Q1", "2021-Q2"}  # Q3 has not started
    q1 = rows["2021-Q1"]
    assert (q1.reported, q1.evidenced, q1.achieved, q1.target, q1.met) == (10, 7, 10, 12, False)
    assert (rows["2021-Q2"].evidenced, rows["2021-Q2"].reported) == (1, 0)


def test_per_unit_kpi_and_untopical_counts() -> None:
    p = issued_plan()
    target = KpiTarget("all", KpiMetric.ARTICLES, 3, PeriodKind.QUARTERLY, per_unit=True)
    rec = Recurrence(RecurrenceKind.QUARTERLY, date(2021, 1, 1), date(2021, 3, 31))
    t = task("t", recurrence=rec, coordinating_unit_ids=("dai-ptth",), kpis=(target,))
    report, _ = submit(p, t, c=content(4, topic=None))
    review_report(report, accept=True, reviewer="dept", at=AT)
    rows = {r.unit_id: r for r in kpi_achievements(t, [report], AT)}
    assert rows["bao-gia-lai"].met and not rows["dai-ptth"].met


def test_period_must_belong_to_the_task() -> None:
    p, t = issued_plan(), quarterly_task()
    for bad in ("2021-M03", "2022-Q1", "garbage"):
        with pytest.raises(ValidationFailed) as err:
            submit_report(report_id="r", plan=p, task=t, unit_id="bao-gia-lai", period_key=bad,
                          content=content(), actor="a", at=AT)
        assert err.value.details["field"] == "period_key"
    one_shot = task("once")
    report, _ = submit_report(report_id="r", plan=p, task=one_shot, unit_id="bao-gia-lai",
                              period_key="ONCE", content=content(), actor="a", at=AT)
    assert report.period_key == "ONCE"
