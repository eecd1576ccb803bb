"""Monitoring's repositories in memory: the real codecs and write paths (queued writes, the
unit of work's diffs and guards) over `InMemoryDocuments`, with the named queries answered in
Python instead of MongoDB's query language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fake_unit_of_work import FakeUnitOfWork, InMemory, InMemoryDocuments

from services.contracts import monitoring
from services.monitoring.domain import POLLED_KINDS, Alert, Assignment, Source, WatchedPlan
from services.monitoring.domain.labels import ItemLabel
from services.monitoring.fetching import Fetcher
from services.monitoring.repositories import MonitoringUnitOfWork
from services.monitoring.repositories.alerts import ALERTS, AlertsRepository
from services.monitoring.repositories.counts import COUNTS, CountsRepository, value_of
from services.monitoring.repositories.items import ItemsRepository
from services.monitoring.repositories.plans import (
    ASSIGNMENTS,
    FAR_FUTURE,
    FAR_PAST,
    WATCHED_PLANS,
    PlansRepository,
)
from services.monitoring.repositories.reference import (
    ALERT_RULES,
    STATE,
    TOPICS,
    AlertRulesRepository,
    StateRepository,
    TopicsRepository,
)
from services.monitoring.repositories.sources import SOURCES, SourcesRepository
from services.monitoring.use_cases.context import Context


class FakeSources(InMemory, SourcesRepository):
    def get(self, source_id: str) -> Source | None:
        found = self.documents[SOURCES].get(source_id)
        return None if found is None else self._loaded(found)

    def find(self, source_id: str) -> Source | None:
        found = self.documents[SOURCES].get(source_id)
        return None if found is None else self.aggregate_of(found)

    def by_ids(self, ids: Any) -> dict[str, Source]:
        return {i: self.aggregate_of(self.documents[SOURCES][i]) for i in ids
                if i in self.documents[SOURCES]}

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        due = [d for d in self.documents[SOURCES].values()
               if d.get("enabled") and d.get("next_poll_at") and d["next_poll_at"] <= now
               and d.get("kind") in POLLED_KINDS
               and not (d.get("lease_until") and d["lease_until"] > now)]
        return [d["_id"] for d in sorted(due, key=lambda d: d["next_poll_at"])][:limit]

    def silence_candidates(self) -> list[Source]:
        return [self.aggregate_of(d) for d in self.documents[SOURCES].values()
                if d.get("enabled") and d.get("healthy") and d.get("kind") in POLLED_KINDS
                and (d.get("typical_gap_seconds") or 0) > 0]

    def unhealthy_count(self) -> int:
        return sum(1 for d in self.documents[SOURCES].values()
                   if d.get("enabled") and d.get("healthy") is False)


class FakeAlerts(InMemory, AlertsRepository):
    def get(self, alert_id: str) -> Alert | None:
        found = self.documents[ALERTS].get(alert_id)
        return None if found is None else self._loaded(found)

    def page(self, request: monitoring.ListAlertsRequest) -> tuple[list[Alert], str | None]:
        rows = sorted((d for d in self.documents[ALERTS].values()
                       if (not request.status or d["status"] == request.status)
                       and (not request.kind or d["kind"] == request.kind)),
                      key=lambda d: d["sort_key"], reverse=True)
        return [self.aggregate_of(d) for d in rows[:request.limit]], None


class FakeTopics(InMemory, TopicsRepository):
    def all(self) -> list[monitoring.TopicModel]:
        return [monitoring.TopicModel.model_validate(
            {**{k: v for k, v in d.items() if k not in ("_id", "updated_at", "updated_by")},
             "id": d["_id"]}) for _, d in sorted(self.documents[TOPICS].items())]

    def taxonomy(self) -> dict[str, Any]:
        defaults = (self.documents[STATE].get("taxonomy") or {}).get("defaults") or {}
        return {"defaults": defaults, "topics": {
            i: {k: v for k, v in d.items() if k != "_id" and v is not None}
            for i, d in sorted(self.documents[TOPICS].items())}}

    def exists(self, topic_id: str) -> bool:
        return topic_id in self.documents[TOPICS]


class FakeRules(InMemory, AlertRulesRepository):
    def all(self) -> list[monitoring.AlertRuleModel]:
        return [monitoring.AlertRuleModel.model_validate(
            {"id": i, **{k: v for k, v in d.items() if k not in ("_id", "updated_at",
                                                                 "updated_by")}})
            for i, d in sorted(self.documents[ALERT_RULES].items())]

    def exists(self, rule_id: str) -> bool:
        return rule_id in self.documents[ALERT_RULES]


class FakeState(InMemory, StateRepository):
    def versions(self) -> dict[str, int]:
        found = self.documents[STATE].get("versions") or {}
        return {k: int(v) for k, v in found.items() if k != "_id"}

    def thresholds(self) -> dict[str, Any]:
        return self.documents[STATE].get("thresholds") or {}


class FakePlans(InMemory, PlansRepository):
    def plan(self, plan_id: str) -> WatchedPlan | None:
        found = self.documents[WATCHED_PLANS].get(plan_id)
        if found is None:
            return None
        return WatchedPlan(plan_id, found.get("number"), found.get("status"),
                           list(found.get("topics") or []), found.get("issued_on"),
                           found.get("event_id"))

    def _where(self, **fields: Any) -> list[dict[str, Any]]:
        return [d for _, d in sorted(self.documents[ASSIGNMENTS].items())
                if all(d.get(k) == v for k, v in fields.items())]

    def following_plan(self, plan_id: str) -> list[str]:
        return [d["_id"] for d in self._where(plan_id=plan_id, own_topics=False)]

    def of_plan(self, plan_id: str) -> list[str]:
        return [d["_id"] for d in self._where(plan_id=plan_id)]

    def of_task_except(self, task_id: str, units: Any) -> list[str]:
        return [d["_id"] for d in self._where(task_id=task_id) if d["unit_id"] not in units]

    def active(self) -> list[Assignment]:
        return [Assignment(d["task_id"], d["unit_id"], frozenset(d.get("topics") or ()),
                           date.fromisoformat(d.get("start") or FAR_PAST.isoformat()),
                           date.fromisoformat(d.get("end") or FAR_FUTURE.isoformat()))
                for d in self._where(active=True)]

    def listed(self, unit_id: str | None, plan_id: str | None,
               active_only: bool) -> list[dict[str, Any]]:
        fields: dict[str, Any] = {"unit_id": unit_id, "plan_id": plan_id,
                                  "active": True if active_only else None}
        return [{k: v for k, v in d.items() if k != "_id"}
                for d in self._where(**{k: v for k, v in fields.items() if v is not None})]


class FakeCounts(InMemory, CountsRepository):
    def coverage(self, date_from: str | None, date_to: str | None) -> Any:
        for doc in self.documents[COUNTS].values():
            if (date_from and doc["day"] < date_from) or (date_to and doc["day"] > date_to):
                continue
            told = doc.get("stories") or {}
            for pair, count in (doc.get("coverage") or {}).items():
                outlet, topic = (value_of(x) for x in pair.split("|", 1))
                yield doc["day"], outlet, topic, int(count), list(told.get(pair) or [])


class FakeLabels:
    """The labels repository's reads and writes that the use case needs, in memory."""

    def __init__(self) -> None:
        self.stored: dict[str, ItemLabel] = {}

    def get(self, item_id: str) -> ItemLabel | None:
        return self.stored.get(item_id)

    def add(self, label: ItemLabel) -> None:
        self.stored[label.item_id] = label

    def refused(self, result: Any, label: ItemLabel) -> bool:
        return False

    def all(self):
        return iter(self.stored.values())



class FakeMonitoringUnitOfWork(FakeUnitOfWork, MonitoringUnitOfWork):
    def __init__(self, documents: InMemoryDocuments | None = None) -> None:
        super().__init__(documents)
        self.sources = FakeSources(self.documents)
        self.alerts = FakeAlerts(self.documents)
        self.items = ItemsRepository(None)  # type: ignore[arg-type]  # ingestion: not faked
        self.topics = FakeTopics(self.documents)
        self.rules = FakeRules(self.documents)
        self.plans = FakePlans(self.documents)
        self.counts = FakeCounts(self.documents)
        self.labels = FakeLabels()  # type: ignore[assignment]
        self.state = FakeState(self.documents)


def fake_context(now: datetime, documents: InMemoryDocuments | None = None,
                 max_failures: int = 5) -> Context:
    """A use-case context over documents in memory, at a fixed time (no ingestion)."""
    shared = documents or InMemoryDocuments()
    return Context(FakeMonitoringUnitOfWork(shared), None,  # type: ignore[arg-type]
                   Fetcher(allowlist=[]), lambda: now, max_failures,
                   unit_of_work=lambda: FakeMonitoringUnitOfWork(shared))
