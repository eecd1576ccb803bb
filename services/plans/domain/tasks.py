"""Tasks (and subtasks) under a plan, with the "5 rõ" fields, KPIs and a small life cycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from .audit import AuditEntry, Recording, status_change
from .errors import InvalidTransition, ValidationFailed
from .recurrence import Recurrence
from .vocabulary import Channel, KpiMetric, PeriodKind, TaskStatus, Topic

LIVE_STATUSES = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})
PLANNING_HORIZON_YEARS = 10
# KPI targets and reported counts: no campaign output comes near it, and it keeps every
# figure (and any sum of a year of them) within the 64-bit integers storage holds.
MAX_QUANTITY = 1_000_000_000


def planning_horizon(plan_date: date) -> tuple[date, date]:
    """The dates a plan's tasks may use: a recurrence starts at most 10 calendar years before
    the plan date, and every deadline falls at most 10 calendar years after it.

    Campaign plans run for a year or a five-year programme; the bound also keeps period
    arithmetic inside the calendar (a recurrence ending on 9999-12-31 overflowed) and period
    lists short.
    """
    return (date(plan_date.year - PLANNING_HORIZON_YEARS, 1, 1),
            date(plan_date.year + PLANNING_HORIZON_YEARS, 12, 31))

_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED,
                                TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.COMPLETED, TaskStatus.CANCELLED}),
    TaskStatus.COMPLETED: frozenset({TaskStatus.IN_PROGRESS}),  # reopen
    TaskStatus.CANCELLED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class KpiTarget:
    """E.g. at least 12 ``articles`` on ``drugs`` per quarter.

    ``unit_id`` narrows the target to one unit; ``per_unit`` applies it to each of the task's
    units separately; with neither, all the task's units count together.
    """

    id: str
    metric: KpiMetric
    target: int
    period: PeriodKind
    topic: Topic | None = None
    unit_id: str | None = None
    per_unit: bool = False

    def __post_init__(self) -> None:
        if self.target < 0:
            raise ValidationFailed(
                f"KPI target {self.id!r} is negative", {"field": "target", "value": self.target}
            )
        if self.target > MAX_QUANTITY:
            raise ValidationFailed(
                f"KPI target {self.id!r} is above {MAX_QUANTITY:,}",
                {"field": "target", "value": self.target},
            )


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """A coverage item counted as automatic evidence toward a task's KPI targets."""

    item_id: str
    url: str
    outlet_unit_id: str
    topic: Topic | None
    published_at: datetime
    target_ids: tuple[str, ...]


@dataclass(slots=True)
class Task(Recording):
    id: str
    plan_id: str
    title: str
    lead_unit_id: str
    description: str = ""
    coordinating_unit_ids: tuple[str, ...] = ()
    parent_task_id: str | None = None
    responsible_person: str | None = None
    expected_result: str | None = None
    due_date: date | None = None
    recurrence: Recurrence | None = None
    starts_on: date | None = None
    topics: tuple[Topic, ...] = ()
    channels: tuple[Channel, ...] = ()
    kpis: tuple[KpiTarget, ...] = ()
    status: TaskStatus = TaskStatus.OPEN
    completed_at: datetime | None = None
    period_completions: dict[str, datetime] = field(default_factory=dict)
    evidence: dict[str, EvidenceRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.title.strip():
            problems.append("title must not be empty")
        if (self.due_date is None) == (self.recurrence is None):
            problems.append("a task has either a due_date or a recurrence (exactly one)")
        if self.lead_unit_id in self.coordinating_unit_ids:
            problems.append("the lead unit cannot also be a coordinating unit")
        if self.parent_task_id == self.id:
            problems.append("a task cannot be its own parent")
        ids = [k.id for k in self.kpis]
        if len(ids) != len(set(ids)):
            problems.append("KPI target ids must be unique within a task")
        for kpi in self.kpis:
            if kpi.unit_id is not None and kpi.unit_id not in self.unit_ids:
                problems.append(f"KPI {kpi.id!r} names unit {kpi.unit_id!r} not on the task")
        ValidationFailed.if_any(problems, f"invalid task {self.id!r}: {'; '.join(problems)}",
                                {"task_id": self.id})

    @property
    def unit_ids(self) -> tuple[str, ...]:
        """Lead unit first, then coordinating units."""
        return (self.lead_unit_id, *self.coordinating_unit_ids)

    def window(self) -> tuple[date, date]:
        """First and last day of the task's work (for KPI periods)."""
        if self.recurrence is not None:
            return self.recurrence.starts_on, self.recurrence.ends_on
        assert self.due_date is not None
        start = self.starts_on or date(self.due_date.year, 1, 1)
        return min(start, self.due_date), self.due_date

    def _move(self, to: TaskStatus, actor: str, at: datetime, note: str | None) -> AuditEntry:
        entry = status_change("task", self.id, f"task {self.id!r}", self.status, to,
                              _TRANSITIONS, actor, at, note)
        self.status = to
        return entry

    def revise(self, changes: Mapping[str, Any]) -> None:
        """Change several fields at once, checked as a new task with them would be."""
        revised = replace(self, **changes)
        for name in changes:
            setattr(self, name, getattr(revised, name))

    def start(self, actor: str, at: datetime) -> AuditEntry:
        return self._move(TaskStatus.IN_PROGRESS, actor, at, None)

    def complete(self, actor: str, at: datetime) -> AuditEntry:
        entry = self._move(TaskStatus.COMPLETED, actor, at, None)
        self.completed_at = at
        return entry

    def reopen(self, actor: str, at: datetime, reason: str) -> AuditEntry:
        if self.status is not TaskStatus.COMPLETED:
            raise InvalidTransition(
                f"only a completed task can be reopened (task {self.id!r} is "
                f"{self.status.value})",
                {"task_id": self.id, "from": self.status.value, "to": "in_progress"},
            )
        entry = self._move(TaskStatus.IN_PROGRESS, actor, at, reason)
        self.completed_at = None
        return entry

    def cancel(self, actor: str, at: datetime, reason: str) -> AuditEntry:
        return self._move(TaskStatus.CANCELLED, actor, at, reason)

    def record_period_completion(self, period_key: str, at: datetime) -> bool:
        """Mark a recurring period done (first completion wins); True if newly recorded."""
        if period_key in self.period_completions:
            return False
        self.period_completions[period_key] = at
        return True


def check_task_tree(tasks: list[Task]) -> None:
    """Parents exist, belong to the same plan, and there are no cycles."""
    by_id = {t.id: t for t in tasks}
    if len(by_id) != len(tasks):
        raise ValidationFailed("duplicate task ids", {"field": "tasks"})
    for task in tasks:
        seen = {task.id}
        parent_id = task.parent_task_id
        while parent_id is not None:
            parent = by_id.get(parent_id)
            if parent is None or parent.plan_id != task.plan_id:
                raise ValidationFailed(
                    f"task {task.id!r} has unknown parent {parent_id!r}",
                    {"task_id": task.id, "field": "parent_task_id"},
                )
            if parent_id in seen:
                raise ValidationFailed(
                    f"task {task.id!r} is in a parent cycle", {"task_id": task.id}
                )
            seen.add(parent_id)
            parent_id = parent.parent_task_id
