"""The audit journal: who did what and when, with the change (`AuditEntry` values)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.plans import codec
from services.plans.domain import AuditEntry
from services.plans.repositories.base import AUDIT, StoreBase, now
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import Repository

EXPORT_PAGE = 1000


@dataclass(frozen=True)
class AuditSelection:
    """Which journal entries to read: each field given narrows it (`since`: at or after)."""

    plan_id: str | None = None
    task_id: str | None = None
    entity_kind: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    since: datetime | None = None


def journal_document(entry: AuditEntry, plan_id: str | None, task_id: str | None,
                     written_at: datetime, position: int) -> dict[str, Any]:
    """An entry as the journal stores it: under a time-ordered id, so the journal's cursor is
    chronological (and a batch keeps its order: the position after the instant)."""
    doc = entry.to_dict()
    doc["at"] = entry.at
    stamp = int(written_at.timestamp() * 1e6)
    doc["_id"] = f"{stamp:017d}-{position:03x}{uuid.uuid4().hex[:5]}"
    doc["plan_id"] = plan_id
    entry_task = entry.entity_id if entry.entity_kind == "task" else task_id
    if entry_task is not None and plan_id is not None:
        doc["task_id"] = entry_task
    return doc


def recorded_document(entry: AuditEntry, recorded: list[AuditEntry], plan_id: str | None,
                      task_id: str | None) -> dict[str, Any]:
    """The journal document of an entry an aggregate recorded, now, in its recorded order."""
    return journal_document(entry, plan_id, task_id, now(), recorded.index(entry))


class AuditStore(StoreBase):
    def journal(self, entries: Iterable[AuditEntry], plan_id: str | None,
                task_id: str | None = None) -> None:
        """Append entries; each names its plan and, for a task or one of its reports, the
        task (`task_id`: the task the report entries concern), so a task's journal is one
        index range."""
        stamp = now()
        docs = [journal_document(entry, plan_id, task_id, stamp, n)
                for n, entry in enumerate(entries)]
        if docs:
            self.audit.insert_many(docs)


class AuditJournal(InDatabase, Repository):
    """The journal as use cases read it (entries are written by the unit of work)."""

    indexes = (Index(AUDIT, "entity", (("entity_kind", 1), ("entity_id", 1))),
               Index(AUDIT, "plan", (("plan_id", 1), ("_id", 1))),
               Index(AUDIT, "plan_task", (("plan_id", 1), ("task_id", 1), ("_id", 1))))

    def _documents(self, selection: AuditSelection, after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {name: value for name in (
            "plan_id", "task_id", "entity_kind", "entity_id", "actor")
            if (value := getattr(selection, name)) is not None}
        if selection.since is not None:
            query["at"] = {"$gte": selection.since}
        if after:
            query["_id"] = {"$gt": after}
        return list(self._collection(AUDIT).find(query).sort("_id", 1).limit(limit))

    def page(self, selection: AuditSelection, *, after: str | None,
             limit: int) -> list[dict[str, Any]]:
        """Replies for the entries in chronological (`_id`) order after the cursor."""
        return [codec.audit_reply(document)
                for document in self._documents(selection, after, limit)]

    def entries(self, selection: AuditSelection, *, limit: int) -> list[AuditEntry]:
        """The first `limit` entries in chronological order, read a page at a time."""
        documents: list[dict[str, Any]] = []
        after: str | None = None
        while len(documents) < limit:
            page = self._documents(selection, after, min(EXPORT_PAGE, limit - len(documents)))
            documents += page
            if len(page) < EXPORT_PAGE:
                break
            after = page[-1]["_id"]
        return [codec.audit_from(document) for document in documents]
