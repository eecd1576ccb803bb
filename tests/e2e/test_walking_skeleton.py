"""The walking skeleton: HTTP -> gateway -> RPC -> plans -> outbox -> broker -> consumers."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from kombu import Connection, Exchange

from services.contracts.events import PlanCreated
from stack.testkit import eventually, unique_number


@pytest.fixture(scope="module", autouse=True)
def seed_units(platform, rpc):
    """Plans checks issuers against its organisation units: load the seed units."""
    from stack.demo import UNITS_FILE

    rpc.call("plans", "import_units", content=UNITS_FILE.read_text(encoding="utf-8"),
             timeout=60)


@pytest.fixture(scope="module")
def http(platform, admin_token):
    with httpx.Client(base_url=platform.gateway_url, timeout=10,
                      headers={"Authorization": f"Bearer {admin_token}"}) as client:
        yield client


def new_plan_body(**overrides):
    body = {"number": f"{unique_number()}/KH-STTTT", "issuer_unit_id": "gl-stttt",
            "title": "Kế hoạch tuyên truyền phòng, chống ma túy năm 2021", "year": 2021,
            "issued_on": "2021-02-25", "topics": ["drugs", "human_trafficking"]}
    body.update(overrides)
    return body


def test_plan_created_over_http_reaches_both_consumers_exactly_once(http, rpc):
    created = http.post("/api/v1/plans", json=new_plan_body())
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["status"] == "draft"

    fetched = http.get(f"/api/v1/plans/{plan['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["title"] == "Kế hoạch tuyên truyền phòng, chống ma túy năm 2021"

    known = eventually(lambda: rpc.call("notifications", "known_plan", plan_id=plan["id"]))
    watched = eventually(lambda: rpc.call("monitoring", "watched_plan", plan_id=plan["id"]))
    assert known["number"] == plan["number"]
    assert watched["topics"] == ["drugs", "human_trafficking"]
    assert known["event_id"] == watched["event_id"]

    def statuses():
        found = {
            "notifications": rpc.call("notifications", "ops_event_status",
                                      event_id=known["event_id"]),
            "monitoring": rpc.call("monitoring", "ops_event_status", event_id=known["event_id"]),
        }
        # The record turns "done" just after the handler's write becomes visible.
        assert found == {
            "notifications": [{"consumer": "notifications.on_plan_created", "status": "done"}],
            "monitoring": [{"consumer": "monitoring.on_plan_created", "status": "done"}],
        }, found

    eventually(statuses)


def test_retry_with_the_same_idempotency_key_creates_one_plan(http):
    body = new_plan_body(idempotency_key=uuid.uuid4().hex)
    first = http.post("/api/v1/plans", json=body)
    second = http.post("/api/v1/plans", json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]


def test_bad_requests_get_problem_details_with_stable_codes(http):
    unknown_field = http.post("/api/v1/plans", json=new_plan_body(status="issued"))
    assert unknown_field.status_code == 422
    assert unknown_field.headers["content-type"].startswith("application/problem+json")
    assert unknown_field.json()["code"] == "validation_failed"
    assert unknown_field.json()["errors"][0]["loc"][-1] == "status"

    broken_json = http.post("/api/v1/plans", content=b"{not json",
                            headers={"content-type": "application/json"})
    assert broken_json.status_code == 422

    missing = http.get("/api/v1/plans/does-not-exist")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"

    body = new_plan_body()
    assert http.post("/api/v1/plans", json=body).status_code == 201
    duplicate = http.post("/api/v1/plans", json=body)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "conflict"


def test_list_is_paginated_with_a_cursor(http):
    for _ in range(3):
        assert http.post("/api/v1/plans", json=new_plan_body(
            year=2031, issued_on="2031-01-05", issuer_unit_id="gl-hnb")).status_code == 201
    first = http.get("/api/v1/plans", params={"year": 2031, "limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = http.get("/api/v1/plans", params={"year": 2031, "limit": 2,
                                             "cursor": first["next_cursor"]}).json()
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 3


def publish_raw(amqp_uri: str, body: bytes, content_type: str = "application/json") -> None:
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        producer.publish(body, exchange=Exchange("plans.events", type="topic", durable=True),
                         routing_key="plan.created", content_type=content_type,
                         content_encoding="utf-8", delivery_mode=2)


def test_malformed_events_are_dead_lettered_with_reasons_and_the_flow_continues(
        platform, infra, rpc, http):
    def pending(service):
        return rpc.call(service, "ops_dead_letters")

    before = {s: len(pending(s)) for s in ("notifications", "monitoring")}
    good = PlanCreated(plan_id="x", number="1/KH", issuer_unit_id="u", title="t", year=2021,
                       status="draft").to_envelope().model_dump(mode="json")
    publish_raw(infra.amqp_uri, b"{this is not json")
    publish_raw(infra.amqp_uri, json.dumps({"hello": "world"}).encode())
    publish_raw(infra.amqp_uri, json.dumps({**good, "dataversion": 7}).encode())

    def three_more():
        now = {s: pending(s) for s in before}
        assert all(len(now[s]) - before[s] == 3 for s in before), now
        return now

    letters = eventually(three_more)
    reasons = sorted(d["error"].split(":")[0] for d in letters["monitoring"][-3:])
    assert any("undecodable" in r for r in reasons)
    assert any("invalid envelope" in r for r in reasons)
    assert any("unsupported version 7" in r for r in reasons)

    # The consumers are still alive: a good event behind the poison is applied.
    plan = http.post("/api/v1/plans", json=new_plan_body()).json()
    eventually(lambda: rpc.call("monitoring", "watched_plan", plan_id=plan["id"]))


def test_operations_endpoints(platform, http):
    public = httpx.Client(base_url=platform.gateway_url, timeout=10)  # no credentials
    for path in ("/healthz", "/readyz", "/metrics", "/asyncapi.json", "/openapi.json", "/docs"):
        assert public.get(path).status_code == 200, path
    assert public.get("/api/v1/plans").status_code == 401
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"broker": "ok", "plans": "ok", "notifications": "ok",
                                      "monitoring": "ok"}
    assert "campaign_http_requests_total" in http.get("/metrics").text
    assert http.get("/asyncapi.json").json()["asyncapi"] == "3.0.0"
    for name, port in platform.metrics_ports.items():
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'campaign_entrypoint_calls_total{entrypoint="ops_ping"' in metrics, name
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["status"] == "ok"
