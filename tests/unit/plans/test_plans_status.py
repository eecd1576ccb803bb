from datetime import UTC, date, datetime

import pytest
from plans_testkit import local, task

from services.plans.domain import (
    InvalidTransition,
    KpiMetric,
    KpiTarget,
    PeriodKind,
    Recurrence,
    RecurrenceKind,
    StatusBucket,
    TaskStatus,
    ValidationFailed,
    bucket_of,
    percent_complete,
    period_bucket,
)

DUE = date(2021, 3, 15)


def test_completed_on_the_deadline_day_is_on_time_even_late_in_the_evening() -> None:
    t = task(due_date=DUE)
    t.complete("officer", local(DUE, 23, 59))
    assert bucket_of(t, local(date(2021, 4, 1))) is StatusBucket.COMPLETED_ON_TIME


def test_completed_the_day_after_is_late_with_utc_converted_to_local_time() -> None:
    t = task(due_date=DUE)
    # 17:30 UTC on the 15th is 00:30 on the 16th in Vietnam
    t.complete("officer", datetime(2021, 3, 15, 17, 30, tzinfo=UTC))
    assert bucket_of(t, local(date(2021, 4, 1))) is StatusBucket.COMPLETED_LATE
    t2 = task(due_date=DUE)
    t2.complete("officer", datetime(2021, 3, 15, 16, 59, tzinfo=UTC))  # 23:59 local
    assert bucket_of(t2, local(date(2021, 4, 1))) is StatusBucket.COMPLETED_ON_TIME


def test_open_task_is_within_deadline_through_the_deadline_day_then_overdue() -> None:
    t = task(due_date=DUE)
    assert bucket_of(t, local(DUE, 23, 59)) is StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE
    assert bucket_of(t, local(date(2021, 3, 16), 0, 0)) is StatusBucket.OVERDUE
    t.start("officer", local(DUE))
    assert bucket_of(t, local(date(2021, 3, 16))) is StatusBucket.OVERDUE


def test_cancelled_task_has_no_bucket() -> None:
    t = task()
    t.cancel("officer", local(DUE), "no longer needed")
    assert bucket_of(t, local(DUE)) is None


def test_task_state_machine() -> None:
    t = task()
    t.start("o", local(DUE))
    assert t.status is TaskStatus.IN_PROGRESS
    with pytest.raises(InvalidTransition):
        t.start("o", local(DUE))
    t.complete("o", local(DUE))
    assert t.completed_at == local(DUE)
    entry = t.reopen("o", local(DUE), "evidence missing")
    assert t.status is TaskStatus.IN_PROGRESS and t.completed_at is None
    assert entry.note == "evidence missing"
    t.cancel("o", local(DUE), "x")
    for act in (lambda: t.complete("o", local(DUE)), lambda: t.start("o", local(DUE))):
        with pytest.raises(InvalidTransition):
            act()


def test_task_validation() -> None:
    rec = Recurrence(RecurrenceKind.MONTHLY, date(2021, 3, 1), date(2021, 12, 31))
    with pytest.raises(ValidationFailed):
        task(due_date=DUE, recurrence=rec)  # both
    with pytest.raises(ValidationFailed):
        task(due_date=None)  # neither
    with pytest.raises(ValidationFailed):
        task(coordinating_unit_ids=("bao-gia-lai",))  # lead also coordinating
    with pytest.raises(ValidationFailed) as err:
        KpiTarget("k", KpiMetric.ARTICLES, -1, PeriodKind.QUARTERLY)
    assert err.value.details["field"] == "target"
    with pytest.raises(ValidationFailed):
        task(kpis=(KpiTarget("k", KpiMetric.ARTICLES, 3, PeriodKind.MONTHLY, unit_id="other"),))


def test_recurring_task_buckets() -> None:
    t = task("m1", recurrence=Recurrence(
        RecurrenceKind.MONTHLY, date(2021, 3, 1), date(2021, 5, 31), deadline_offset_days=3))
    # March is due 3 April
    assert bucket_of(t, local(date(2021, 4, 3))) is StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE
    assert bucket_of(t, local(date(2021, 4, 4))) is StatusBucket.OVERDUE
    t.record_period_completion("2021-M03", local(date(2021, 4, 2)))
    assert bucket_of(t, local(date(2021, 4, 4))) is StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE
    assert period_bucket(t, "2021-M03", local(date(2021, 4, 4))) is StatusBucket.COMPLETED_ON_TIME
    assert period_bucket(t, "2021-M04", local(date(2021, 5, 4))) is StatusBucket.OVERDUE
    assert percent_complete(t) == pytest.approx(100 / 3)
    t.record_period_completion("2021-M04", local(date(2021, 5, 10)))  # late
    t.record_period_completion("2021-M05", local(date(2021, 6, 1)))
    assert bucket_of(t, local(date(2021, 7, 1))) is StatusBucket.COMPLETED_LATE
    assert percent_complete(t) == 100.0
    # the first completion of a period wins
    assert not t.record_period_completion("2021-M05", local(date(2021, 6, 2)))


def test_an_invalid_task_says_what_is_wrong_in_its_message():
    quarterly = Recurrence(RecurrenceKind.QUARTERLY, date(2021, 3, 1), date(2021, 12, 31))
    with pytest.raises(ValidationFailed) as refused:
        task("t9", due_date=date(2021, 12, 15), recurrence=quarterly)
    assert "due_date or a recurrence" in refused.value.message
    assert refused.value.message.startswith("invalid task 't9': ")
