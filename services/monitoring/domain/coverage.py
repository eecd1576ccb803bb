"""Coverage: articles by assigned outlets on plan topics become evidence for tasks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

__all__ = ["Assignment", "CoverageFact", "WatchedPlan", "coverage_keys", "match_coverage",
           "period_key"]


@dataclass(frozen=True, slots=True)
class Assignment:
    task_id: str
    outlet_unit_id: str
    topics: frozenset[str]
    start: date
    end: date  # inclusive

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class WatchedPlan:
    """What monitoring knows of a plan from its events: its topics are the topics of its
    tasks that have none of their own."""

    plan_id: str
    number: str | None = None
    status: str | None = None
    topics: list[str] = field(default_factory=list)
    issued_on: str | None = None
    event_id: str | None = None

    @property
    def over(self) -> bool:
        return self.status in ("closed", "cancelled")


@dataclass(frozen=True, slots=True)
class CoverageFact:
    task_id: str
    item_id: str
    topic: str
    outlet_unit_id: str
    day: date


def match_coverage(
    assignments: Iterable[Assignment],
    *,
    item_id: str,
    outlet_unit_id: str,
    topics: Iterable[str],
    published: date,
) -> list[CoverageFact]:
    """One fact per (task, topic) the item covers; deterministic order."""
    item_topics = set(topics)
    facts: list[CoverageFact] = []
    for a in assignments:
        if a.outlet_unit_id != outlet_unit_id or not a.active_on(published):
            continue
        for topic in sorted(a.topics & item_topics):
            facts.append(CoverageFact(a.task_id, item_id, topic, outlet_unit_id, published))
    facts.sort(key=lambda f: (f.task_id, f.topic))
    return facts


def coverage_keys(outlet_unit_id: str, topic: str, day: date) -> list[str]:
    """Counter keys per outlet × topic × day / ISO week / month."""
    year, week, _ = day.isocalendar()
    base = f"{outlet_unit_id}|{topic}"
    return [
        f"{base}|day|{day.isoformat()}",
        f"{base}|week|{year}-W{week:02d}",
        f"{base}|month|{day.year}-{day.month:02d}",
    ]


def period_key(day: date, period: str) -> str:
    """The day, ISO week or month a day counts in (`day`, `week`, `month`)."""
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"
