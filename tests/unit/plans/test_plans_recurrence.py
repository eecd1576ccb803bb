import random
from datetime import date, timedelta

import pytest
from plans_testkit import local, task

from services.plans.domain import (
    AlertKind,
    PeriodKind,
    Recurrence,
    RecurrenceKind,
    TaskStatus,
    ValidationFailed,
    current_period,
    parse_period_key,
    scan_deadlines,
    watched_deadlines,
)
from services.plans.domain.periods import periods_between


@pytest.mark.parametrize(
    ("kind", "every", "day", "key", "deadline"),
    [
        (RecurrenceKind.MONTHLY, None, date(2021, 3, 1), "2021-M03", date(2021, 3, 31)),
        (RecurrenceKind.MONTHLY, None, date(2021, 2, 28), "2021-M02", date(2021, 2, 28)),
        (RecurrenceKind.QUARTERLY, None, date(2021, 3, 31), "2021-Q1", date(2021, 3, 31)),
        (RecurrenceKind.QUARTERLY, None, date(2021, 4, 1), "2021-Q2", date(2021, 6, 30)),
        (RecurrenceKind.REGULAR, PeriodKind.MONTHLY, date(2021, 12, 31), "2021-M12",
         date(2021, 12, 31)),
        (RecurrenceKind.REGULAR, PeriodKind.YEARLY, date(2021, 6, 1), "2021-Y",
         date(2021, 12, 31)),
    ],
)
def test_current_period_key_and_deadline(
    kind: RecurrenceKind, every: PeriodKind | None, day: date, key: str, deadline: date
) -> None:
    rec = Recurrence(kind, date(2021, 1, 1), date(2021, 12, 31), report_every=every)
    found = current_period(rec, day)
    assert found is not None
    period, due = found
    assert (period.key, due) == (key, deadline)


def test_deadline_offset_and_window() -> None:
    rec = Recurrence(RecurrenceKind.QUARTERLY, date(2021, 2, 25), date(2021, 12, 31),
                     deadline_offset_days=5)
    found = current_period(rec, date(2021, 12, 31))
    assert found is not None and found[1] == date(2022, 1, 5)
    assert current_period(rec, date(2021, 2, 24)) is None
    assert current_period(rec, date(2022, 1, 1)) is None
    assert [p.key for p in rec.periods()] == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    assert rec.final_deadline() == date(2022, 1, 5)


def test_recurrence_validation() -> None:
    with pytest.raises(ValidationFailed):
        Recurrence(RecurrenceKind.REGULAR, date(2021, 1, 1), date(2021, 12, 31))
    with pytest.raises(ValidationFailed):
        Recurrence(RecurrenceKind.MONTHLY, date(2021, 1, 1), date(2021, 12, 31),
                   report_every=PeriodKind.QUARTERLY)
    with pytest.raises(ValidationFailed):
        Recurrence(RecurrenceKind.MONTHLY, date(2021, 1, 1), date(2021, 12, 31),
                   deadline_offset_days=40)


def test_period_keys_parse_and_enumerate() -> None:
    p = parse_period_key("2024-M02")
    assert (p.start, p.end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period_key("2021-Q4").start == date(2021, 10, 1)
    assert parse_period_key("2021-Y").end == date(2021, 12, 31)
    for bad in ("2021-M13", "2021-Q5", "2021", "21-M01"):
        with pytest.raises(ValidationFailed):
            parse_period_key(bad)
    keys = [p.key for p in periods_between(PeriodKind.MONTHLY, date(2021, 11, 15),
                                           date(2022, 1, 2))]
    assert keys == ["2021-M11", "2021-M12", "2022-M01"]


def test_one_shot_due_soon_and_overdue() -> None:
    t = task(due_date=date(2021, 3, 15))
    assert scan_deadlines([t], local(date(2021, 3, 11))) == []
    [alert] = scan_deadlines([t], local(date(2021, 3, 12)))
    assert (alert.kind, alert.period_key, alert.dedup_key) == (
        AlertKind.DUE_SOON, "ONCE", "t1:ONCE:due_soon")
    assert alert.event_type == "task.due_soon"
    assert scan_deadlines([t], local(date(2021, 3, 15)))[0].kind is AlertKind.DUE_SOON
    assert scan_deadlines([t], local(date(2021, 3, 16)))[0].kind is AlertKind.OVERDUE
    assert scan_deadlines([t], local(date(2021, 3, 5)), window_days=10)[0].kind is (
        AlertKind.DUE_SOON)
    t.complete("o", local(date(2021, 3, 16)))
    assert scan_deadlines([t], local(date(2021, 3, 17))) == []


def test_recurring_alerts_name_the_period_and_skip_completed_ones() -> None:
    rec = Recurrence(RecurrenceKind.MONTHLY, date(2021, 3, 1), date(2021, 12, 31),
                     deadline_offset_days=3)
    t = task("van", recurrence=rec)
    # 2 April: March (due 3 April) is due soon; April is far away
    alerts = scan_deadlines([t], local(date(2021, 4, 2)))
    assert [(a.period_key, a.kind) for a in alerts] == [("2021-M03", AlertKind.DUE_SOON)]
    # 4 April: March is overdue
    alerts = scan_deadlines([t], local(date(2021, 4, 4)))
    assert [a.dedup_key for a in alerts] == ["van:2021-M03:overdue"]
    t.record_period_completion("2021-M03", local(date(2021, 4, 5)))
    assert scan_deadlines([t], local(date(2021, 4, 6))) == []
    # 30 April: April (due 3 May) is due soon
    alerts = scan_deadlines([t], local(date(2021, 4, 30)))
    assert [(a.period_key, a.kind) for a in alerts] == [("2021-M04", AlertKind.DUE_SOON)]


def test_scan_of_50k_tasks_alerts_each_live_task_once() -> None:
    # Its speed is measured by `python -m bench plans`, not asserted here.
    rec = Recurrence(RecurrenceKind.MONTHLY, date(2021, 1, 1), date(2021, 12, 31),
                     deadline_offset_days=3)
    tasks = [
        task(f"t{i}", recurrence=rec) if i % 2 else task(f"t{i}", due_date=date(2021, 4, 2))
        for i in range(50_000)
    ]
    alerts = scan_deadlines(tasks, local(date(2021, 4, 1)))
    assert len(alerts) == 50_000
    assert len({a.task_id for a in alerts}) == 50_000


def test_watched_deadlines_are_the_open_ones_not_yet_overdue() -> None:
    assert watched_deadlines(task(due_date=date(2021, 3, 15))) == [date(2021, 3, 15)]
    assert watched_deadlines(task(due_date=date(2021, 3, 15)), {"ONCE"}) == []
    done = task()
    done.complete("o", local(date(2021, 3, 1)))
    assert watched_deadlines(done) == []
    rec = Recurrence(RecurrenceKind.QUARTERLY, date(2021, 2, 25), date(2021, 12, 31),
                     deadline_offset_days=5)
    t = task("q", recurrence=rec)
    t.record_period_completion("2021-Q2", local(date(2021, 7, 1)))
    assert watched_deadlines(t, {"2021-Q1"}) == [date(2021, 10, 5), date(2022, 1, 5)]


def test_scanning_only_watched_tasks_emits_what_a_full_scan_emits() -> None:
    """A year of daily ticks over varied tasks: reading only the tasks with a watched deadline
    up to today + window (and dropping a deadline once its overdue alert is out) yields the
    same alerts, on the same days, as judging every task."""
    rng = random.Random(20211225)
    plan_day = date(2021, 2, 25)
    kinds = [RecurrenceKind.MONTHLY, RecurrenceKind.QUARTERLY]
    tasks = []
    for i in range(300):
        if i % 3:
            t = task(f"t{i}", due_date=plan_day + timedelta(days=rng.randrange(0, 320)))
        else:
            rec = Recurrence(rng.choice(kinds), plan_day + timedelta(days=rng.randrange(0, 60)),
                             date(2021, 12, 31), deadline_offset_days=rng.randrange(0, 10))
            t = task(f"t{i}", recurrence=rec)
            for period in rec.periods():
                if rng.random() < 0.3:
                    t.record_period_completion(period.key, local(period.end))
        if i % 17 == 0:
            t.status = TaskStatus.CANCELLED
        tasks.append(t)
    full_sent: set[str] = set()
    watched_sent: set[str] = set()
    watch = {t.id: watched_deadlines(t) for t in tasks}
    day = plan_day - timedelta(days=5)
    while day <= date(2022, 2, 15):
        now, window = local(day), 3
        full_new = [a.dedup_key for a in scan_deadlines(tasks, now, window)
                    if a.dedup_key not in full_sent]
        full_sent.update(full_new)
        until = day + timedelta(days=window)
        candidates = [t for t in tasks if any(d <= until for d in watch[t.id])]
        watched_new = []
        for alert in scan_deadlines(candidates, now, window):
            if alert.dedup_key not in watched_sent:
                watched_sent.add(alert.dedup_key)
                watched_new.append(alert.dedup_key)
            if alert.kind is AlertKind.OVERDUE:
                watch[alert.task_id] = watched_deadlines(
                    next(t for t in tasks if t.id == alert.task_id),
                    {k.split(":")[1] for k in watched_sent
                     if k.startswith(f"{alert.task_id}:") and k.endswith(":overdue")})
        assert sorted(watched_new) == sorted(full_new), day
        day += timedelta(days=1)
    assert len(full_sent) > 300
