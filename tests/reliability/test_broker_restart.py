"""Broker restart under load (graceful, then kill -9): every acknowledged command's effects
exist exactly once, every event reached each consumer once, the gateway answered 503 quickly
during the outage and recovered within 30 s."""

from __future__ import annotations

import time

import httpx

from stack.faultkit import LoadGenerator, PrivateStack, wait_until

RECOVERY_LIMIT_S = 30.0


def test_broker_restart_under_load_loses_and_duplicates_nothing():
    with PrivateStack() as stack:
        assert stack.platform is not None
        headers = getattr(stack.platform, "auth_headers", {})
        gen = LoadGenerator(stack.platform.gateway_url, headers)
        gen.start()
        time.sleep(3)
        recoveries = []
        for how in ("graceful", "kill -9"):
            stack.broker.stop() if how == "graceful" else stack.broker.kill()
            outage_started = len(gen.outcomes)
            time.sleep(4)
            stack.broker.start()
            restarted = time.monotonic()
            recovered = wait_until(
                lambda: any(o.status == 201 for o in gen.outcomes[outage_started:])
                and _ready(stack.platform.gateway_url), RECOVERY_LIMIT_S + 10)
            recoveries.append((how, time.monotonic() - restarted, bool(recovered)))
            time.sleep(3)
        gen.stop()

        for how, seconds, ok in recoveries:
            assert ok and seconds <= RECOVERY_LIMIT_S, (how, seconds)
        failures = [o for o in gen.outcomes if o.status != 201]
        assert failures, "the outage should have been visible to clients"
        assert all(o.status in (503, 0) for o in failures), {o.status for o in failures}
        # 503 came quickly: no request hung past the client timeout.
        assert max(o.seconds for o in failures if o.status == 503) < gen.timeout_s

        acked = gen.acknowledged
        assert len(acked) > 50
        client = stack.database_client()
        plans = client["plans"]["plans"]
        for outcome in acked:
            assert plans.count_documents({"idempotency_key": outcome.key}) == 1
        plan_ids = {o.body["id"] for o in acked if o.body}

        def every_event_applied_once() -> bool:
            known = {d["_id"] for d in client["notifications"]["known_plans"].find(
                {"_id": {"$in": list(plan_ids)}}, {"_id": 1})}
            watched = {d["_id"] for d in client["monitoring"]["watched_plans"].find(
                {"_id": {"$in": list(plan_ids)}}, {"_id": 1})}
            return plan_ids <= known and plan_ids <= watched

        assert wait_until(every_event_applied_once, 60), "an acknowledged plan's event was lost"
        for service in ("notifications", "monitoring"):
            inbox = client[service]["_inbox"]
            done = list(inbox.aggregate([{"$match": {"status": "done"}},
                                         {"$group": {"_id": "$event_id", "n": {"$sum": 1}}},
                                         {"$match": {"n": {"$gt": 1}}}]))
            assert done == [], f"{service} applied an event twice"
            assert client[service]["_dead_letters"].count_documents({}) == 0
        assert client["plans"]["plans"].count_documents({"_outbox_pending": True}) == 0


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False
