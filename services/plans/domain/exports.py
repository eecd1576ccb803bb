"""Rows for the progress-report export (CSV/XLSX writers live outside the domain)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .audit import AuditEntry
from .periods import LOCAL_TZ, local_date
from .progress import TaskProgress, kpi_achievements, task_tree, unit_progress
from .reports import ProgressReport
from .status import BUCKETS, bucket_of, percent_complete, task_deadline
from .tasks import Task

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


UNIT_HEADER = [
    "unit_id", "unit_name", "tasks", *(b.value for b in BUCKETS), "percent_complete",
    "kpi_rows", "kpi_met",
]
TASK_HEADER = [
    "task_id", "parent_task_id", "title", "lead_unit", "coordinating_units", "deadline",
    "recurrence", "status", "bucket", "percent_complete", "kpi",
]
AUDIT_HEADER = [
    "at", "actor", "action", "entity_kind", "entity_id", "field", "before", "after", "note",
]
KPI_HEADER = [
    "task_id", "target_id", "metric", "topic", "unit_id", "period", "target", "reported",
    "evidenced", "achieved", "met",
]

# Column labels for the report sent to the Provincial People's Committee (data, not code).
VI_LABELS: dict[str, str] = {
    "unit_id": "Mã đơn vị", "unit_name": "Đơn vị", "tasks": "Tổng số nhiệm vụ",
    "completed_on_time": "Hoàn thành đúng hạn", "completed_late": "Hoàn thành quá hạn",
    "not_completed_within_deadline": "Chưa hoàn thành, trong hạn",
    "overdue": "Chưa hoàn thành, quá hạn", "percent_complete": "Tỷ lệ hoàn thành (%)",
    "kpi_rows": "Số chỉ tiêu", "kpi_met": "Chỉ tiêu đạt", "task_id": "Mã nhiệm vụ",
    "parent_task_id": "Nhiệm vụ cha", "title": "Nhiệm vụ", "lead_unit": "Đơn vị chủ trì",
    "coordinating_units": "Đơn vị phối hợp", "deadline": "Thời hạn",
    "recurrence": "Định kỳ", "status": "Trạng thái", "bucket": "Tình trạng", "kpi": "Chỉ tiêu",
    "at": "Thời điểm", "actor": "Người thực hiện", "action": "Thao tác",
    "entity_kind": "Loại đối tượng", "entity_id": "Mã đối tượng", "field": "Trường thay đổi",
    "before": "Giá trị trước", "after": "Giá trị sau", "note": "Ghi chú",
}


def progress_tables(
    tasks: Sequence[Task],
    as_of: datetime,
    reports: Iterable[ProgressReport] = (),
    unit_names: Mapping[str, str] | None = None,
) -> dict[str, Table]:
    """The export's three views of a plan's progress on ``as_of``: by unit, by task and by KPI
    target, units named by ``unit_names`` (by their id when it has none)."""
    names = unit_names or {}
    report_list = list(reports)
    return {"units": _unit_rows(tasks, as_of, report_list, names),
            "tasks": _task_rows(tasks, as_of, report_list, names),
            "kpis": _kpi_rows(tasks, as_of, report_list)}


def _unit_rows(tasks: Sequence[Task], as_of: datetime, reports: Sequence[ProgressReport],
               names: Mapping[str, str]) -> Table:
    rows: list[list[Cell]] = []
    for unit_id, progress in unit_progress(tasks, as_of, reports).items():
        summary = progress.summary
        rows.append([
            unit_id, names.get(unit_id, unit_id), summary.total,
            *(summary.get(b) for b in BUCKETS), summary.percent_complete,
            len(progress.kpis), sum(1 for k in progress.kpis if k.met),
        ])
    return Table(list(UNIT_HEADER), rows)


def _task_rows(tasks: Sequence[Task], as_of: datetime, reports: Sequence[ProgressReport],
               names: Mapping[str, str]) -> Table:
    """One row per task, parents before their subtasks; ``kpi`` summarises the latest period."""
    by_id = {t.id: t for t in tasks}
    percents: dict[str, float] = {}

    def walk(nodes: Iterable[TaskProgress]) -> Iterable[str]:
        for node in nodes:
            percents[node.task_id] = node.percent_complete
            yield node.task_id
            yield from walk(node.children)

    rows: list[list[Cell]] = []
    for task_id in list(walk(task_tree(tasks, as_of))):
        task = by_id[task_id]
        bucket = bucket_of(task, as_of)
        latest: dict[tuple[str, str | None], str] = {}
        for k in kpi_achievements(task, reports, as_of):
            latest[(k.target_id, k.unit_id)] = (
                f"{k.metric.value}{'/' + k.topic.value if k.topic else ''} {k.period_key}"
                f"{' ' + names.get(k.unit_id, k.unit_id) if k.unit_id else ''}: "
                f"{k.achieved}/{k.target}"
            )
        rows.append([
            task.id, task.parent_task_id, task.title,
            names.get(task.lead_unit_id, task.lead_unit_id),
            "; ".join(names.get(u, u) for u in task.coordinating_unit_ids),
            task_deadline(task).isoformat(),
            task.recurrence.cadence.value if task.recurrence else None,
            task.status.value, bucket.value if bucket else None,
            round(percents.get(task.id, percent_complete(task)), 1), "; ".join(latest.values()),
        ])
    return Table(list(TASK_HEADER), rows)


def _kpi_rows(tasks: Sequence[Task], as_of: datetime, reports: Sequence[ProgressReport]
              ) -> Table:
    rows: list[list[Cell]] = []
    for task in tasks:
        for k in kpi_achievements(task, reports, as_of):
            rows.append([
                k.task_id, k.target_id, k.metric.value, k.topic.value if k.topic else None,
                k.unit_id, k.period_key, k.target, k.reported, k.evidenced, k.achieved,
                "yes" if k.met else "no",
            ])
    return Table(list(KPI_HEADER), rows)


def report_title_date(as_of: datetime) -> str:
    """``dd/mm/yyyy`` as Vietnamese documents write dates."""
    return local_date(as_of).strftime("%d/%m/%Y")


def _value(value: object) -> Cell:
    """A journal value as one cell: lists and mappings as compact JSON-like text."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(_value(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_value(v)}" for k, v in value.items())
    return str(value)


def journal_table(entries: Iterable[AuditEntry]) -> Table:
    """The audit journal, one row per changed field (an entry without field changes is one
    row, its details in ``note``); instants in Vietnam's time with their offset."""
    rows: list[list[Cell]] = []
    for entry in entries:
        at = entry.at.astimezone(LOCAL_TZ).isoformat() if entry.at.tzinfo else entry.at.isoformat()
        common: list[Cell] = [at, entry.actor, entry.action, entry.entity_kind, entry.entity_id]
        note = entry.note or ""
        if entry.extra:
            note = "; ".join(x for x in (note, str(_value(dict(entry.extra)))) if x)
        if not entry.changes:
            rows.append([*common, None, None, None, note or None])
        for change in entry.changes:
            rows.append([*common, change.field, _value(change.before), _value(change.after),
                         note or None])
    return Table(list(AUDIT_HEADER), rows)
