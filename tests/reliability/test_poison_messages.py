"""Poison and malformed messages on every consumer queue: each lands in the dead-letter store
with its reason, the count equals the number injected, and the flow behind them continues."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import defaultdict

from kombu import Connection, Exchange

from services.contracts.events import EventType, event_model
from services.contracts.topology import SUBSCRIPTIONS
from stack.demo import load_units
from stack.faultkit import plan_body, unique_number

POISON = [
    (b"\xff\xfe not even utf-8 {", "application/json", "undecodable"),
    (b'{"truncated": ', "application/json", "undecodable"),
    (json.dumps({"hello": "world"}).encode(), "application/json", "invalid envelope"),
    (b"plain text body", "text/plain", "undecodable"),
]


def publish(amqp_uri: str, exchange: str, routing_key: str, body: bytes,
            content_type: str) -> None:
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(body, exchange=Exchange(exchange, type="topic", durable=True),
                                routing_key=routing_key, content_type=content_type,
                                content_encoding="utf-8", delivery_mode=2)


def pending_by_consumer(rpc) -> dict[str, list[dict]]:
    letters: dict[str, list[dict]] = defaultdict(list)
    for service in {s.consumer_service for s in SUBSCRIPTIONS} - {"gateway"}:
        for letter in rpc.call(service, "ops_dead_letters", limit=1000):
            letters[letter["consumer"]].append(letter)
    return letters


def wait_for(check, seconds=30.0):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_every_consumer_dead_letters_exactly_what_was_injected(platform, infra, rpc):
    consumers = [s for s in SUBSCRIPTIONS if s.consumer_service != "gateway"]
    before = {c: len(v) for c, v in pending_by_consumer(rpc).items()}
    wrong_version = {}
    for event_type in sorted({s.event_type for s in consumers}):
        exchange = consumers[[s.event_type for s in consumers].index(event_type)].exchange
        for body, content_type, _ in POISON:
            publish(infra.amqp_uri, exchange, event_type, body, content_type)
        # A well-formed envelope of a version nobody speaks.
        assert event_model(event_type, 99) is None
        envelope = {"specversion": "1.0", "id": uuid.uuid4().hex, "source": "/campaign/x",
                    "type": event_type, "time": "2026-11-27T00:00:00Z", "dataversion": 99,
                    "data": {}}
        wrong_version[event_type] = envelope["id"]
        publish(infra.amqp_uri, exchange, event_type, json.dumps(envelope).encode(),
                "application/json")
    injected_each = len(POISON) + 1

    def all_arrived():
        now = pending_by_consumer(rpc)
        counts = {f"{s.consumer_service}.{s.handler}": len(now.get(
            f"{s.consumer_service}.{s.handler}", [])) - before.get(
            f"{s.consumer_service}.{s.handler}", 0) for s in consumers}
        return now if all(n >= injected_each for n in counts.values()) else None

    letters = wait_for(all_arrived)
    assert letters, "not every consumer dead-lettered the poison messages"
    for sub in consumers:
        name = f"{sub.consumer_service}.{sub.handler}"
        new = letters[name][before.get(name, 0):]
        assert len(new) == injected_each, (name, len(new))  # none lost, none doubled
        reasons = " | ".join(d["error"] for d in new)
        assert "undecodable" in reasons and "invalid envelope" in reasons, reasons
        assert "unsupported version 99" in reasons, reasons
        assert all(d["reason"] == "malformed" for d in new)


def test_the_flow_continues_behind_the_poison(platform, rpc, api):
    load_units(rpc)
    body = plan_body(unique_number("POISON"), uuid.uuid4().hex, "Kiểm tra luồng sau tin độc")
    created = api.post("/api/v1/plans", json=body)
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    assert wait_for(lambda: _quiet(rpc, "monitoring", "watched_plan", plan_id=plan_id))
    assert wait_for(lambda: _quiet(rpc, "notifications", "known_plan", plan_id=plan_id))


def test_operator_command_lists_dead_letters(infra, platform):
    out = subprocess.run([sys.executable, "-m", "services.runtime.ops_cli", "dead-letters",
                          "list", "notifications", "--limit", "5"],
                         env={**infra.env(), "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, timeout=60, check=True)
    listed = json.loads(out.stdout)
    assert isinstance(listed, list)
    assert all({"id", "consumer", "reason", "error"} <= set(d) for d in listed)


def _quiet(rpc, service, method, **kwargs):
    try:
        return rpc.call(service, method, **kwargs)
    except Exception:
        return None


assert EventType.PLAN_CREATED  # the event registry is loaded before the topology is read
