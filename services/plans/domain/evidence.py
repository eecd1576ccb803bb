"""Automatic evidence: coverage matched by monitoring counts toward a task's KPI targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .audit import AuditEntry
from .periods import local_date
from .tasks import EvidenceRecord, Task
from .vocabulary import EvidenceOutcome, KpiMetric, TaskStatus, Topic


@dataclass(frozen=True, slots=True)
class CoverageMatched:
    item_id: str
    url: str
    outlet_unit_id: str
    topic: Topic | None
    published_at: datetime


@dataclass(frozen=True, slots=True)
class EvidenceResult:
    outcome: EvidenceOutcome
    target_ids: tuple[str, ...] = ()
    audit: AuditEntry | None = None  # set when applied

    @property
    def applied(self) -> bool:
        return self.outcome is EvidenceOutcome.APPLIED


def apply_coverage(
    task: Task, fact: CoverageMatched, actor: str = "monitoring", at: datetime | None = None
) -> EvidenceResult:
    """Count ``fact`` toward the task's ``articles`` targets, once per item id.

    A second application of the same item is a no-op reported as ``DUPLICATE``.
    """
    if fact.item_id in task.evidence:
        return EvidenceResult(EvidenceOutcome.DUPLICATE, task.evidence[fact.item_id].target_ids)
    if task.status is TaskStatus.CANCELLED:
        return EvidenceResult(EvidenceOutcome.TASK_CANCELLED)
    if fact.outlet_unit_id not in task.unit_ids:
        return EvidenceResult(EvidenceOutcome.UNIT_NOT_ASSIGNED)
    start, end = task.window()
    if not start <= local_date(fact.published_at) <= end:
        return EvidenceResult(EvidenceOutcome.OUTSIDE_WINDOW)
    targets = tuple(
        k.id for k in task.kpis
        if k.metric is KpiMetric.ARTICLES
        and (k.topic is None or k.topic == fact.topic)
        and (k.unit_id is None or k.unit_id == fact.outlet_unit_id)
    )
    if not targets:
        return EvidenceResult(EvidenceOutcome.NO_MATCHING_TARGET)
    task.evidence[fact.item_id] = EvidenceRecord(
        fact.item_id, fact.url, fact.outlet_unit_id, fact.topic, fact.published_at, targets
    )
    entry = AuditEntry(
        actor, "task.evidence_added", "task", task.id, at or fact.published_at,
        extra={"item_id": fact.item_id, "url": fact.url, "target_ids": list(targets)},
    )
    return EvidenceResult(EvidenceOutcome.APPLIED, targets, entry)
