"""Status buckets as official reports use them (Decision 42/2014/QĐ-TTg).

A bucket is a pure function of (task, as_of). Deadlines are whole local days: work done at any
time on the deadline day is on time; a task still open the day after its deadline is overdue.
"""

from __future__ import annotations

from datetime import date, datetime

from .periods import Period, local_date, parse_period_key
from .tasks import Task
from .vocabulary import StatusBucket, TaskStatus

BUCKETS: tuple[StatusBucket, ...] = tuple(StatusBucket)


def task_deadline(task: Task) -> date:
    """The final deadline: the due date, or the deadline of a recurrence's last period."""
    if task.recurrence is not None:
        return task.recurrence.final_deadline()
    assert task.due_date is not None
    return task.due_date


def _bucket(done_at: datetime | None, deadline: date, today: date) -> StatusBucket:
    if done_at is not None:
        on_time = local_date(done_at) <= deadline
        return StatusBucket.COMPLETED_ON_TIME if on_time else StatusBucket.COMPLETED_LATE
    if today <= deadline:
        return StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE
    return StatusBucket.OVERDUE


def period_bucket(task: Task, period: Period | str, as_of: datetime) -> StatusBucket:
    """Bucket of one period of a recurring task (its completion vs its deadline)."""
    if isinstance(period, str):
        period = parse_period_key(period)
    assert task.recurrence is not None, "period buckets apply to recurring tasks"
    deadline = task.recurrence.deadline(period)
    return _bucket(task.period_completions.get(period.key), deadline, local_date(as_of))


def bucket_of(task: Task, as_of: datetime) -> StatusBucket | None:
    """The task's bucket at ``as_of``; None for a cancelled task (it is not counted).

    A recurring task that is not explicitly completed is overdue as soon as one elapsed period
    lacks its completion, otherwise within deadline; once every period is completed it is
    completed on time, or late if any period was late.
    """
    if task.status is TaskStatus.CANCELLED:
        return None
    today = local_date(as_of)
    if task.status is TaskStatus.COMPLETED:
        return _bucket(task.completed_at or as_of, task_deadline(task), today)
    if task.recurrence is None:
        return _bucket(None, task_deadline(task), today)
    periods = task.recurrence.periods()
    late = False
    all_done = True
    for period in periods:
        deadline = task.recurrence.deadline(period)
        done_at = task.period_completions.get(period.key)
        if done_at is None:
            all_done = False
            if today > deadline:
                return StatusBucket.OVERDUE
        elif local_date(done_at) > deadline:
            late = True
    if all_done:
        return StatusBucket.COMPLETED_LATE if late else StatusBucket.COMPLETED_ON_TIME
    return StatusBucket.NOT_COMPLETED_WITHIN_DEADLINE


def percent_complete(task: Task) -> float:
    """100 for a completed task; for a recurring task the share of its periods completed.

    Not rounded; round for display only.
    """
    if task.status is TaskStatus.COMPLETED:
        return 100.0
    if task.recurrence is None:
        return 0.0
    periods = task.recurrence.periods()
    done = sum(1 for p in periods if p.key in task.period_completions)
    return 100.0 * done / len(periods) if periods else 0.0
