"""What the plans repositories on the unit of work share: aggregates read whole by `_id`
(outbox aside), the stored fields the domain does not map kept over a change, and, for
plans and tasks, every change written under the document's `version`, the guard every other
writer of those collections uses too."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pymongo.database import Database

from services.contracts.envelope import Envelope
from services.plans.repositories.base import OUTBOX_COLLECTIONS, OUTBOX_HIDDEN, now
from services.runtime.mongo_repository import InDatabase
from services.runtime.unit_of_work import AggregateRepository, CommitResult, DocumentWrite

A = TypeVar("A")
Document = dict[str, Any]


class StoredRepository(InDatabase, AggregateRepository[A]):
    """`to_document` and `from_document` map an aggregate to its document and back (the
    codec); a new aggregate may be stored with fields of its creation besides (`create`)."""

    def __init__(self, db: Database[Document] | None, to_document: Callable[[A], Document],
                 from_document: Callable[[Document], A]) -> None:
        super().__init__(db)  # type: ignore[arg-type]  # None: the tests' in-memory fakes
        self._to_document = to_document
        self._from_document = from_document
        self._created_with: dict[str, Document] = {}

    def create(self, aggregate: A, **stored_with: Any) -> None:
        """A new aggregate, inserted at commit with these stored fields (refused if its id,
        or a unique field, exists by then)."""
        key = self._to_document(aggregate)["_id"]
        self._created_with[key] = stored_with
        self.add(aggregate)

    def aggregate_of(self, document: Mapping[str, Any]) -> A:
        return self._from_document(dict(document))

    def document_of(self, aggregate: A) -> Document:
        fields = self._to_document(aggregate)
        return self._over_stored(fields, self._created_with.get(fields["_id"]))

    def _loaded(self, document: Mapping[str, Any]) -> A:
        """The aggregate of a document, tracked once: a second read of it in this unit of
        work hands out the same aggregate, with the changes made to it so far."""
        tracked = self._tracked.get(document["_id"])
        if tracked is not None and tracked.original is not None:
            return tracked.aggregate
        return super()._loaded(document)

    @property
    def _whole(self) -> Document | None:
        """The projection of a whole aggregate: its outbox left out where it has one (the
        units and groups have none, and a projection costs SecantusDB 40 % more per read)."""
        return OUTBOX_HIDDEN if self.collection in OUTBOX_COLLECTIONS else None

    def _read(self, key: str) -> Document | None:
        return self._collection(self.collection).find_one({"_id": key}, self._whole)

    def _find(self, query: Document, projection: Document | None = None) -> list[Document]:
        """The documents matching a query of equalities (a field, or a member of a list),
        whole unless `projection` says which fields."""
        return list(self._collection(self.collection).find(query, projection or self._whole))

    def _count(self, query: Document) -> int:
        return self._collection(self.collection).count_documents(query)

    def _page(self, query: Document, after: str | None, limit: int) -> list[Document]:
        """Documents matching a query of equalities in `_id` order after the cursor."""
        if after:
            query = {**query, "_id": {"$gt": after}}
        return list(self._collection(self.collection).find(query, self._whole)
                    .sort("_id", 1).limit(limit))

    def _over_stored(self, fields: Document, new: Document | None = None) -> Document:
        """The aggregate's fields over what its stored document keeps besides them (`new`:
        what a new one is stored with), so a diff sees only the aggregate's changes."""
        tracked = self._tracked.get(fields["_id"])
        original = (tracked.original if tracked is not None else None) or new or {}
        return {**{name: value for name, value in original.items() if name not in fields},
                **fields}


class VersionedRepository(StoredRepository[A]):
    """A change is written under the `version` it was read at and steps it; a new document
    starts at version 1 with its creation time."""

    def __init__(self, db: Database[Document] | None, to_document: Callable[[A], Document],
                 from_document: Callable[[Document], A]) -> None:
        super().__init__(db, to_document, from_document)
        self._written: set[str] = set()
        self._inserted: set[str] = set()

    def pending_writes(self, envelopes: Callable[[A], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        writes = super().pending_writes(envelopes, command)
        stamp = now()
        self._written.clear()
        self._inserted.clear()
        for write in writes:
            if write.collection != self.collection or write.delete:
                continue
            if write.insert is not None:
                write.insert.setdefault("version", 1)
                write.insert.setdefault("created_at", stamp)
                self._inserted.add(write.key)
                continue
            original = self._tracked[write.key].original or {}
            write.guard = {"version": original.get("version")}
            write.update.setdefault("$set", {})["updated_at"] = stamp
            write.update["$inc"] = {"version": 1}
            self._written.add(write.key)
        return writes

    def written(self) -> set[str]:
        """The keys of the documents the pending writes change or insert."""
        return self._written | self._inserted

    def committed(self, result: CommitResult) -> None:
        super().committed(result)
        for key in self._written | self._inserted:  # a later commit guards on the new version
            tracked = self._tracked.get(key)
            if tracked is not None and tracked.original is not None:
                tracked.original["version"] = (
                    1 if key in self._inserted else (tracked.original.get("version") or 0) + 1)
        self._written.clear()
        self._inserted.clear()
