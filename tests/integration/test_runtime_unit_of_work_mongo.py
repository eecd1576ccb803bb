"""The unit of work on the real database: a change and its events in one document write the
outbox relay reads, stale writes refused by their guard, refused inserts reported, counters
in one round trip, command keys stored with the change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from services.contracts.events import PlanCreated
from services.runtime.mongo_unit_of_work import MongoUnitOfWork, collection
from services.runtime.outbox import OUTBOX, PENDING
from services.runtime.unit_of_work import (
    AggregateRepository,
    DocumentWrite,
    Repository,
    StaleWrite,
)


@dataclass
class Plan:
    id: str
    title: str
    events: list[Any] = field(default_factory=list)

    def retitle(self, title: str) -> None:
        self.title = title
        self.events.append(PlanCreated(plan_id=self.id, number="1/KH", issuer_unit_id="u",
                                       title=title, year=2021, status="draft"))


class Plans(AggregateRepository[Plan]):
    def __init__(self, db: Any, name: str) -> None:
        super().__init__()
        self.collection = name
        self.db = db

    def document_of(self, aggregate: Plan) -> dict[str, Any]:
        return {"_id": aggregate.id, "title": aggregate.title}

    def aggregate_of(self, document: Mapping[str, Any]) -> Plan:
        return Plan(document["_id"], document["title"])

    def get(self, plan_id: str) -> Plan | None:
        found = collection(self.db, self.collection).find_one({"_id": plan_id})
        return None if found is None else self._loaded(found)


class Counters(Repository):
    def bump(self, day: str, topic: str) -> None:
        self.queue(DocumentWrite("counters_uow", day, update={
            "$inc": {f"topic.{topic}": 1}, "$setOnInsert": {"day": day}}, upsert=True))


class Work(MongoUnitOfWork):
    def __init__(self, db: Any, name: str) -> None:
        super().__init__(db, correlation_id=lambda: "cid-uow",
                         idempotency_collection="idempotency_uow")
        self.plans = Plans(db, name)
        self.counters = Counters()


@pytest.fixture
def work(infra: Any) -> Any:
    db = infra.database("unit_of_work_tests")
    name = f"plans_{uuid.uuid4().hex[:6]}"
    yield Work(db, name), db[name]
    db.drop_collection(name)


def test_a_change_and_its_events_are_one_document_the_relay_finds(work: Any) -> None:
    uow, stored = work
    with uow:
        plan = Plan("p1", "Kế hoạch")
        plan.retitle("Kế hoạch tuyên truyền")
        uow.plans.add(plan)
        uow.commit()
    document = stored.find_one({"_id": "p1"})
    assert document["title"] == "Kế hoạch tuyên truyền" and document[PENDING] is True
    assert [(e["type"], e["correlationid"]) for e in document[OUTBOX]] == [
        ("plan.created", "cid-uow")]
    with uow:
        loaded = uow.plans.get("p1")
        loaded.retitle("Kế hoạch 2")
        uow.commit()
    assert [e["data"]["title"] for e in stored.find_one({"_id": "p1"})[OUTBOX]] == [
        "Kế hoạch tuyên truyền", "Kế hoạch 2"]


def test_a_write_whose_document_changed_meanwhile_is_stale(work: Any) -> None:
    uow, stored = work
    stored.insert_one({"_id": "p2", "title": "cũ"})
    with uow:
        plan = uow.plans.get("p2")
        stored.update_one({"_id": "p2"}, {"$set": {"title": "của người khác"}})
        plan.title = "của tôi"
        with pytest.raises(StaleWrite):
            uow.commit()
    assert stored.find_one({"_id": "p2"})["title"] == "của người khác"


def test_inserts_of_existing_ids_are_refused_in_one_batch(work: Any) -> None:
    uow, stored = work
    stored.insert_one({"_id": "p3", "title": "đã có"})
    with uow:
        for ident in ("p3", "p4", "p5"):
            uow.plans.add(Plan(ident, f"mới {ident}"))
        result = uow.commit()
    assert result.refused == {(uow.plans.collection, "p3")}
    assert [d["title"] for d in stored.find({"_id": {"$in": ["p3", "p4", "p5"]}}).sort("_id")] == [
        "đã có", "mới p4", "mới p5"]


def test_queued_counters_and_command_keys(work: Any, infra: Any) -> None:
    uow, stored = work
    db = infra.database("unit_of_work_tests")
    day = f"day-{uuid.uuid4().hex[:6]}"
    with uow.command("retitle", f"key-{day}"):
        plan = Plan(f"p-{day}", "một")
        uow.plans.add(plan)
        uow.counters.bump(day, "drugs")
        uow.counters.bump(f"{day}-2", "drugs")
        uow.commit({"plan_id": plan.id})
    with uow.command("retitle", f"key-{day}"):
        assert uow.remembered() == {"plan_id": plan.id}
    assert stored.find_one({"_id": plan.id})["_command_keys"] == {"retitle": f"key-{day}"}
    counted = db["counters_uow"].find_one({"_id": day})
    assert counted["topic"] == {"drugs": 1} and counted["day"] == day
