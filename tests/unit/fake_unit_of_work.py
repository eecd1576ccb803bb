"""An in-memory unit of work for use-case tests without I/O (cosmicpython's FakeUnitOfWork).

`InMemoryDocuments` applies a commit's writes as the database would (the update operators
repositories use, guards, refused inserts); fakes of a service's repositories read from it.
Events a commit stores are in `outbox`, as the relay would publish them."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from services.contracts.envelope import Envelope
from services.runtime.unit_of_work import CommitResult, DocumentWrite, StaleWrite, UnitOfWork

OUTBOX = "_outbox"


class InMemoryDocuments:
    def __init__(self) -> None:
        self.collections: dict[str, dict[Any, dict[str, Any]]] = defaultdict(dict)
        self.outbox: list[Envelope] = []

    def __getitem__(self, name: str) -> dict[Any, dict[str, Any]]:
        return self.collections[name]

    def apply(self, write: DocumentWrite, result: CommitResult) -> None:
        documents = self.collections[write.collection]
        if write.insert is not None:
            if write.insert["_id"] in documents:
                result.refused.add((write.collection, write.key))
                return
            stored = copy.deepcopy(write.insert)
            if write.events:
                stored[OUTBOX] = [e.model_dump(mode="json") for e in write.events]
            documents[write.key] = stored
            self.outbox.extend(write.events)
            return
        keys = write.key if write.many else [write.key]
        matched = [key for key in keys if key in documents
                   and all(documents[key].get(name) == value
                           for name, value in write.guard.items())]
        if not matched and write.guard and write.stale_if_unmatched:
            raise StaleWrite(f"{write.collection} {write.key}")
        if write.delete:
            for key in matched:
                del documents[key]
            return
        if not matched and write.upsert and not write.many:
            documents[write.key] = {"_id": write.key}
            set_fields(documents[write.key], write.update.get("$setOnInsert", {}))
            matched = [write.key]
        for key in matched:
            apply_update(documents[key], write.update)
            if write.events:
                documents[key].setdefault(OUTBOX, []).extend(
                    e.model_dump(mode="json") for e in write.events)
        if matched:
            self.outbox.extend(write.events)


def set_fields(document: dict[str, Any], fields: dict[str, Any]) -> None:
    for path, value in fields.items():
        *parents, name = path.split(".")
        target = document
        for part in parents:
            target = target.setdefault(part, {})
        target[name] = copy.deepcopy(value)


def apply_update(document: dict[str, Any], update: dict[str, dict[str, Any]]) -> None:
    unknown = set(update) - {"$set", "$unset", "$inc", "$setOnInsert", "$push"}
    assert not unknown, f"the fake does not know {unknown}"
    set_fields(document, update.get("$set", {}))
    for path in update.get("$unset", {}):
        document.pop(path, None)
    for path, step in update.get("$inc", {}).items():
        *parents, name = path.split(".")
        target = document
        for part in parents:
            target = target.setdefault(part, {})
        target[name] = target.get(name, 0) + step
    for path, value in update.get("$push", {}).items():
        values = value["$each"] if isinstance(value, dict) and "$each" in value else [value]
        document.setdefault(path, []).extend(copy.deepcopy(values))
        if isinstance(value, dict) and "$slice" in value:
            cut = value["$slice"]
            document[path] = document[path][cut:] if cut < 0 else document[path][:cut]


class InMemory:
    """Mixed in before a service's real repository: no database, its documents are
    `InMemoryDocuments`."""

    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(None)  # type: ignore[call-arg]
        self.documents = documents


class FakeUnitOfWork(UnitOfWork):
    """Subclasses give it a service's fake repositories, all reading `self.documents`."""

    def __init__(self, documents: InMemoryDocuments | None = None,
                 idempotency_collection: str | None = "idempotency",
                 audit_collection: str | None = "audit") -> None:
        super().__init__(correlation_id=lambda: "test-correlation",
                         idempotency_collection=idempotency_collection,
                         audit_collection=audit_collection)
        self.documents = documents or InMemoryDocuments()
        self.commits = 0

    def _write(self, writes: list[DocumentWrite]) -> CommitResult:
        result = CommitResult()
        for write in writes:
            self.documents.apply(write, result)
        self.commits += 1
        return result

    def _read_remembered(self, collection: str, command_id: str) -> Any:
        found = self.documents[collection].get(command_id)
        return None if found is None else found.get("result")
