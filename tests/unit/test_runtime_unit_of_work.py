"""The unit of work's promises, on the in-memory fake: a change and its events in one write,
nothing written without commit, stale writes refused, refused inserts reported, idempotency
keys stored with the change, queued writes after the aggregates'."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from fake_unit_of_work import FakeUnitOfWork, InMemoryDocuments

from services.contracts.errors import DomainError
from services.contracts.events import EventPayload
from services.runtime.unit_of_work import (
    AggregateRepository,
    DocumentWrite,
    Repository,
    StaleWrite,
    retrying,
)

pytestmark = pytest.mark.unit


class Renamed(EventPayload):
    event_type: ClassVar[str] = "test.renamed"
    source_service: ClassVar[str] = "test"
    thing_id: str
    name: str


@dataclass
class Thing:
    id: str
    name: str
    note: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)

    def rename(self, name: str, actor: str = "system") -> None:
        self.audit.append({"action": "rename", "actor": actor, "before": self.name,
                           "after": name, "version": self.version + 1})
        self.name = name
        self.version += 1
        self.events.append(Renamed(thing_id=self.id, name=name))


class Things(AggregateRepository[Thing]):
    collection = "things"

    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__()
        self.documents = documents

    def document_of(self, aggregate: Thing) -> dict[str, Any]:
        document: dict[str, Any] = {"_id": aggregate.id, "name": aggregate.name}
        if aggregate.version:
            document["version"] = aggregate.version
        if aggregate.note is not None:
            document["note"] = aggregate.note
        return document

    def aggregate_of(self, document: Mapping[str, Any]) -> Thing:
        return Thing(document["_id"], document["name"], document.get("note"),
                     document.get("version", 0))

    def audit_document(self, aggregate: Thing, entry: dict[str, Any]) -> dict[str, Any]:
        return {"_id": f"{aggregate.id}:{entry['version']}", "thing_id": aggregate.id, **entry}

    def get(self, thing_id: str) -> Thing | None:
        found = self.documents["things"].get(thing_id)
        return None if found is None else self._loaded(found)


class Counters(Repository):
    def bump(self, name: str) -> None:
        self.queue(DocumentWrite("counters", "versions", update={"$inc": {name: 1}},
                                 upsert=True))


class ThingsWork(FakeUnitOfWork):
    def __init__(self, documents: InMemoryDocuments | None = None) -> None:
        super().__init__(documents)
        self.things = Things(self.documents)
        self.counters = Counters()


def stored(uow: ThingsWork, thing_id: str) -> dict[str, Any]:
    return uow.documents["things"][thing_id]


def holding_t1(**fields: Any) -> ThingsWork:
    """A unit of work whose storage holds the thing `t1`, named "một"."""
    uow = ThingsWork()
    uow.documents["things"]["t1"] = {"_id": "t1", "name": "một", **fields}
    return uow


def loaded(uow: ThingsWork, thing_id: str = "t1") -> Thing:
    thing = uow.things.get(thing_id)
    assert thing is not None
    return thing


def test_a_unit_of_work_declares_its_repositories_in_the_order_it_commits_them() -> None:
    class Declared(FakeUnitOfWork):
        counters: Counters
        things: Things
        label: str

    assert Declared.declared_repositories() == {"counters": Counters, "things": Things}


def test_an_added_aggregate_is_inserted_with_its_events_in_the_same_document() -> None:
    uow = ThingsWork()
    with uow:
        thing = Thing("t1", "một")
        thing.rename("hai")
        uow.things.add(thing)
        uow.commit()
    assert stored(uow, "t1")["name"] == "hai"
    assert [e["type"] for e in stored(uow, "t1")["_outbox"]] == ["test.renamed"]
    assert [e.correlationid for e in uow.documents.outbox] == ["test-correlation"]
    assert thing.events == []  # taken by the commit


def test_nothing_is_written_without_commit() -> None:
    uow = ThingsWork()
    with uow:
        uow.things.add(Thing("t1", "một"))
    with uow:
        uow.things.add(Thing("t2", "hai"))
        uow.counters.bump("things")
        uow.rollback()
    assert uow.documents["things"] == {} and uow.documents["counters"] == {}
    assert uow.commits == 0


def test_a_loaded_aggregate_writes_only_what_changed_guarded_by_the_old_values() -> None:
    uow = holding_t1(note="ghi chú", _outbox=[])
    with uow:
        thing = loaded(uow)
        thing.note = None
        thing.rename("hai")
        (write,) = uow.things.pending_writes(lambda _: [])
        assert write.update == {"$set": {"name": "hai", "version": 1}, "$unset": {"note": ""}}
        assert write.guard == {"name": "một", "version": None, "note": "ghi chú"}
        uow.commit()
    assert stored(uow, "t1") == {"_id": "t1", "name": "hai", "version": 1, "_outbox": [
        uow.documents.outbox[0].model_dump(mode="json")]}


def test_an_unchanged_aggregate_writes_nothing() -> None:
    uow = holding_t1()
    with uow:
        uow.things.get("t1")
        assert uow.things.pending_writes(lambda _: []) == []
        uow.commit()


def test_a_change_made_by_another_writer_in_between_makes_the_write_stale() -> None:
    documents = InMemoryDocuments()
    documents["things"]["t1"] = {"_id": "t1", "name": "một"}
    ours, theirs = ThingsWork(documents), ThingsWork(documents)
    with ours:
        mine = ours.things.get("t1")
        with theirs:
            other = theirs.things.get("t1")
            assert other is not None
            other.rename("của họ")
            theirs.commit()
        assert mine is not None
        mine.rename("của tôi")
        with pytest.raises(StaleWrite):
            ours.commit()
    assert documents["things"]["t1"]["name"] == "của họ"


def test_retrying_reads_again_and_gives_up_with_a_conflict() -> None:
    documents = InMemoryDocuments()
    documents["things"]["t1"] = {"_id": "t1", "name": "một"}
    uow = ThingsWork(documents)
    attempts: list[int] = []

    def rename_racing(times: int, name: str) -> str:
        with uow:
            thing = uow.things.get("t1")
            assert thing is not None
            if len(attempts) < times:  # someone else writes between our read and our write
                documents["things"]["t1"]["name"] = f"khác {len(attempts)}"
            attempts.append(1)
            thing.rename(name)
            uow.commit()
            return thing.name

    assert retrying(lambda: rename_racing(2, "mới")) == "mới" and len(attempts) == 3
    attempts.clear()
    with pytest.raises(DomainError) as conflict:
        retrying(lambda: rename_racing(99, "mới nữa"), attempts=3)
    assert conflict.value.code == "conflict" and len(attempts) == 3


def test_an_insert_of_an_existing_id_is_refused_and_reported_not_raised() -> None:
    uow = ThingsWork()
    uow.documents["things"]["t1"] = {"_id": "t1", "name": "cũ"}
    with uow:
        fresh = Thing("t1", "mới")
        fresh.rename("mới hơn")
        uow.things.add(fresh)
        uow.things.add(Thing("t2", "hai"))
        result = uow.commit()
    assert result.was_refused("things", "t1") and not result.was_refused("things", "t2")
    assert stored(uow, "t1")["name"] == "cũ" and uow.documents.outbox == []


def test_a_removed_aggregate_is_deleted_and_queued_writes_follow_the_aggregates() -> None:
    uow = holding_t1()
    with uow:
        uow.things.remove(loaded(uow))
        uow.counters.bump("things")
        uow.commit()
        uow.counters.bump("things")
        uow.commit()  # a second commit writes only what came after the first
    assert uow.documents["things"] == {}
    assert uow.documents["counters"]["versions"]["things"] == 2


def test_a_command_key_travels_with_the_change_and_its_result_is_remembered() -> None:
    uow = holding_t1()

    def rename(key: str) -> Any:
        with uow.command("rename", key):
            if (earlier := uow.remembered()) is not None:
                return earlier
            thing = loaded(uow)
            if uow.applied_before(uow.things, thing):
                return {"name": thing.name, "again": True}
            thing.rename(thing.name + "!")
            result = {"name": thing.name}
            uow.commit(result)
            return result

    assert rename("k1") == {"name": "một!"}
    assert rename("k1") == {"name": "một!"}  # remembered
    assert stored(uow, "t1")["_command_keys"] == {"rename": "k1"}
    del uow.documents["idempotency"]["rename:k1"]  # as if the process died before remembering
    assert rename("k1") == {"name": "một!", "again": True}
    assert rename("k2") == {"name": "một!!"}


def test_audit_entries_are_journaled_after_their_change_once() -> None:
    uow = holding_t1()
    with uow:
        thing = loaded(uow)
        thing.rename("hai", actor="can-bo-01")
        uow.commit()
    assert uow.documents["audit"] == {"t1:1": {
        "_id": "t1:1", "thing_id": "t1", "action": "rename", "actor": "can-bo-01",
        "before": "một", "after": "hai", "version": 1}}
    assert thing.audit == []
    # a retried commit of the same entry (same id) journals nothing twice
    with uow:
        again = loaded(uow)
        again.audit.append({"action": "rename", "actor": "can-bo-01", "before": "một",
                            "after": "hai", "version": 1})
        result = uow.commit()
    assert result.was_refused("audit", "t1:1") and len(uow.documents["audit"]) == 1
