"""Progress reports on the unit of work: one document each. Only a review changes a
submitted report (its write is guarded by the `status` it was read with) and a correction's
acceptance marks what it supersedes (once); each change is counted in the plan's progress
stamp after it. The receipts of directives units acknowledged are read here too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from services.contracts.envelope import Envelope
from services.plans import codec
from services.plans.domain import AuditEntry, NotFound, ProgressReport
from services.plans.repositories.audit import journal_document, recorded_document
from services.plans.repositories.base import (
    AUDIT,
    RECEIPTS,
    REPORTS,
    STAMPS,
    now,
    plan_changes,
    plan_stamp_id,
    stamp_update,
)
from services.plans.repositories.stored import StoredRepository
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import CommitResult, DocumentWrite, Repository

Document = dict[str, Any]
RECEIPT_FIELDS = ("unit_id", "notice_id", "acknowledged_at", "via", "late")


class ReportsRepository(StoredRepository[ProgressReport]):
    collection = REPORTS
    indexes = (Index(REPORTS, "plan_task", (("plan_id", 1), ("task_id", 1))),
               Index(REPORTS, "status", (("status", 1),)),
               Index(REPORTS, "idempotency_key", (("idempotency_key", 1),), sparse=True,
                     unique=True))
    guarded_fields: ClassVar[frozenset[str] | None] = frozenset({"status", "superseded_by"})

    def __init__(self, db: Any) -> None:
        super().__init__(db, codec.report_to_doc, codec.report_from)

    def get(self, report_id: str) -> ProgressReport:
        found = self._read(report_id)
        if found is None:
            raise NotFound(f"report {report_id} not found", {"report_id": report_id})
        return self._loaded(found)

    def of_task(self, plan_id: str, task_id: str, *, to_change: bool = False
                ) -> list[ProgressReport]:
        """A task's reports, for reading (`to_change`: written at commit if changed)."""
        read = self._loaded if to_change else self.aggregate_of
        return [read(document) for document in self._find(
            {"plan_id": plan_id, "task_id": task_id})]

    def of_plan(self, plan_id: str) -> list[ProgressReport]:
        """Every report of a plan, for reading."""
        return [self.aggregate_of(document) for document in self._find({"plan_id": plan_id})]

    def created_with_key(self, idempotency_key: str | None) -> ProgressReport | None:
        """The report a submission with this idempotency key stored, if any."""
        found = self._find({"idempotency_key": idempotency_key}) if idempotency_key else []
        return self.aggregate_of(found[0]) if found else None

    def page(self, plan_id: str, filters: Document, after: str | None,
             limit: int) -> list[Document]:
        """Replies for a plan's reports matching the filters (task, unit, status) in id
        order after the cursor."""
        return [codec.report_reply(document)
                for document in self._page({"plan_id": plan_id, **filters}, after, limit)]

    def reply(self, report: ProgressReport) -> Document:
        return codec.report_reply(self.document_of(report))

    def audit_document(self, aggregate: ProgressReport, entry: AuditEntry) -> Document:
        return recorded_document(entry, aggregate.audit, aggregate.plan_id, aggregate.task_id)

    def pending_writes(self, envelopes: Callable[[ProgressReport], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        writes = super().pending_writes(envelopes, command)
        stamp = now()
        changed: dict[str, list[str]] = {}
        for write in writes:
            if write.collection != REPORTS or write.delete:
                continue
            if write.insert is not None:
                write.insert["created_at"] = stamp
            else:
                write.update.setdefault("$set", {})["updated_at"] = stamp
                # Another review marked it superseded first: the first mark stands.
                write.stale_if_unmatched = set(write.guard) != {"superseded_by"}
            report = self._tracked[write.key].aggregate
            changed.setdefault(report.plan_id, []).append(write.key)
        return writes + [DocumentWrite(STAMPS, plan_stamp_id(plan_id),
                                       update=stamp_update(plan_changes(reports=keys)),
                                       upsert=True)
                         for plan_id, keys in changed.items()]


class ReceiptsRepository(InDatabase, Repository):
    """Receipts of directives acknowledged by units: each stored once, its journal entry
    after it."""

    collection = RECEIPTS
    indexes = (Index(RECEIPTS, "plan", (("plan_id", 1),)),)

    def _find(self, query: Document) -> list[Document]:
        return list(self._collection(RECEIPTS).find(query))

    def of_task(self, plan_id: str, task_id: str) -> list[Document]:
        return [{name: receipt.get(name) for name in RECEIPT_FIELDS}
                for receipt in self._find({"plan_id": plan_id, "task_id": task_id})]

    def in_order(self, plan_id: str, task_id: str | None) -> list[Document]:
        """A plan's (or one task's) acknowledgements, oldest first, without their ids."""
        query: Document = {"plan_id": plan_id, **({"task_id": task_id} if task_id else {})}
        found = sorted(self._find(query), key=lambda receipt: receipt["acknowledged_at"])
        return [{name: value for name, value in receipt.items() if name != "_id"}
                for receipt in found]

    def record(self, receipt: Document) -> None:
        """A receipt inserted at commit, refused if it was stored before (`is_new`)."""
        self.queue(DocumentWrite(RECEIPTS, receipt["_id"], insert=receipt))

    @staticmethod
    def is_new(result: CommitResult, receipt: Document) -> bool:
        return not result.was_refused(RECEIPTS, receipt["_id"])

    def journal(self, entry: AuditEntry, plan_id: str) -> None:
        """The journal entry of a receipt, written at commit."""
        document = journal_document(entry, plan_id, None, now(), 0)
        self.queue(DocumentWrite(AUDIT, document["_id"], insert=document))
