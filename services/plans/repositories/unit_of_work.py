"""The plans service on the runtime's unit of work (services/runtime/unit_of_work.py): tasks as
aggregates whose changes, events and journal entries a commit writes, and plans read for the
rules a task change follows. A use case reads

    with ctx.unit_of_work().command("start_task", key) as uow:
        task = uow.tasks.get(plan_id, task_id)
        task.record(task.start(actor, at), event)
        uow.commit(reply)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pymongo.database import Database

from services.contracts.envelope import Envelope
from services.plans import codec
from services.plans.domain import AuditEntry, NotFound, Plan, Task
from services.plans.repositories.audit import journal_document
from services.plans.repositories.base import (
    AUDIT,
    IDEMPOTENCY,
    OUTBOX_HIDDEN,
    PLANS,
    STAMPS,
    TASKS,
    now,
    plan_changes,
    plan_stamp_id,
    stamp_update,
)
from services.plans.repositories.directory import GroupsRepository, UnitsRepository
from services.runtime.mongo_unit_of_work import MongoUnitOfWork, collection
from services.runtime.unit_of_work import (
    AggregateRepository,
    CommitResult,
    DocumentWrite,
    Repository,
    UnitOfWork,
)

Document = dict[str, Any]


class PlanReader(Repository):
    """Plans as the rules of a task change see them (read only here)."""

    def __init__(self, db: Database[Document] | None) -> None:
        super().__init__()
        self.db = db

    def _read(self, plan_id: str) -> Document | None:
        assert self.db is not None
        return collection(self.db, PLANS).find_one({"_id": plan_id}, OUTBOX_HIDDEN)

    def get(self, plan_id: str) -> Plan:
        found = self._read(plan_id)
        if found is None:
            raise NotFound(f"plan {plan_id} not found", {"plan_id": plan_id})
        return codec.plan_from(found)


class TasksRepository(AggregateRepository[Task]):
    """Tasks: one document each. A change is written under the task's `version` (the guard
    every other writer of a task uses), with its events, and counted in the plan's progress
    stamp after it, so a progress reader at the new count sees it."""

    collection = TASKS

    def __init__(self, db: Database[Document] | None) -> None:
        super().__init__()
        self.db = db
        self._written: set[str] = set()

    def _read(self, key: str) -> Document | None:
        assert self.db is not None
        return collection(self.db, TASKS).find_one({"_id": key}, OUTBOX_HIDDEN)

    def get(self, plan_id: str, task_id: str) -> Task:
        found = self._read(codec.task_key(plan_id, task_id))
        if found is None:
            raise NotFound(f"task {task_id} of plan {plan_id} not found",
                           {"plan_id": plan_id, "task_id": task_id})
        return self._loaded(found)

    def aggregate_of(self, document: Mapping[str, Any]) -> Task:
        return codec.task_from(dict(document))

    def document_of(self, aggregate: Task) -> Document:
        """The domain's fields and the watch list they imply, over what the stored document
        keeps besides them (version, alerts sent, creation time), so a diff sees only the
        domain's changes."""
        tracked = self._tracked.get(codec.task_key(aggregate.plan_id, aggregate.id))
        original = (tracked.original if tracked is not None else None) or {
            "version": 1, "alerts_sent": []}
        domain = codec.task_to_doc(aggregate)
        watch = codec.task_watch(aggregate, original.get("alerts_sent") or ())
        kept = {name: value for name, value in original.items()
                if name not in domain and name not in watch}
        return {**kept, **domain, **watch}

    def audit_document(self, aggregate: Task, entry: AuditEntry) -> Document:
        return journal_document(entry, aggregate.plan_id, aggregate.id, now(),
                                aggregate.audit.index(entry))

    def pending_writes(self, envelopes: Callable[[Task], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        writes = super().pending_writes(envelopes, command)
        stamp = now()
        changed: dict[str, list[str]] = {}
        self._written.clear()
        for write in writes:
            if write.collection != TASKS or write.insert is not None or write.delete:
                continue
            original = self._tracked[write.key].original or {}
            write.guard = {"version": original.get("version")}
            write.update.setdefault("$set", {})["updated_at"] = stamp
            write.update["$inc"] = {"version": 1}
            self._written.add(write.key)
            changed.setdefault(original["plan_id"], []).append(write.key)
        writes += [DocumentWrite(STAMPS, plan_stamp_id(plan_id),
                                 update=stamp_update(plan_changes(keys)), upsert=True)
                   for plan_id, keys in changed.items()]
        return writes

    def committed(self, result: CommitResult) -> None:
        super().committed(result)
        for key in self._written:  # a later commit of this unit of work guards on the new one
            tracked = self._tracked.get(key)
            if tracked is not None and tracked.original is not None:
                tracked.original["version"] = (tracked.original.get("version") or 0) + 1
        self._written.clear()


class PlansUnitOfWork(UnitOfWork):
    """The repositories a plans use case on the unit of work reads and changes."""

    plans: PlanReader
    units: UnitsRepository
    groups: GroupsRepository
    tasks: TasksRepository


class MongoPlansUnitOfWork(MongoUnitOfWork, PlansUnitOfWork):
    def __init__(self, db: Database[Document],
                 correlation_id: Callable[[], str | None] = lambda: None) -> None:
        super().__init__(db, correlation_id=correlation_id,
                         idempotency_collection=IDEMPOTENCY, audit_collection=AUDIT)
        self.plans = PlanReader(db)
        self.units = UnitsRepository(db)
        self.groups = GroupsRepository(db)
        self.tasks = TasksRepository(db)
