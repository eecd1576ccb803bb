"""The unit of work on MongoDB (and SecantusDB): every write by `_id`, guarded writes one by
one (their outcome is per document), and runs of inserts or unguarded updates of one
collection in one round trip. Events go into the written document (`_outbox`), so the
outbox relay publishes them after the commit; see services/runtime/unit_of_work.py for what
a commit guarantees."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.runtime.mongo import refused_as_duplicates
from services.runtime.outbox import merge_updates, outbox_push, with_outbox
from services.runtime.unit_of_work import CommitResult, DocumentWrite, StaleWrite, UnitOfWork

Document = dict[str, Any]


@functools.lru_cache(maxsize=512)
def collection(db: Database[Document], name: str) -> Collection[Document]:
    """A collection object, made once per process: making one is costly enough that a use case
    should not pay it per collection per call (docs/decisions/0003-the-rpc-path.md)."""
    return db[name]


class MongoUnitOfWork(UnitOfWork):
    def __init__(self, db: Database[Document], *,
                 correlation_id: Callable[[], str | None] = lambda: None,
                 idempotency_collection: str | None = None,
                 audit_collection: str | None = None) -> None:
        super().__init__(correlation_id=correlation_id,
                         idempotency_collection=idempotency_collection,
                         audit_collection=audit_collection)
        self.db = db

    def _read_remembered(self, collection_name: str, command_id: str) -> Any:
        found = collection(self.db, collection_name).find_one({"_id": command_id})
        return None if found is None else found.get("result")

    def _write(self, writes: list[DocumentWrite]) -> CommitResult:
        result = CommitResult()
        for batch in _batches(writes):
            first = batch[0]
            target = collection(self.db, first.collection)
            if first.insert is not None:
                _insert(target, batch, result)
            elif len(batch) > 1:
                target.bulk_write([UpdateOne({"_id": write.key}, _update_of(write),
                                             upsert=write.upsert) for write in batch],
                                  ordered=False)
            else:
                _one(target, first)
        return result


def _batches(writes: list[DocumentWrite]) -> Iterator[list[DocumentWrite]]:
    """Consecutive inserts into one collection, or consecutive unguarded updates of single
    documents of one collection, together; every other write alone."""
    batch: list[DocumentWrite] = []
    for write in writes:
        if batch and _batchable(batch[-1], write):
            batch.append(write)
            continue
        if batch:
            yield batch
        batch = [write]
    if batch:
        yield batch


def _batchable(previous: DocumentWrite, write: DocumentWrite) -> bool:
    if previous.collection != write.collection:
        return False
    if previous.insert is not None and write.insert is not None:
        return True
    return all(w.insert is None and not w.delete and not w.guard and not w.many
               for w in (previous, write))


def _insert(target: Collection[Document], batch: list[DocumentWrite],
            result: CommitResult) -> None:
    documents = [with_outbox(write.insert, write.events) if write.events else write.insert
                 for write in batch if write.insert is not None]
    try:
        if len(documents) == 1:
            target.insert_one(documents[0])
        else:
            target.insert_many(documents, ordered=False)
    except DuplicateKeyError:
        result.refused.add((batch[0].collection, batch[0].key))
    except BulkWriteError as exc:
        for position in refused_as_duplicates(exc):
            result.refused.add((batch[position].collection, batch[position].key))


def _update_of(write: DocumentWrite) -> dict[str, Any]:
    if write.events:
        return merge_updates(write.update, outbox_push(write.events))
    return write.update


def _one(target: Collection[Document], write: DocumentWrite) -> None:
    selector = {"_id": {"$in": write.key} if write.many else write.key, **write.guard}
    if write.delete:
        done = (target.delete_many(selector) if write.many else target.delete_one(selector))
        matched = done.deleted_count
    else:
        update = _update_of(write)
        if not update:
            return
        try:
            if write.many:
                matched = target.update_many(selector, update).matched_count
            else:
                outcome = target.update_one(selector, update, upsert=write.upsert)
                matched = outcome.matched_count or int(outcome.upserted_id is not None)
        except DuplicateKeyError:  # an upsert whose guard failed on an existing document
            matched = 0
    if not matched and write.guard and write.stale_if_unmatched:
        raise StaleWrite(f"{write.collection} {write.key}")
