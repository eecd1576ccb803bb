"""Due-soon and overdue detection for the scheduler.

``scan_deadlines`` yields one ``DeadlineAlert`` per (task, period, kind); the service emits
``task.due_soon`` / ``task.overdue`` and stores ``dedup_key`` so each is sent once. It only
looks at live tasks; the caller passes tasks of issued plans.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .periods import ONCE_KEY, local_date, previous_period
from .recurrence import Recurrence
from .tasks import LIVE_STATUSES, Task
from .vocabulary import AlertKind

DEFAULT_DUE_SOON_DAYS = 3


@dataclass(frozen=True, slots=True)
class DeadlineAlert:
    task_id: str
    period_key: str
    kind: AlertKind
    deadline: date

    @property
    def dedup_key(self) -> str:
        return f"{self.task_id}:{self.period_key}:{self.kind.value}"

    @property
    def event_type(self) -> str:
        return f"task.{self.kind.value}"


def _classify(deadline: date, today: date, window_days: int) -> AlertKind | None:
    if today > deadline:
        return AlertKind.OVERDUE
    if (deadline - today).days <= window_days:
        return AlertKind.DUE_SOON
    return None


def scan_deadlines(
    tasks: Iterable[Task], now: datetime, window_days: int = DEFAULT_DUE_SOON_DAYS
) -> list[DeadlineAlert]:
    """Alerts for live tasks whose (current or previous period's) deadline is near or past.

    For a recurring task the current period and the one before it are checked (the previous
    period's deadline may still be ahead when the recurrence has a deadline offset).
    """
    today = local_date(now)
    alerts: list[DeadlineAlert] = []
    append = alerts.append
    # Tasks sharing a recurrence (by value) share their candidate periods: compute once.
    cache: dict[Recurrence, list[tuple[str, date, AlertKind]]] = {}
    for task in tasks:
        if task.status not in LIVE_STATUSES:
            continue
        recurrence = task.recurrence
        if recurrence is None:
            due = task.due_date
            if due is not None:
                kind = _classify(due, today, window_days)
                if kind is not None:
                    append(DeadlineAlert(task.id, ONCE_KEY, kind, due))
            continue
        candidates = cache.get(recurrence)
        if candidates is None:
            candidates = cache[recurrence] = _candidates(recurrence, today, window_days)
        done = task.period_completions
        for key, deadline, kind in candidates:
            if key not in done:
                append(DeadlineAlert(task.id, key, kind, deadline))
    return alerts


def _candidates(
    recurrence: Recurrence, today: date, window_days: int
) -> list[tuple[str, date, AlertKind]]:
    """(period key, deadline, kind) of the previous and current periods that need an alert."""
    day = min(max(today, recurrence.starts_on), recurrence.ends_on)
    period = recurrence.period_at(day)
    if period is None:
        return []
    periods = [period]
    before = previous_period(period)
    if before.end >= recurrence.starts_on:
        periods.insert(0, before)
    result: list[tuple[str, date, AlertKind]] = []
    for candidate in periods:
        deadline = recurrence.deadline(candidate)
        kind = _classify(deadline, today, window_days)
        if kind is not None:
            result.append((candidate.key, deadline, kind))
    return result


def watched_deadlines(task: Task, overdue_sent: Container[str] = ()) -> list[date]:
    """The deadlines a scan still has to look at: those of the live task's open periods (the
    due date; or each period of a recurrence not in ``period_completions``), except periods
    whose overdue alert is recorded (``overdue_sent`` holds their period keys).

    Once a period's overdue alert is out, ``scan_deadlines`` can only repeat it, so the period
    leaves the watch. The storage keeps this list indexed: a scan reads the tasks with a
    watched deadline up to ``today + window`` instead of every task, and judges them here.
    """
    if task.status not in LIVE_STATUSES:
        return []
    recurrence = task.recurrence
    if recurrence is None:
        due = task.due_date
        if due is None or ONCE_KEY in overdue_sent:
            return []
        return [due]
    done = task.period_completions
    return [recurrence.deadline(p) for p in recurrence.periods()
            if p.key not in done and p.key not in overdue_sent]
