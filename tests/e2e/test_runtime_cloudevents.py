"""Events on the bus are CloudEvents structured mode (`application/cloudevents+json`): a system
outside the platform reads them with the official CloudEvents SDK, and every consumer of ours
(nameko services, the gateway's event log, the operators' replay) takes both that and the
plain `application/json` of messages queued before it."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings import rabbitmq as cloudevents_rabbitmq
from kombu import Connection, Exchange, Queue

from services.contracts.envelope import EVENT_CONTENT_TYPES, STRUCTURED_CONTENT_TYPE
from services.contracts.errors import ServiceError
from services.contracts.events import PlanCreated
from stack.demo import load_units
from stack.faultkit import plan_body, unique_number
from stack.testkit import eventually

PLANS_EVENTS = Exchange("plans.events", type="topic", durable=True)


def plan_created(title: str) -> PlanCreated:
    return PlanCreated(plan_id=f"plan-ce-{uuid.uuid4().hex[:10]}", number="7/KH-STTTT",
                       issuer_unit_id="gl-stttt", title=title, year=2021, status="draft")


def publish(amqp_uri: str, body: bytes, content_type: str, routing_key: str) -> None:
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(body, exchange=PLANS_EVENTS, routing_key=routing_key,
                                content_type=content_type, content_encoding="utf-8",
                                delivery_mode=2)


def answered(rpc, service: str, method: str, **kwargs):
    try:
        return rpc.call(service, method, **kwargs)
    except ServiceError:
        return None


def test_a_platform_event_is_read_by_the_official_cloudevents_sdk(platform, infra, rpc, api):
    load_units(rpc)
    with Connection(infra.amqp_uri) as conn:
        queue = Queue(f"test-sdk-{uuid.uuid4().hex[:6]}", exchange=PLANS_EVENTS,
                      routing_key="plan.created", auto_delete=True)
        queue(conn.default_channel).declare()
        created = api.post("/api/v1/plans", json=plan_body(
            unique_number("CE"), uuid.uuid4().hex, "Kế hoạch tuyên truyền phòng, chống ma túy"))
        assert created.status_code == 201, created.text
        plan_id = created.json()["id"]
        deadline = time.monotonic() + 30
        found = None
        while found is None and time.monotonic() < deadline:
            message = queue(conn.default_channel).get(no_ack=True)
            if message is None:
                time.sleep(0.1)
                continue
            cloud_event = cloudevents_rabbitmq.from_rabbitmq_event(
                cloudevents_rabbitmq.RabbitMQMessage(headers=message.headers,
                                                     content_type=message.content_type,
                                                     body=message.body))
            if cloud_event.get_subject() == plan_id:
                found = (message, cloud_event)
    assert found is not None, "plan.created did not arrive"
    message, cloud_event = found
    assert message.content_type == STRUCTURED_CONTENT_TYPE
    assert (cloud_event.get_type(), cloud_event.get_source()) == ("plan.created",
                                                                  "/campaign/plans")
    assert cloud_event.get_extension("dataversion") == 1
    assert cloud_event.get_data()["title"] == "Kế hoạch tuyên truyền phòng, chống ma túy"
    # The gateway logs what it consumes on its own queue: the log may trail the broadcast.
    eventually(lambda: api.get(f"/api/v1/events/{cloud_event.get_id()}").raise_for_status())


@pytest.mark.parametrize("content_type", EVENT_CONTENT_TYPES)
def test_every_consumer_applies_both_content_types(platform, infra, rpc, api, content_type):
    event = plan_created(f"Kế hoạch ({content_type})")
    envelope = event.to_envelope()
    publish(infra.amqp_uri, envelope.model_dump_json().encode(), content_type, "plan.created")
    watched = eventually(lambda: answered(rpc, "monitoring", "watched_plan",
                                          plan_id=event.plan_id) or 1 / 0, seconds=30)
    assert watched["event_id"] == envelope.id
    assert eventually(lambda: answered(rpc, "notifications", "known_plan",
                                       plan_id=event.plan_id) or 1 / 0, seconds=30)
    logged = eventually(lambda: api.get(f"/api/v1/events/{envelope.id}").raise_for_status(),
                        seconds=30)
    assert logged.json()["data"]["title"] == f"Kế hoạch ({content_type})"
    for service in ("monitoring", "notifications"):
        letters = rpc.call(service, "ops_dead_letters", limit=1000)
        assert envelope.id not in {d.get("event_id") for d in letters}


def test_a_structured_event_dead_lettered_as_undecodable_replays(platform, infra, rpc):
    """A consumer without the structured type (one not yet upgraded while the publishers
    were) dead-lettered such messages as undecodable, keeping the raw body: the operators'
    replay applies them now."""
    event = plan_created("Kế hoạch gửi khi đang nâng cấp")
    envelope = event.to_envelope()
    letter_id = uuid.uuid4().hex
    infra.database("monitoring")["_dead_letters"].insert_one({
        "_id": letter_id, "service": "monitoring", "consumer": "monitoring.on_plan_created",
        "event_type": "plan.created", "event_id": None, "body": envelope.model_dump_json(),
        "reason": "malformed", "traceback": "", "status": "pending",
        "error": f"undecodable {STRUCTURED_CONTENT_TYPE!r} body: Refusing to deserialize "
                 f"untrusted content of type cloudevents ({STRUCTURED_CONTENT_TYPE})",
        "first_at": datetime.now(UTC), "replays": 0})
    assert rpc.call("monitoring", "ops_replay_dead_letters", ids=[letter_id]) == {
        letter_id: "applied"}
    assert rpc.call("monitoring", "watched_plan", plan_id=event.plan_id)["event_id"] == \
        envelope.id
