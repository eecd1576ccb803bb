"""The plans unit of work in memory (cosmicpython's FakeUnitOfWork): each repository reads
the documents of `InMemoryDocuments`, and commits write there as the database would. A use
case runs on it through a `Context` whose units of work are fakes over shared documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fake_unit_of_work import FakeUnitOfWork, InMemoryDocuments

from services.plans.repositories.directory import GroupsRepository, UnitsRepository
from services.plans.repositories.unit_of_work import PlanReader, PlansUnitOfWork, TasksRepository
from services.plans.use_cases.context import Context

Document = dict[str, Any]


class InMemory:
    """Reads of a repository from the in-memory documents of its collection."""

    collection: str

    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(None)  # type: ignore[call-arg]  # the repository's database: none
        self.documents = documents

    def _read(self, key: str) -> Document | None:
        return self.documents[self.collection].get(key)

    def _read_all(self) -> list[Document]:
        return list(self.documents[self.collection].values())


class InMemoryPlans(InMemory, PlanReader):
    collection = "plans"


class InMemoryUnits(InMemory, UnitsRepository):
    pass


class InMemoryGroups(InMemory, GroupsRepository):
    pass


class InMemoryTasks(InMemory, TasksRepository):
    pass


class FakePlansUnitOfWork(FakeUnitOfWork, PlansUnitOfWork):
    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(documents)
        self.plans = InMemoryPlans(documents)
        self.units = InMemoryUnits(documents)
        self.groups = InMemoryGroups(documents)
        self.tasks = InMemoryTasks(documents)


def fake_context(documents: InMemoryDocuments, now: Callable[[], datetime]) -> Context:
    """A context whose use cases run on in-memory units of work over `documents`."""
    return Context(repo=None, correlation_id="test-correlation",  # type: ignore[arg-type]
                   now=now, units_of_work=lambda: FakePlansUnitOfWork(documents))
