"""Progress roll-up (subtasks -> task -> plan, and per unit) and KPI achievement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .periods import (
    ONCE_KEY,
    WHOLE_PLAN_KEY,
    Period,
    local_date,
    parse_period_key,
    periods_between,
)
from .reports import ProgressReport, effective_reports
from .status import BUCKETS, bucket_of, percent_complete
from .tasks import KpiTarget, Task
from .vocabulary import KpiMetric, PeriodKind, StatusBucket, TaskStatus, Topic


@dataclass(frozen=True, slots=True)
class BucketCounts:
    counts: dict[StatusBucket, int]
    percent_complete: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def get(self, bucket: StatusBucket) -> int:
        return self.counts.get(bucket, 0)


@dataclass(frozen=True, slots=True)
class TaskProgress:
    task_id: str
    bucket: StatusBucket | None  # None = cancelled
    percent_complete: float  # not rounded
    children: tuple[TaskProgress, ...] = ()


@dataclass(frozen=True, slots=True)
class KpiAchievement:
    task_id: str
    target_id: str
    metric: KpiMetric
    topic: Topic | None
    unit_id: str | None  # None = all the task's units together
    period_key: str
    target: int
    reported: int  # from accepted progress reports
    evidenced: int  # from automatic coverage evidence

    @property
    def achieved(self) -> int:
        """Reports and automatic evidence describe the same output: take the larger."""
        return max(self.reported, self.evidenced)

    @property
    def met(self) -> bool:
        return self.achieved >= self.target


@dataclass(frozen=True, slots=True)
class UnitProgress:
    unit_id: str
    summary: BucketCounts
    kpis: tuple[KpiAchievement, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanProgress:
    summary: BucketCounts
    tasks: tuple[TaskProgress, ...] = field(default_factory=tuple)


def _counts(buckets: Iterable[StatusBucket | None], percents: Sequence[float]) -> BucketCounts:
    counts = dict.fromkeys(BUCKETS, 0)
    for bucket in buckets:
        if bucket is not None:
            counts[bucket] += 1
    percent = round(sum(percents) / len(percents), 1) if percents else 0.0
    return BucketCounts(counts, percent)


def task_tree(tasks: Sequence[Task], as_of: datetime) -> list[TaskProgress]:
    """Progress of root tasks with their subtasks; a parent's percent is its children's mean."""
    children: dict[str | None, list[Task]] = defaultdict(list)
    for task in tasks:
        children[task.parent_task_id].append(task)

    def build(task: Task) -> TaskProgress:
        kids = tuple(build(k) for k in children.get(task.id, ()))
        live = [k.percent_complete for k in kids if k.bucket is not None]
        if task.status is TaskStatus.COMPLETED or not live:
            percent = percent_complete(task)
        else:
            percent = sum(live) / len(live)
        return TaskProgress(task.id, bucket_of(task, as_of), percent, kids)

    known = {t.id for t in tasks}
    roots = [t for t in tasks if t.parent_task_id is None or t.parent_task_id not in known]
    return [build(t) for t in roots]


def _leaves(nodes: Iterable[TaskProgress]) -> Iterable[TaskProgress]:
    for node in nodes:
        if node.children:
            yield from _leaves(node.children)
        else:
            yield node


def plan_progress(tasks: Sequence[Task], as_of: datetime) -> PlanProgress:
    """Bucket counts over leaf tasks; percent = mean over root tasks (cancelled excluded)."""
    tree = task_tree(tasks, as_of)
    buckets = [leaf.bucket for leaf in _leaves(tree)]
    percents = [root.percent_complete for root in tree if root.bucket is not None]
    return PlanProgress(_counts(buckets, percents), tuple(tree))


def _report_day_period(report: ProgressReport) -> Period | None:
    if report.period_key in (WHOLE_PLAN_KEY, ONCE_KEY):
        return None
    return parse_period_key(report.period_key)


def _report_in(report: ProgressReport, period: Period) -> bool:
    if report.period_key == WHOLE_PLAN_KEY:
        return period.kind is PeriodKind.WHOLE_PLAN
    if report.period_key == ONCE_KEY:
        return period.contains(local_date(report.submitted_at))
    own = _report_day_period(report)
    return own is not None and own.within(period)


def kpi_achievements(
    task: Task, reports: Iterable[ProgressReport], as_of: datetime
) -> list[KpiAchievement]:
    """Achieved vs target for each KPI target, unit and period started by ``as_of``."""
    today = local_date(as_of)
    accepted = [r for r in effective_reports(reports) if r.task_id == task.id]
    start, end = task.window()
    result: list[KpiAchievement] = []
    for target in task.kpis:
        units: tuple[str | None, ...]
        if target.unit_id is not None:
            units = (target.unit_id,)
        elif target.per_unit:
            units = task.unit_ids
        else:
            units = (None,)
        for period in periods_between(target.period, start, end):
            if period.start > today:
                break
            for unit in units:
                result.append(_achievement(task, target, unit, period, accepted))
    return result


def _achievement(
    task: Task,
    target: KpiTarget,
    unit: str | None,
    period: Period,
    accepted: Sequence[ProgressReport],
) -> KpiAchievement:
    reported = sum(
        c.count
        for r in accepted
        if (unit is None or r.unit_id == unit) and _report_in(r, period)
        for c in r.content.counts
        if c.metric is target.metric and (target.topic is None or c.topic == target.topic)
    )
    evidenced = sum(
        1
        for e in task.evidence.values()
        if target.id in e.target_ids
        and (unit is None or e.outlet_unit_id == unit)
        and period.contains(local_date(e.published_at))
    )
    return KpiAchievement(
        task.id, target.id, target.metric, target.topic, unit, period.key, target.target,
        reported, evidenced,
    )


def unit_progress(
    tasks: Sequence[Task], as_of: datetime, reports: Iterable[ProgressReport] = ()
) -> dict[str, UnitProgress]:
    """Per lead unit: bucket counts over its leaf tasks, percent, and its KPI rows."""
    report_list = list(reports)
    parents = {t.parent_task_id for t in tasks if t.parent_task_id is not None}
    by_unit: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.id not in parents:
            by_unit[task.lead_unit_id].append(task)
    kpis_by_unit: dict[str, list[KpiAchievement]] = defaultdict(list)
    for task in tasks:
        for row in kpi_achievements(task, report_list, as_of):
            kpis_by_unit[row.unit_id or task.lead_unit_id].append(row)
    result: dict[str, UnitProgress] = {}
    for unit_id in sorted(set(by_unit) | set(kpis_by_unit)):
        own = by_unit.get(unit_id, [])
        buckets = [bucket_of(t, as_of) for t in own]
        percents = [percent_complete(t) for t in own if t.status is not TaskStatus.CANCELLED]
        result[unit_id] = UnitProgress(
            unit_id, _counts(buckets, percents), tuple(kpis_by_unit.get(unit_id, ()))
        )
    return result
