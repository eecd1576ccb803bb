"""The plans service on the runtime's unit of work (services/runtime/unit_of_work.py): plans,
tasks, units and groups as aggregates whose changes, events and journal entries a commit
writes. A use case reads

    with ctx.unit_of_work().command("start_task", key) as uow:
        task = uow.tasks.get(plan_id, task_id)
        task.record(task.start(actor, at), event)
        uow.commit(reply)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from services.contracts.envelope import Envelope
from services.plans import codec
from services.plans.domain import AuditEntry, FieldChange, NotFound, Task
from services.plans.domain.audit import diff
from services.plans.repositories import PlansRepository, read_side
from services.plans.repositories.audit import AuditJournal, recorded_document
from services.plans.repositories.base import (
    AUDIT,
    IDEMPOTENCY,
    STAMPS,
    TASKS,
    plan_changes,
    plan_stamp_id,
    stamp_update,
)
from services.plans.repositories.directory import GroupsRepository, UnitsRepository
from services.plans.repositories.plan_repository import PlanRepository
from services.plans.repositories.report_repository import ReceiptsRepository, ReportsRepository
from services.plans.repositories.stored import VersionedRepository
from services.runtime.mongo_repository import Index, ensure_indexes_of, open_repositories
from services.runtime.mongo_unit_of_work import MongoUnitOfWork
from services.runtime.unit_of_work import DocumentWrite, UnitOfWork

Document = dict[str, Any]


class TasksRepository(VersionedRepository[Task]):
    """Tasks: one document each. A change is counted in the plan's progress stamp after it,
    so a progress reader at the new count sees it."""

    collection = TASKS
    # Multikey: the deadline scan's candidates (`WATCH <= today + window`); not sparse, so
    # documents written before the field existed are found as `WATCH: None` (backfill).
    indexes = (Index(TASKS, "plan_task", (("plan_id", 1), ("task_id", 1))),
               Index(TASKS, "plan_status", (("plan_id", 1), ("status", 1))),
               Index(TASKS, "units", (("unit_ids", 1),)),
               Index(TASKS, "watched_deadlines", ((codec.WATCH, 1),)))

    def __init__(self, db: Database[Document] | None) -> None:
        super().__init__(db, codec.task_to_doc, codec.task_from)

    def find(self, plan_id: str, task_id: str) -> Task | None:
        """The task, written at commit if the use case changes it."""
        found = self._read(codec.task_key(plan_id, task_id))
        return None if found is None else self._loaded(found)

    def get(self, plan_id: str, task_id: str) -> Task:
        found = self.find(plan_id, task_id)
        if found is None:
            raise NotFound(f"task {task_id} of plan {plan_id} not found",
                           {"plan_id": plan_id, "task_id": task_id})
        return found

    def as_read(self, task: Task) -> Task:
        """The task as it was read, before the use case changed it."""
        original = self.original_of(task)
        assert original is not None, "only a loaded task was read"
        return self.aggregate_of(original)

    def changes(self, task: Task) -> tuple[FieldChange, ...]:
        """What the journal records of a change: the task's fields that differ from the
        task as it was read."""
        return diff(codec.task_to_doc(self.as_read(task)), codec.task_to_doc(task))

    def exists(self, plan_id: str, task_id: str) -> bool:
        return self._read(codec.task_key(plan_id, task_id)) is not None

    def page(self, plan_id: str, filters: Document, after: str | None, limit: int,
             bucket: Callable[[Task], str | None]) -> list[Document]:
        """Replies for a plan's tasks matching the filters (`unit_ids`, `status`,
        `parent_task_id`) in storage-key order after the cursor (a task id)."""
        documents = self._page({"plan_id": plan_id, **filters},
                               codec.task_key(plan_id, after) if after else None, limit)
        return [codec.task_reply(document, bucket(self.aggregate_of(document)))
                for document in documents]

    def reply(self, task: Task, bucket: str | None) -> Document:
        return codec.task_reply(self.document_of(task), bucket)

    def of_plan(self, plan_id: str, *, to_change: bool = False) -> list[Task]:
        """Every task of a plan, for reading (`to_change`: written at commit if changed)."""
        read = self._loaded if to_change else self.aggregate_of
        return [read(document) for document in self._find({"plan_id": plan_id})]

    def count_of_plan(self, plan_id: str) -> int:
        return self._count({"plan_id": plan_id})

    def document_of(self, aggregate: Task) -> Document:
        """The domain's fields and the watch list they imply, over what the stored document
        keeps besides them (version, alerts sent, creation time)."""
        key = codec.task_key(aggregate.plan_id, aggregate.id)
        tracked = self._tracked.get(key)
        alerts_sent = ((tracked.original if tracked is not None else None) or {}).get(
            "alerts_sent") or ()
        return self._over_stored({**codec.task_to_doc(aggregate),
                                  **codec.task_watch(aggregate, alerts_sent)},
                                 {"alerts_sent": []})

    def audit_document(self, aggregate: Task, entry: AuditEntry) -> Document:
        return recorded_document(entry, aggregate.audit, aggregate.plan_id, aggregate.id)

    def pending_writes(self, envelopes: Callable[[Task], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        writes = super().pending_writes(envelopes, command)
        changed: dict[str, list[str]] = {}
        for key in sorted(self.written()):
            changed.setdefault(self._tracked[key].aggregate.plan_id, []).append(key)
        removed = {self._tracked[write.key].aggregate.plan_id for write in writes
                   if write.collection == TASKS and write.delete}
        stamps = {plan_id: plan_changes(keys) for plan_id, keys in changed.items()}
        stamps.update({plan_id: plan_changes(reset=True) for plan_id in removed})
        return writes + [DocumentWrite(STAMPS, plan_stamp_id(plan_id),
                                       update=stamp_update(entries), upsert=True)
                         for plan_id, entries in stamps.items()]


class PlansUnitOfWork(UnitOfWork):
    """The repositories a plans use case on the unit of work reads and changes (the Mongo
    one opens each of them); commits write in this order: a review writes the report before
    its task."""

    plans: PlanRepository
    units: UnitsRepository
    groups: GroupsRepository
    reports: ReportsRepository
    tasks: TasksRepository
    receipts: ReceiptsRepository
    journal: AuditJournal
    progress: PlansRepository


class MongoPlansUnitOfWork(MongoUnitOfWork, PlansUnitOfWork):
    def __init__(self, db: Database[Document],
                 correlation_id: Callable[[], str | None] = lambda: None) -> None:
        super().__init__(db, correlation_id=correlation_id,
                         idempotency_collection=IDEMPOTENCY, audit_collection=AUDIT)
        open_repositories(self, db)
        self.progress = read_side(db)  # the read side: no repository of the unit of work


def ensure_indexes(db: Database[Document]) -> None:
    """The indexes every repository of the plans unit of work declares, once the retired
    ones are dropped."""
    read_side(db).drop_retired_indexes()
    ensure_indexes_of(MongoPlansUnitOfWork, db)
