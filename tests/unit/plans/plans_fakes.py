"""The plans unit of work in memory (cosmicpython's FakeUnitOfWork): each repository reads
the documents of `InMemoryDocuments`, and commits write there as the database would. A use
case runs on it through a `Context` whose units of work are fakes over shared documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fake_unit_of_work import FakeUnitOfWork, InMemory, InMemoryDocuments

from services.plans.repositories.directory import GroupsRepository, UnitsRepository
from services.plans.repositories.plan_repository import PlanRepository
from services.plans.repositories.report_repository import ReceiptsRepository, ReportsRepository
from services.plans.repositories.unit_of_work import PlansUnitOfWork, TasksRepository
from services.plans.use_cases.context import Context

Document = dict[str, Any]
NOW = datetime(2021, 3, 1, 2, 0, tzinfo=UTC)  # the time the use-case tests run at


class InMemoryReads(InMemory):
    """Reads of a repository from the in-memory documents of its collection."""

    collection: str

    def _read(self, key: str) -> Document | None:
        return self.documents[self.collection].get(key)

    def _find(self, query: Document, projection: Document | None = None) -> list[Document]:
        assert not any(name.startswith("$") or isinstance(value, dict)
                       for name, value in query.items()), f"the fake has no operators: {query}"
        return [document for document in self.documents[self.collection].values()
                if all(matches(document.get(name), value) for name, value in query.items())]

    def _count(self, query: Document) -> int:
        return len(self._find(query))

    def _page(self, query: Document, after: str | None, limit: int) -> list[Document]:
        found = sorted(self._find(query), key=lambda document: document["_id"])
        return [document for document in found if not after or document["_id"] > after][:limit]


def matches(stored: Any, wanted: Any) -> bool:
    """A query's equality as the database reads it: the value, or a member of a list."""
    return bool(stored == wanted or (isinstance(stored, list) and wanted in stored))


class InMemoryPlans(InMemoryReads, PlanRepository):
    pass


class InMemoryUnits(InMemoryReads, UnitsRepository):
    pass


class InMemoryGroups(InMemoryReads, GroupsRepository):
    pass


class InMemoryTasks(InMemoryReads, TasksRepository):
    pass


class InMemoryReports(InMemoryReads, ReportsRepository):
    pass


class InMemoryReceipts(InMemoryReads, ReceiptsRepository):
    pass


class FakePlansUnitOfWork(FakeUnitOfWork, PlansUnitOfWork):
    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(documents)
        self.plans = InMemoryPlans(documents)
        self.units = InMemoryUnits(documents)
        self.groups = InMemoryGroups(documents)
        self.reports = InMemoryReports(documents)
        self.tasks = InMemoryTasks(documents)
        self.receipts = InMemoryReceipts(documents)


def fake_context(documents: InMemoryDocuments, now: Callable[[], datetime]) -> Context:
    """A context whose use cases run on in-memory units of work over `documents`."""
    return Context(units_of_work=lambda: FakePlansUnitOfWork(documents),
                   correlation_id="test-correlation", now=now)
