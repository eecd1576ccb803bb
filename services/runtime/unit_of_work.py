"""The unit of work: what one use case changes, committed as single-document writes that carry
the aggregates' events (outbox), their audit entries and the command's idempotency key.

A use case reads:

    with uow:
        alert = uow.alerts.get(alert_id)
        alert.acknowledge(actor, at)
        uow.commit()

Repositories hand out domain objects and remember the ones they handed out or were given
(`seen`). At `commit()` each repository says what its aggregates need: an insert for an added
one, for a loaded one an update of the fields that changed, guarded by the values those fields
had when it was loaded (another writer in between makes the write stale), a delete for a
removed one. Each aggregate's recorded events travel in its own document's write (the outbox:
`services/runtime/outbox.py`), and the relay publishes them after the commit. Repositories
may also queue writes of their own (counters, version stamps). Nothing is written without
`commit()`; leaving the block forgets what was not committed.

What is atomic, what is at least once (docs/architecture.md says it for users of the code):
- one aggregate's change and its events: one document write;
- two aggregates of one commit: two writes, in the order the use case touched them; a stale
  one raises `StaleWrite` and the writes after it are not made (`retrying` runs the use case
  again on fresh reads);
- events: published at least once after the commit; consumers drop repeats by event id;
- audit entries: written after the documents they describe, under ids derived from what they
  record, so a retried commit adds none twice;
- an idempotency key: stored with every document the command changes, in the same write, and
  its result remembered after the commit; a retry gets the remembered result, or sees the key
  on the documents (`applied_before`) when the process died in between.

This module is storage-neutral (no database driver): `services/runtime/mongo_unit_of_work.py`
writes to MongoDB, and the tests' fake keeps documents in memory.
"""

from __future__ import annotations

import copy
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Self, TypeVar, get_type_hints

from services.contracts.envelope import Envelope
from services.contracts.errors import DomainError, ErrorCode

A = TypeVar("A")
T = TypeVar("T")

# Fields whose name starts with this belong to the runtime (outbox, leases, command keys):
# a repository's codec never maps them, and a diff never touches them.
RUNTIME_FIELD_PREFIX = "_"
COMMAND_KEYS = "_command_keys"
RETRIES = 5


class StaleWrite(Exception):
    """A document changed since the use case read it: read again and retry."""


@dataclass
class DocumentWrite:
    """One write of a commit, on the documents of one collection chosen by `_id`.

    `insert` a new document; else `update` (update operators: `$set`, `$unset`, `$inc`,
    `$setOnInsert`, `$push`) where the `guard` fields still hold their values (none: always),
    creating the document when `upsert`; else `delete`. `key` is one `_id`, or a list of
    them for an unguarded update or delete of several documents."""

    collection: str
    key: Any
    insert: dict[str, Any] | None = None
    update: dict[str, dict[str, Any]] = field(default_factory=dict)
    guard: dict[str, Any] = field(default_factory=dict)
    upsert: bool = False
    delete: bool = False
    events: list[Envelope] = field(default_factory=list)
    # An insert of an `_id` that exists is refused (reported in the result), never an error;
    # a guarded write whose guard no longer holds is stale unless this says otherwise.
    stale_if_unmatched: bool = True

    @property
    def many(self) -> bool:
        return isinstance(self.key, list)


@dataclass
class CommitResult:
    """What a commit did not write: inserts of documents that existed already."""

    refused: set[tuple[str, Any]] = field(default_factory=set)

    def was_refused(self, collection: str, key: Any) -> bool:
        return (collection, key) in self.refused


@dataclass
class _Tracked(Generic[A]):
    aggregate: A
    original: dict[str, Any] | None  # None: added in this unit of work
    removed: bool = False


class Repository:
    """The named queries of some collections. A repository's reads run at once; its writes
    are queued (`queue`) and made by the unit of work at commit."""

    def __init__(self) -> None:
        self._queued: list[DocumentWrite] = []

    def queue(self, write: DocumentWrite) -> None:
        """A write made at commit, after those of the aggregates (counters, version stamps)."""
        self._queued.append(write)

    def forget(self) -> None:
        self._queued.clear()

    def pending_writes(self, envelopes: Callable[[Any], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        return list(self._queued)

    def committed(self, result: CommitResult) -> None:
        self._queued.clear()

    @property
    def seen(self) -> list[Any]:
        return []


class AggregateRepository(Repository, ABC, Generic[A]):
    """Aggregates of one collection: the codec, and the writes their changes need.

    Subclasses add named queries that return domain objects (tracked with `_loaded` when the
    use case may change them). A tracked aggregate is read whole: a field its codec maps but
    the read left out would look removed."""

    collection: ClassVar[str]
    # The fields checked by the optimistic guard when they change; None: every changed field.
    guarded_fields: ClassVar[frozenset[str] | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._tracked: dict[Any, _Tracked[A]] = {}

    @abstractmethod
    def document_of(self, aggregate: A) -> dict[str, Any]:
        """The aggregate's document, `_id` included (runtime fields excluded)."""

    @abstractmethod
    def aggregate_of(self, document: Mapping[str, Any]) -> A:
        """The aggregate a stored document holds."""

    def audit_document(self, aggregate: A, entry: Any) -> dict[str, Any]:
        """The journal document of an audit entry the aggregate recorded (its `audit` list),
        under an `_id` derived from what it records, so that a retried commit adds it once."""
        raise NotImplementedError(f"{type(self).__name__} keeps no audit journal")

    # -- tracking ---------------------------------------------------------------------------

    def _loaded(self, document: Mapping[str, Any]) -> A:
        """The aggregate of a document read whole, remembered so that its changes are
        written at commit."""
        aggregate = self.aggregate_of(document)
        self._tracked[document["_id"]] = _Tracked(aggregate, copy.deepcopy(dict(document)))
        return aggregate

    def add(self, aggregate: A) -> None:
        """A new aggregate: inserted at commit (refused if its `_id` exists by then)."""
        key = self.document_of(aggregate)["_id"]
        self._tracked[key] = _Tracked(aggregate, None)

    def remove(self, aggregate: A) -> None:
        key = self.document_of(aggregate)["_id"]
        tracked = self._tracked.get(key)
        if tracked is None or tracked.original is None:
            raise ValueError(f"{self.collection} {key}: only a loaded aggregate is removed")
        tracked.removed = True

    @property
    def seen(self) -> list[A]:
        return [tracked.aggregate for tracked in self._tracked.values()]

    def refused(self, result: CommitResult, aggregate: A) -> bool:
        """Whether the commit refused to insert this aggregate (its `_id` existed)."""
        return result.was_refused(self.collection, self.document_of(aggregate)["_id"])

    def original_of(self, aggregate: A) -> dict[str, Any] | None:
        """The document the aggregate was loaded from (None for an added one)."""
        tracked = self._tracked.get(self.document_of(aggregate)["_id"])
        return None if tracked is None else tracked.original

    def forget(self) -> None:
        super().forget()
        self._tracked.clear()

    # -- what a commit writes ---------------------------------------------------------------

    def pending_writes(self, envelopes: Callable[[A], list[Envelope]],
                       command: tuple[str, str] | None = None) -> list[DocumentWrite]:
        """The writes this repository's aggregates need, each with its events, then the
        queued ones. `command`: its name and idempotency key, stored on every document it
        changes."""
        stamp = {f"{COMMAND_KEYS}.{command[0]}": command[1]} if command else {}
        writes: list[DocumentWrite] = []
        for key, tracked in self._tracked.items():
            events = envelopes(tracked.aggregate)
            if tracked.removed:
                if events:
                    raise ValueError(f"{self.collection} {key}: a removed aggregate's events "
                                     "have no document to travel in")
                guard = ({} if self.guarded_fields is None else
                         self._guard(tracked.original or {}, self.guarded_fields))
                writes.append(DocumentWrite(self.collection, key, delete=True, guard=guard,
                                            stale_if_unmatched=bool(guard)))
                continue
            document = self.document_of(tracked.aggregate)
            if tracked.original is None:
                if command:
                    document[COMMAND_KEYS] = {command[0]: command[1]}
                writes.append(DocumentWrite(self.collection, key, insert=document,
                                            events=events))
                continue
            changed, unset = diff(tracked.original, document)
            if not changed and not unset and not events:
                continue
            update: dict[str, dict[str, Any]] = {}
            if changed or stamp:
                update["$set"] = {**changed, **stamp}
            if unset:
                update["$unset"] = dict.fromkeys(unset, "")
            guard = self._guard(tracked.original, [*changed, *unset])
            writes.append(DocumentWrite(self.collection, key, update=update, guard=guard,
                                        events=events))
        return writes + self._queued

    def _guard(self, original: Mapping[str, Any], changed: Iterable[str]) -> dict[str, Any]:
        fields = [name for name in changed
                  if self.guarded_fields is None or name in self.guarded_fields]
        return {name: original.get(name) for name in fields}

    def committed(self, result: CommitResult) -> None:
        """After a commit: what was written is the new original; refused inserts and removed
        aggregates are forgotten."""
        for key, tracked in list(self._tracked.items()):
            if tracked.removed or result.was_refused(self.collection, key):
                del self._tracked[key]
            else:
                tracked.original = copy.deepcopy(self.document_of(tracked.aggregate))
        super().committed(result)


def diff(original: Mapping[str, Any], document: Mapping[str, Any]
         ) -> tuple[dict[str, Any], list[str]]:
    """Top-level fields to set and to unset so that `original` becomes `document` (runtime
    fields aside)."""
    changed = {name: value for name, value in document.items()
               if name != "_id" and not name.startswith(RUNTIME_FIELD_PREFIX)
               and (name not in original or original[name] != value)}
    unset = [name for name in original
             if name not in document and name != "_id"
             and not name.startswith(RUNTIME_FIELD_PREFIX)]
    return changed, unset


class UnitOfWork(ABC):
    """One use case's changes; subclasses name their repositories as attributes."""

    def __init__(self, *, correlation_id: Callable[[], str | None] = lambda: None,
                 idempotency_collection: str | None = None,
                 audit_collection: str | None = None) -> None:
        self.correlation_id = correlation_id
        self.idempotency_collection = idempotency_collection
        self.audit_collection = audit_collection
        self._command: tuple[str, str] | None = None

    @property
    def repositories(self) -> list[Repository]:
        """Those opened so far: the declared ones in the order the class names them (the
        order a commit writes in, whichever the use case read first), then any others."""
        opened = vars(self)
        declared = _declared_repositories(type(self))
        return [*(opened[name] for name in declared
                  if isinstance(opened.get(name), Repository)),
                *(value for name, value in opened.items()
                  if name not in declared and isinstance(value, Repository))]

    @classmethod
    def declared_repositories(cls) -> dict[str, type[Repository]]:
        """The repositories the class names (`sources: SourcesRepository`), in the order it
        names them: a unit of work made from them commits in that order."""
        return dict(_declared_repositories(cls))

    def __enter__(self) -> Self:
        for repository in self.repositories:
            repository.forget()
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def command(self, name: str, key: str | None) -> Self:
        """Make this unit of work a command with an idempotency key (None: no key):
        `with uow.command("act_on_alert", key): ...`."""
        if key and self.idempotency_collection is None:
            raise ValueError("this unit of work has no idempotency store")
        self._command = (name, key) if key else None
        return self

    def remembered(self) -> Any:
        """The result of the first run of this command with this key, or None."""
        if self._command is None or self.idempotency_collection is None:
            return None
        return self._read_remembered(self.idempotency_collection, self.command_id)

    def applied_before(self, repository: AggregateRepository[A], aggregate: A) -> bool:
        """Whether the aggregate was changed by this command with this key already (the
        process died after the write, before the result was remembered)."""
        if self._command is None:
            return False
        name, key = self._command
        original = repository.original_of(aggregate) or {}
        return bool((original.get(COMMAND_KEYS) or {}).get(name) == key)

    @property
    def command_id(self) -> str:
        assert self._command is not None
        return f"{self._command[0]}:{self._command[1]}"

    def commit(self, result: Any = None) -> CommitResult:
        """Write every change (see the module's docstring); `result`, JSON-ready, is what a
        retry of this command with the same key gets."""
        correlation_id = self.correlation_id()

        def envelopes(aggregate: Any) -> list[Envelope]:
            recorded = getattr(aggregate, "events", None) or []
            return [event if isinstance(event, Envelope) else event.to_envelope(correlation_id)
                    for event in recorded]

        writes = [write for repository in self.repositories
                  for write in repository.pending_writes(envelopes, self._command)]
        writes += self._audit_writes()
        if self._command is not None and self.idempotency_collection is not None \
                and result is not None:
            writes.append(DocumentWrite(self.idempotency_collection, self.command_id, insert={
                "_id": self.command_id, "result": result}))
        outcome = self._write(writes)
        for repository in self.repositories:
            repository.committed(outcome)
            for aggregate in repository.seen:
                for recorded in ("events", "audit"):
                    if getattr(aggregate, recorded, None):
                        getattr(aggregate, recorded).clear()
        return outcome

    def _audit_writes(self) -> list[DocumentWrite]:
        """The journal entries the aggregates recorded, after the documents they describe."""
        writes: list[DocumentWrite] = []
        for repository in self.repositories:
            if not isinstance(repository, AggregateRepository):
                continue
            for aggregate in repository.seen:
                for entry in getattr(aggregate, "audit", None) or []:
                    if self.audit_collection is None:
                        raise ValueError("this unit of work keeps no audit journal")
                    document = repository.audit_document(aggregate, entry)
                    writes.append(DocumentWrite(self.audit_collection, document["_id"],
                                                insert=document))
        return writes

    def rollback(self) -> None:
        for repository in self.repositories:
            repository.forget()

    @abstractmethod
    def _write(self, writes: list[DocumentWrite]) -> CommitResult:
        """Make the writes in order; raise `StaleWrite` at the first whose guard fails."""

    @abstractmethod
    def _read_remembered(self, collection: str, command_id: str) -> Any:
        """The remembered result of a command id, or None."""


def retrying(run: Callable[[], T], attempts: int = RETRIES) -> T:
    """Run a use case again when another writer changed its documents first; after
    `attempts`, the caller is told to try again later (`conflict`)."""
    for _ in range(attempts - 1):
        try:
            return run()
        except StaleWrite:
            continue
    try:
        return run()
    except StaleWrite as exc:
        raise DomainError(ErrorCode.CONFLICT,
                          "the record is being changed concurrently; try again",
                          {"stale": str(exc)[:200]}) from None


@functools.cache
def _declared_repositories(unit_of_work: type) -> dict[str, type[Repository]]:
    """Read once per class: `get_type_hints` evaluates every annotation of the class and its
    bases, and a unit of work is made for every request."""
    return {name: hint for name, hint in get_type_hints(unit_of_work).items()
            if isinstance(hint, type) and issubclass(hint, Repository)}
