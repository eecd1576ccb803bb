"""The outbox relay against the real database and broker."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from cloudevents.core.bindings import amqp as cloudevents_amqp
from cloudevents.core.bindings import rabbitmq as cloudevents_rabbitmq
from kombu import Connection, Exchange, Queue

from services.contracts.events import PlanCreated
from services.runtime.outbox import (
    OUTBOX,
    PENDING,
    EventPublisher,
    OutboxRelay,
    Outgoing,
    ensure_outbox_index,
    merge_updates,
    outbox_push,
    with_outbox,
)


def event(n: int, correlation_id: str | None = None):
    return PlanCreated(plan_id=f"p{n}", number=f"{n}/KH", issuer_unit_id="u", title="Kế hoạch",
                       year=2021, status="draft").to_envelope(correlation_id)


@pytest.fixture
def collection(infra):
    db = infra.database("outbox_tests")
    name = f"aggregates_{uuid.uuid4().hex[:6]}"
    ensure_outbox_index(db, name)
    yield db, name
    db.drop_collection(name)


@pytest.fixture
def listener(infra):
    """A private queue bound to plans.events: sees what the relay publishes."""
    with Connection(infra.amqp_uri) as conn:
        queue = Queue(f"test-listener-{uuid.uuid4().hex[:6]}",
                      exchange=Exchange("plans.events", type="topic", durable=True),
                      routing_key="plan.created", auto_delete=True)
        queue(conn.default_channel).declare()

        def drain() -> list[dict]:
            got = []
            while (message := queue(conn.default_channel).get(no_ack=True)) is not None:
                got.append(json.loads(message.body))
            return got

        yield drain


@pytest.fixture
def wire(infra):
    """A private queue bound to plans.events that keeps the messages as they came (properties
    and body), as a system outside the platform receives them."""
    with Connection(infra.amqp_uri) as conn:
        queue = Queue(f"test-wire-{uuid.uuid4().hex[:6]}",
                      exchange=Exchange("plans.events", type="topic", durable=True),
                      routing_key="plan.created", auto_delete=True)
        queue(conn.default_channel).declare()

        def drain() -> list:
            got = []
            while (message := queue(conn.default_channel).get(no_ack=True)) is not None:
                got.append(message)
            return got

        yield drain


def test_published_events_are_read_by_the_official_cloudevents_sdk(infra, collection, wire):
    """Both ways events leave a service (the outbox relay, and the direct batch publisher of
    monitoring's ingestion) send CloudEvents structured mode, which the SDK's RabbitMQ and AMQP
    bindings read as is. As plain `application/json` they took it for binary mode and failed
    ("missing required attribute source")."""
    db, name = collection
    stored, direct = event(1, "corr-relay"), event(2)
    db[name].insert_one(with_outbox({"_id": "ce"}, [stored]))
    publisher = EventPublisher(infra.amqp_uri, "plans")
    assert OutboxRelay(db, [name], publisher).flush() == 1
    publisher.publish_envelopes([direct])
    publisher.close()
    messages = wire()
    assert [m.content_type for m in messages] == ["application/cloudevents+json"] * 2
    for message, sent in zip(messages, (stored, direct), strict=True):
        read = [cloudevents_rabbitmq.from_rabbitmq_event(cloudevents_rabbitmq.RabbitMQMessage(
                    headers=message.headers, content_type=message.content_type,
                    body=message.body)),
                cloudevents_amqp.from_amqp_event(cloudevents_amqp.AMQPMessage(
                    properties={"content-type": message.content_type},
                    application_properties=message.headers, application_data=message.body))]
        for cloud_event in read:
            assert cloud_event.get_id() == sent.id
            assert cloud_event.get_source() == "/campaign/plans"
            assert cloud_event.get_type() == "plan.created"
            assert cloud_event.get_subject() == sent.subject
            assert cloud_event.get_time() == sent.time
            assert cloud_event.get_extension("dataversion") == 1
            assert cloud_event.get_extension("correlationid") == sent.correlationid
            assert cloud_event.get_data() == sent.data


def test_events_stored_with_the_change_are_published_once_and_removed(infra, collection,
                                                                       listener):
    db, name = collection
    db[name].insert_one(with_outbox({"_id": "a", "v": 1}, [event(1), event(2)]))
    db[name].update_one({"_id": "a"}, merge_updates({"$set": {"v": 2}}, outbox_push([event(3)])))
    publisher = EventPublisher(infra.amqp_uri, "plans")
    relay = OutboxRelay(db, [name], publisher)
    assert relay.backlog() == 3

    assert relay.flush() == 3
    assert relay.flush() == 0
    published = listener()
    assert [e["data"]["plan_id"] for e in published] == ["p1", "p2", "p3"]
    stored = db[name].find_one({"_id": "a"})
    assert stored[OUTBOX] == [] and PENDING not in stored and stored["v"] == 2
    assert relay.backlog() == 0
    publisher.close()


def test_events_survive_a_broker_that_cannot_be_reached(infra, collection, listener):
    db, name = collection
    db[name].insert_one(with_outbox({"_id": "b"}, [event(7)]))
    broken = EventPublisher("amqp://guest:guest@127.0.0.1:1//", "plans")
    with pytest.raises(Exception):  # noqa: B017 - any connection error
        OutboxRelay(db, [name], broken).flush()
    assert len(db[name].find_one({"_id": "b"})[OUTBOX]) == 1

    working = EventPublisher(infra.amqp_uri, "plans")
    # The failed relay's lease expires; a fresh relay after it publishes the event.
    db[name].update_one({"_id": "b"}, {"$unset": {"_outbox_lease": ""}})
    assert OutboxRelay(db, [name], working).flush() == 1
    assert [e["data"]["plan_id"] for e in listener()] == ["p7"]
    working.close()


def test_a_leased_document_is_not_published_by_a_second_relay(infra, collection, listener):
    db, name = collection
    db[name].insert_one(with_outbox({"_id": "c"}, [event(9)]))
    publisher = EventPublisher(infra.amqp_uri, "plans")
    first, second = OutboxRelay(db, [name], publisher), OutboxRelay(db, [name], publisher)
    claimed = first._claim_batch(name)
    assert [d["_id"] for d in claimed] == ["c"]
    assert second.flush() == 0
    assert first._publish_batch(name, claimed) == 1
    assert len(listener()) == 1
    publisher.close()


def test_many_documents_are_published_in_batches_each_event_once(infra, collection, listener):
    db, name = collection
    db[name].insert_many([with_outbox({"_id": f"d{n:03d}"}, [event(n)]) for n in range(250)])
    publisher = EventPublisher(infra.amqp_uri, "plans")
    relay = OutboxRelay(db, [name], publisher, batch_size=40)
    assert relay.flush() == 250
    assert sorted(e["data"]["plan_id"] for e in listener()) == sorted(f"p{n}" for n in range(250))
    assert db[name].count_documents({PENDING: True}) == 0
    assert relay.flush() == 0
    publisher.close()


def test_an_event_stored_after_the_claim_stays_for_the_next_flush(infra, collection, listener):
    db, name = collection
    db[name].insert_one(with_outbox({"_id": "e"}, [event(1)]))
    publisher = EventPublisher(infra.amqp_uri, "plans")
    relay = OutboxRelay(db, [name], publisher)
    claimed = relay._claim_batch(name)
    db[name].update_one({"_id": "e"}, outbox_push([event(2)]))  # a worker writes meanwhile
    assert relay._publish_batch(name, claimed) == 1
    assert db[name].find_one({"_id": "e"})[PENDING] is True
    assert relay.flush() == 1
    assert [e["data"]["plan_id"] for e in listener()] == ["p1", "p2"]
    assert PENDING not in db[name].find_one({"_id": "e"})
    publisher.close()


def test_threads_sharing_a_publisher_each_get_their_batch_confirmed(infra, listener):
    publisher = EventPublisher(infra.amqp_uri, "plans")
    batches = [[event(t * 100 + n).model_dump(mode="json") for n in range(50)] for t in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(publisher.publish_batch, batches))  # re-raises a thread's failure
    published = sorted(e["data"]["plan_id"] for e in listener())
    assert published == sorted(e["data"]["plan_id"] for batch in batches for e in batch)
    publisher.close()


def test_a_batch_goes_out_in_one_write_with_events_larger_than_a_frame_intact(infra, listener):
    """The batch's frames are built together and written once; an event over the broker's
    frame size (128 KiB) is split into body frames, and arrives whole, in order."""
    publisher = EventPublisher(infra.amqp_uri, "plans")
    large = PlanCreated(plan_id="p-large", number="1/KH", issuer_unit_id="u",
                        title="Kế hoạch " + "tuyên truyền " * 15_000, year=2021,
                        status="draft").to_envelope()
    batch = [event(1), large, event(2)]
    assert len(large.model_dump_json()) > 131_072
    publisher.publish_envelopes(batch)
    publisher.publish_envelopes([event(3)])  # the channel and its delivery tags go on
    published = listener()
    assert [e["data"]["plan_id"] for e in published] == ["p1", "p-large", "p2", "p3"]
    assert published[1]["data"]["title"] == large.data["title"]
    publisher.close()


def test_a_batch_that_fails_while_being_framed_leaves_nothing_for_the_next(infra, listener):
    """Frames are collected before the one write: a batch refused half-way (an event that
    cannot be framed) must not send its first events with the next batch, nor shift the
    delivery tags the next batch waits for."""
    publisher = EventPublisher(infra.amqp_uri, "plans")
    first, second = (Outgoing(json.dumps(event(n).model_dump(mode="json")).encode(),
                              "plan.created", f"e{n}", None) for n in (1, 2))
    unframable = first._replace(id="e3", correlation_id=object())  # not an AMQP header value
    with pytest.raises(Exception):  # noqa: B017 - whatever py-amqp raises for it
        publisher._publish([first, unframable])
    publisher._publish([second])
    assert [e["data"]["plan_id"] for e in listener()] == ["p2"]
    publisher.close()
