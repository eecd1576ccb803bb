"""The platform under faults, on a broker and database of its own: nothing acknowledged is
lost, nothing is applied twice, and every part recovers by itself.

Each scenario drives a steady flow of plan creations through the gateway (each with a unique
idempotency key), injects a fault, then checks: every acknowledged plan exists exactly once,
a client retrying its failed requests with the same key creates no duplicate, every
plan.created event was applied once by each consumer, and nothing was dead-lettered.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from stack.faultkit import LoadGenerator, PrivateStack, plan_body, unique_number, wait_until
from stack.faults import FaultyProxy

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]

RECOVERY_LIMIT_S = 30.0
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "reliability.json"
CONSUMERS = {"notifications": "known_plans", "monitoring": "watched_plans"}


@pytest.fixture(scope="module")
def stack():
    with PrivateStack() as running:
        yield running


def record(scenario: str, figures: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current[scenario] = figures
    RESULTS.write_text(json.dumps(current, indent=2) + "\n")


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def retry_failed(stack: PrivateStack, gen: LoadGenerator) -> int:
    """The client's side of exactly-once: retry each failed request with the same key."""
    retried = 0
    with httpx.Client(base_url=stack.platform.gateway_url, headers=stack.auth_headers,
                      timeout=10) as client:
        for outcome in [o for o in gen.outcomes if o.status != 201]:
            body = plan_body(outcome.number, outcome.key)
            for _ in range(10):
                reply = client.post("/api/v1/plans", json=body)
                if reply.status_code == 201:
                    outcome.status, outcome.body = 201, reply.json()
                    retried += 1
                    break
                time.sleep(1)
    return retried


def verify_exactly_once(stack: PrivateStack, gen: LoadGenerator) -> dict[str, int]:
    client = stack.database_client()
    plans = client["plans"]["plans"]
    acked = gen.acknowledged
    keys = [o.key for o in acked]
    per_key = {row["_id"]: row["n"] for row in plans.aggregate([
        {"$match": {"idempotency_key": {"$in": keys}}},
        {"$group": {"_id": "$idempotency_key", "n": {"$sum": 1}}}])}
    lost = sum(1 for k in keys if per_key.get(k, 0) == 0)
    duplicated = sum(n - 1 for n in per_key.values() if n > 1)
    plan_ids = [o.body["id"] for o in acked if o.body]

    def consumers_caught_up() -> bool:
        return all(client[svc][coll].count_documents({"_id": {"$in": plan_ids}})
                   == len(plan_ids) for svc, coll in CONSUMERS.items())

    caught_up = wait_until(consumers_caught_up, 90)
    missing_events = 0 if caught_up else sum(
        len(plan_ids) - client[svc][coll].count_documents({"_id": {"$in": plan_ids}})
        for svc, coll in CONSUMERS.items())
    applied_twice = 0
    for svc in CONSUMERS:
        applied_twice += len(list(client[svc]["_inbox"].aggregate([
            {"$match": {"status": "done"}},
            {"$group": {"_id": {"c": "$consumer", "e": "$event_id"}, "n": {"$sum": 1}}},
            {"$match": {"n": {"$gt": 1}}}])))
    dead = sum(client[svc]["_dead_letters"].count_documents({}) for svc in CONSUMERS)
    assert wait_until(lambda: plans.count_documents({"_outbox_pending": True}) == 0, 30)
    return {"acknowledged": len(acked), "lost": lost, "duplicated": duplicated,
            "events_missing": missing_events, "events_applied_twice": applied_twice,
            "dead_letters": dead}


def run_with_fault(stack: PrivateStack, inject, settle_s: float = 3.0) -> tuple[
        LoadGenerator, float]:
    gen = LoadGenerator(stack.platform.gateway_url, stack.auth_headers)
    gen.start()
    time.sleep(settle_s)
    before = len(gen.outcomes)
    recovered_at = inject()
    started = time.monotonic()
    recovered = wait_until(lambda: any(o.status == 201 for o in gen.outcomes[before + 1:])
                           and ready(stack.platform.gateway_url), 60)
    recovery = (time.monotonic() - started) if recovered_at is None else recovered_at
    time.sleep(settle_s)
    gen.stop()
    assert recovered, "the platform did not recover"
    return gen, recovery


def test_broker_restart_under_load(stack):
    for how in ("graceful", "kill -9"):
        def inject(how: str = how) -> None:
            stack.broker.stop() if how == "graceful" else stack.broker.kill()
            time.sleep(4)
            stack.broker.start()

        gen, recovery = run_with_fault(stack, inject)
        failures = [o for o in gen.outcomes if o.status != 201]
        assert failures, "the outage should have been visible to clients"
        assert {o.status for o in failures} <= {503, 0}, {o.status for o in failures}
        quick = [o.seconds for o in failures if o.status == 503]
        assert quick and max(quick) < gen.timeout_s, "a request hung during the outage"
        retried = retry_failed(stack, gen)
        figures = verify_exactly_once(stack, gen)
        record(f"broker restart ({how})", {**figures, "recovery_s": round(recovery, 1),
                                           "requests": len(gen.outcomes),
                                           "failed_during_outage": len(failures),
                                           "retried_ok": retried,
                                           "max_503_latency_s": round(max(quick), 3)})
        assert recovery <= RECOVERY_LIMIT_S, recovery
        assert figures["lost"] == figures["duplicated"] == 0, figures
        assert figures["events_missing"] == figures["events_applied_twice"] == 0, figures
        assert figures["dead_letters"] == 0, figures


@pytest.mark.parametrize("service", ["plans", "notifications", "monitoring"])
def test_service_kill_9_mid_work(stack, service):
    def inject():
        stack.platform.processes[service].kill()
        time.sleep(2)
        stack.platform.start((service,))

    gen, recovery = run_with_fault(stack, inject)
    retried = retry_failed(stack, gen)
    figures = verify_exactly_once(stack, gen)
    record(f"kill -9 {service}", {**figures, "recovery_s": round(recovery, 1),
                                  "requests": len(gen.outcomes), "retried_ok": retried})
    assert figures["lost"] == figures["duplicated"] == 0, figures
    assert figures["events_missing"] == figures["events_applied_twice"] == 0, figures


def test_database_kill_9_under_load(stack):
    readiness: list[dict[str, Any]] = []

    def inject():
        stack.database.kill()
        time.sleep(1.5)
        port = stack.platform.metrics_ports["plans"]
        try:
            reply = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=8)
            readiness.append({"status": reply.status_code, **reply.json()})
        except httpx.HTTPError as exc:
            readiness.append({"status": 0, "error": str(exc)})
        time.sleep(2)
        stack.database.start()

    gen, recovery = run_with_fault(stack, inject)
    assert readiness and readiness[0]["status"] == 503, readiness
    assert readiness[0]["checks"]["database"].startswith("down"), readiness
    retried = retry_failed(stack, gen)
    figures = verify_exactly_once(stack, gen)
    record("database kill -9", {**figures, "recovery_s": round(recovery, 1),
                                "requests": len(gen.outcomes), "retried_ok": retried})
    assert figures["lost"] == figures["duplicated"] == 0, figures
    assert figures["events_missing"] == figures["events_applied_twice"] == 0, figures


def test_network_faults_between_a_service_and_the_broker(stack):
    """monitoring talks to the broker through a proxy that adds latency, resets every
    connection, then stalls: the dead connection is noticed within twice the heartbeat and
    events keep flowing once the network heals."""
    heartbeat = 5
    proxy = FaultyProxy(stack.broker.port)
    via_proxy = {"AMQP_URI": f"amqp://guest:guest@127.0.0.1:{proxy.port}//",
                 "AMQP_HEARTBEAT_SECONDS": str(heartbeat)}
    try:
        stack.platform.restart("monitoring", via_proxy)
        assert wait_until(lambda: ready(stack.platform.gateway_url), 60)
        monitoring = stack.platform.processes["monitoring"]

        proxy.latency = 0.2
        gen, _ = run_with_fault(stack, lambda: None, settle_s=2)
        proxy.latency = 0.0

        reset = proxy.reset_all()
        assert reset > 0
        gen2, recovery_reset = run_with_fault(stack, lambda: None, settle_s=2)

        mark = len(monitoring.lines)
        proxy.stalled = True
        stalled_at = time.monotonic()
        noticed = wait_until(lambda: any(
            "lost" in line.lower() or "heartbeat" in line.lower() or "error" in line.lower()
            for line in monitoring.lines[mark:]), 4 * heartbeat, interval=0.2)
        noticed_after = time.monotonic() - stalled_at
        proxy.stalled = False
        proxy.reset_all()
        gen3, recovery_stall = run_with_fault(stack, lambda: None, settle_s=2)
        for g in (gen, gen2, gen3):
            retry_failed(stack, g)
            figures = verify_exactly_once(stack, g)
            assert figures["lost"] == figures["duplicated"] == 0, figures
            assert figures["events_missing"] == figures["events_applied_twice"] == 0, figures
        record("network faults (latency, reset, stall)", {
            "stall_noticed_s": round(noticed_after, 1), "heartbeat_s": heartbeat,
            "recovery_after_reset_s": round(recovery_reset, 1),
            "recovery_after_stall_s": round(recovery_stall, 1), "lost": 0, "duplicated": 0})
        assert noticed and noticed_after <= 2 * heartbeat + 1, noticed_after
    finally:
        proxy.close()
        stack.platform.restart("monitoring")


@pytest.mark.parametrize("failpoint", ["outbox.before_publish", "outbox.after_publish"])
def test_relay_killed_around_the_publish_publishes_after_restart_and_applies_once(
        stack, failpoint):
    """The plans process dies between the database write and the publish (or between the
    publish and marking it sent): after a restart the event is published and every consumer
    applies it exactly once."""
    platform = stack.platform
    platform.restart("plans", {"FAILPOINTS": failpoint})
    assert wait_until(lambda: ready(platform.gateway_url), 60)
    body = plan_body(unique_number("RELAY"), uuid.uuid4().hex, "Kế hoạch kiểm thử outbox")
    created = httpx.post(f"{platform.gateway_url}/api/v1/plans", json=body,
                         headers=stack.auth_headers, timeout=10)
    assert created.status_code == 201, created.text  # the write was acknowledged
    plan_id = created.json()["id"]
    assert wait_until(lambda: not platform.processes["plans"].alive(), 20), \
        "the failpoint did not stop the relay"
    client = stack.database_client()
    stored = client["plans"]["plans"].find_one({"_id": plan_id})
    assert stored is not None and len(stored["_outbox"]) == 1  # not yet marked sent
    event_id = stored["_outbox"][0]["id"]

    started = time.monotonic()
    platform.start(("plans",))
    assert wait_until(lambda: all(client[svc][coll].find_one({"_id": plan_id})
                                  for svc, coll in CONSUMERS.items()), 60)
    recovery = time.monotonic() - started
    for svc in CONSUMERS:
        applied = list(client[svc]["_inbox"].find({"event_id": event_id}))
        assert [r["status"] for r in applied] == ["done"], (svc, applied)
    assert wait_until(lambda: client["plans"]["plans"].count_documents(
        {"_id": plan_id, "_outbox_pending": True}) == 0, 30)
    record(f"outbox relay killed ({failpoint})", {
        "acknowledged": 1, "lost": 0, "duplicated": 0, "recovery_s": round(recovery, 1),
        "applied_per_consumer": 1})
