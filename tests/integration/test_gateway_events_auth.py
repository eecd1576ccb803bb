"""The gateway against the real broker and database (no other service): authentication, users,
API keys, limits, the event log, signed webhooks to real local receivers, SSE and replay.

The gateway runs in this process (uvicorn in a thread) on a private vhost and database, so it
never shares the event-log queue with the session platform's gateway."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import httpx
import pytest
import uvicorn

from services.contracts.events.plans import PlanCreated, TaskAssigned
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.notifications.domain.webhook_signing import verify
from stack.faults import FaultyProxy
from stack.infra import create_vhost, delete_vhost, free_port
from stack.testkit import eventually

AUTH_CACHE_SECONDS = 2.0
# Users' password: a phrase the gateway's password rules accept (they refuse "p" * 12).
PASSWORD = "Đồi-chè-Biển-Hồ-sáng-sớm"



class Gateway:
    def __init__(self, env: dict[str, str], amqp_uri: str) -> None:
        self.env = env
        self.amqp_uri = amqp_uri
        self.port = free_port()
        settings = GatewaySettings(**{k.lower(): v for k, v in env.items()},
                                   port=self.port)
        self.server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1",
                                                    port=self.port, log_config=None,
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        eventually(lambda: httpx.get(f"{self.url}/healthz", timeout=1).raise_for_status())

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture(scope="module")
def gateway(infra):
    vhost = f"campaign-test-gw-{uuid.uuid4().hex[:6]}"
    amqp_uri = create_vhost(infra.broker, vhost)
    env = {**infra.env(), "AMQP_URI": amqp_uri, "DB_PREFIX": f"{infra.db_prefix}gwi_",
           "RATE_LIMIT_PER_MINUTE": "100000", "MAX_BODY_BYTES": "20000",
           "LOGIN_ATTEMPTS_PER_MINUTE": "6", "AUTH_CACHE_SECONDS": str(AUTH_CACHE_SECONDS),
           "WEBHOOK_DISABLE_AFTER_FAILURES": "4", "WEBHOOK_MAX_ATTEMPTS": "2"}
    gw = Gateway(env, amqp_uri)
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()
        if amqp_uri != infra.broker.uri:
            delete_vhost(infra.broker, vhost)


@pytest.fixture(scope="module")
def admin(gateway, infra):
    token = httpx.post(f"{gateway.url}/api/v1/auth/token",
                       json={"username": infra.admin_username,
                             "password": infra.admin_password}).json()["access_token"]
    with httpx.Client(base_url=gateway.url, headers={"Authorization": f"Bearer {token}"},
                      timeout=10) as client:
        yield client


def publish(amqp_uri: str, envelopes: list[Any], exchange: str = "plans.events") -> None:
    async def go() -> None:
        connection = await aio_pika.connect(amqp_uri)
        async with connection:
            channel = await connection.channel()
            ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC,
                                                durable=True)
            for env in envelopes:
                await ex.publish(aio_pika.Message(env.model_dump_json().encode(),
                                                  content_type="application/json"),
                                 routing_key=env.type)

    asyncio.run(go())


def plan_created(**kw: Any) -> Any:
    fields = {"plan_id": f"p-{uuid.uuid4().hex[:8]}", "number": "25/KH-STTTT",
              "issuer_unit_id": "so-tttt", "title": "Kế hoạch tuyên truyền", "year": 2021,
              "status": "draft"}
    fields.update(kw)
    return PlanCreated(**fields).to_envelope()


def task_assigned(lead: str) -> Any:
    return TaskAssigned(plan_id="p1", plan_number="25/KH-STTTT",
                        task_id=f"t-{uuid.uuid4().hex[:6]}", title="Đưa tin",
                        lead_unit_id=lead).to_envelope()


class Receiver:
    """A real HTTP receiver that verifies Standard Webhooks signatures."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.secrets: list[str] = []
        self.received: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if receiver.mode == "hang":
                    time.sleep(10)
                try:
                    verify(receiver.secrets, dict(self.headers), body, int(time.time()))
                except Exception as exc:
                    receiver.rejected.append(str(exc))
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append({"id": self.headers["webhook-id"],
                                          "body": json.loads(body)})
                self.send_response(500 if receiver.mode == "fail" else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def ids(self) -> list[str]:
        return [r["id"] for r in self.received]

    def close(self) -> None:
        self.server.shutdown()


def subscribe(client: httpx.Client, receiver: Receiver, types: list[str]) -> dict[str, Any]:
    reply = client.post("/api/v1/subscriptions", json={"url": receiver.url,
                                                       "event_types": types})
    assert reply.status_code == 201, reply.text
    sub = reply.json()
    receiver.secrets = [sub["secret"]]
    return sub


# --- authentication and users ------------------------------------------------------------

def test_login_issues_a_token_and_bad_credentials_get_401(gateway, infra):
    good = httpx.post(f"{gateway.url}/api/v1/auth/token",
                      json={"username": infra.admin_username, "password": infra.admin_password})
    assert good.status_code == 200 and good.json()["token_type"] == "bearer"
    bad = httpx.post(f"{gateway.url}/api/v1/auth/token",
                     json={"username": infra.admin_username, "password": "wrong-password"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "unauthenticated"
    assert "www-authenticate" in bad.headers
    unknown = httpx.post(f"{gateway.url}/api/v1/auth/token",
                         json={"username": "nobody", "password": "whatever-password"})
    assert unknown.status_code == 401


def test_requests_without_or_with_bad_tokens_get_401(gateway, infra):
    assert httpx.get(f"{gateway.url}/api/v1/users/me").status_code == 401
    for token in ("garbage", "a.b.c",
                  "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0."):
        reply = httpx.get(f"{gateway.url}/api/v1/users/me",
                          headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 401, token
    import jwt

    now = int(time.time())
    expired = jwt.encode({"sub": "x", "iss": "campaign-gateway", "aud": "campaign-api",
                          "iat": now - 999, "nbf": now - 999, "exp": now - 900},
                         infra.jwt_secret, algorithm="HS256")
    wrong_aud = jwt.encode({"sub": "x", "iss": "campaign-gateway", "aud": "elsewhere",
                            "iat": now, "nbf": now, "exp": now + 60},
                           infra.jwt_secret, algorithm="HS256")
    for token, reason in ((expired, "expired"), (wrong_aud, "wrong_audience")):
        reply = httpx.get(f"{gateway.url}/api/v1/users/me",
                          headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 401 and reply.json()["reason"] == reason


def test_admin_creates_users_roles_apply_and_deactivation_is_immediate(gateway, admin):
    name = f"editor-{uuid.uuid4().hex[:6]}"
    created = admin.post("/api/v1/users", json={"username": name, "password": PASSWORD,
                                                "role": "outlet_editor",
                                                "unit_id": "bao-gia-lai",
                                                "display_name": "Báo Gia Lai"})
    assert created.status_code == 201, created.text
    assert "password" not in created.text and "hash" not in created.text
    assert admin.post("/api/v1/users", json={"username": name, "password": PASSWORD,
                                             "role": "viewer"}).status_code == 409
    no_unit = admin.post("/api/v1/users", json={"username": f"x{name}", "password": PASSWORD,
                                                "role": "outlet_editor"})
    assert no_unit.status_code == 422
    token = httpx.post(f"{gateway.url}/api/v1/auth/token",
                       json={"username": name, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{gateway.url}/api/v1/users/me", headers=headers).json()["unit_id"] == \
        "bao-gia-lai"
    forbidden = httpx.get(f"{gateway.url}/api/v1/users", headers=headers)
    assert forbidden.status_code == 403 and forbidden.json()["missing_scope"] == "users:read"
    user_id = created.json()["id"]
    assert admin.patch(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert httpx.get(f"{gateway.url}/api/v1/users/me", headers=headers).status_code == 401


def test_user_list_is_paginated(admin):
    for _ in range(3):
        admin.post("/api/v1/users", json={"username": f"v-{uuid.uuid4().hex[:8]}",
                                          "password": PASSWORD, "role": "viewer"})
    first = admin.get("/api/v1/users", params={"limit": 2, "role": "viewer"}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = admin.get("/api/v1/users", params={"limit": 200, "role": "viewer",
                                              "cursor": first["next_cursor"]}).json()
    ids = [u["id"] for u in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) >= 3
    assert admin.get("/api/v1/users", params={"limit": 201}).status_code == 422


# --- API keys, scopes and limits ---------------------------------------------------------

def test_api_keys_are_shown_once_scoped_rate_limited_and_revocable(gateway, admin):
    created = admin.post("/api/v1/api-keys", json={"name": "Cổng dữ liệu tỉnh",
                                                   "scopes": ["events:read"],
                                                   "rate_limit_per_minute": 3})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    listed = admin.get(f"/api/v1/api-keys/{created.json()['id']}").json()
    assert "key" not in listed and key not in json.dumps(listed)
    headers = {"X-API-Key": key}
    assert httpx.get(f"{gateway.url}/api/v1/events", headers=headers).status_code == 200
    missing = httpx.post(f"{gateway.url}/api/v1/subscriptions", headers=headers,
                         json={"url": "http://127.0.0.1:1/h", "event_types": ["*"]})
    assert missing.status_code == 403 and missing.json()["missing_scope"] == \
        "subscriptions:write"
    assert httpx.get(f"{gateway.url}/api/v1/events",
                     headers={"Authorization": f"Bearer {key}"}).status_code == 200
    limited = httpx.get(f"{gateway.url}/api/v1/events", headers=headers)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.json()["code"] == "rate_limited"
    assert admin.delete(f"/api/v1/api-keys/{created.json()['id']}").json()["revoked_at"]
    revoked = httpx.get(f"{gateway.url}/api/v1/events", headers=headers)
    assert revoked.status_code == 401 and revoked.json()["reason"] == "revoked_api_key"
    bogus = httpx.get(f"{gateway.url}/api/v1/events", headers={"X-API-Key": key + "x"})
    assert bogus.status_code == 401
    assert admin.post("/api/v1/api-keys", json={"name": "x", "scopes": ["users:write"]}) \
        .status_code == 422


def test_a_deactivation_or_revocation_through_another_replica_applies_within_the_bound(
        gateway, admin):
    """Each replica keeps the user and API-key records it read for AUTH_CACHE_SECONDS. A
    change made through another replica (same database) must lock the caller out of this one
    within that bound, and for good."""
    other = Gateway({**gateway.env, "EVENT_CONSUMER_ENABLED": "false"}, gateway.amqp_uri)
    other.start()
    try:
        name = f"replica-{uuid.uuid4().hex[:6]}"
        created = admin.post("/api/v1/users", json={"username": name, "password": PASSWORD,
                                                    "role": "viewer"})
        assert created.status_code == 201, created.text
        token = httpx.post(f"{gateway.url}/api/v1/auth/token",
                           json={"username": name, "password": PASSWORD}
                           ).json()["access_token"]
        user_headers = {"Authorization": f"Bearer {token}"}
        key = admin.post("/api/v1/api-keys", json={"name": "replica test",
                                                   "scopes": ["events:read"]}).json()
        key_headers = {"X-API-Key": key["key"]}
        # This replica reads both records now (and keeps them).
        assert httpx.get(f"{gateway.url}/api/v1/users/me", headers=user_headers) \
            .status_code == 200
        assert httpx.get(f"{gateway.url}/api/v1/events", headers=key_headers) \
            .status_code == 200

        with httpx.Client(base_url=other.url, headers=admin.headers, timeout=10) as via_other:
            assert via_other.patch(f"/api/v1/users/{created.json()['id']}",
                                   json={"active": False}).status_code == 200
            assert via_other.delete(f"/api/v1/api-keys/{key['id']}").status_code == 200
        changed = time.monotonic()
        # The replica that made the change refuses at once.
        assert httpx.get(f"{other.url}/api/v1/users/me", headers=user_headers) \
            .status_code == 401
        assert httpx.get(f"{other.url}/api/v1/events", headers=key_headers) \
            .json()["reason"] == "revoked_api_key"

        def refused(url: str, headers: dict[str, str]) -> float:
            while httpx.get(url, headers=headers).status_code != 401:
                assert time.monotonic() - changed < AUTH_CACHE_SECONDS + 1.0, url
                time.sleep(0.05)
            return time.monotonic() - changed

        assert refused(f"{gateway.url}/api/v1/users/me", user_headers) \
            <= AUTH_CACHE_SECONDS + 1.0
        assert refused(f"{gateway.url}/api/v1/events", key_headers) \
            <= AUTH_CACHE_SECONDS + 1.0
        time.sleep(AUTH_CACHE_SECONDS)  # and it stays refused once the copies expired
        assert httpx.get(f"{gateway.url}/api/v1/users/me", headers=user_headers) \
            .json()["reason"] == "user_inactive"
        assert httpx.get(f"{gateway.url}/api/v1/events", headers=key_headers) \
            .json()["reason"] == "revoked_api_key"
    finally:
        other.stop()


def test_its_own_database_stalled_answers_503_in_time_and_recovers(gateway, admin):
    """A replica whose database (users, API keys, event log) stops answering: a request that
    needs it answers 503 with Retry-After within the store timeout, not a 500 or a hang, and
    the replica serves again by itself once the database answers."""
    target = urlsplit(gateway.env["MONGODB_URI"])
    proxy = FaultyProxy(target.port or 27017, target.hostname or "127.0.0.1")
    # directConnection: the server names itself by its real address, which a client
    # discovering the topology would then use, around the proxy.
    query = "&".join(filter(None, [target.query, "directConnection=true"]))
    uri = urlunsplit(target._replace(netloc=f"127.0.0.1:{proxy.port}", query=query))
    replica = Gateway({**gateway.env, "MONGODB_URI": uri, "STORE_TIMEOUT_MS": "500",
                       "AUTH_CACHE_SECONDS": "0", "EVENT_CONSUMER_ENABLED": "false"},
                      gateway.amqp_uri)
    replica.start()
    try:
        headers = {"Authorization": admin.headers["Authorization"]}
        assert httpx.get(f"{replica.url}/api/v1/users/me", headers=headers).status_code == 200
        proxy.stalled = True
        proxy.reset_all()
        started = time.monotonic()
        reply = httpx.get(f"{replica.url}/api/v1/users/me", headers=headers, timeout=15)
        waited = time.monotonic() - started
        assert reply.status_code == 503, reply.text
        assert reply.json()["code"] == "service_unavailable"
        assert int(reply.headers["retry-after"]) > 0
        assert waited < 3.0, waited
        proxy.stalled = False
        eventually(lambda: httpx.get(f"{replica.url}/api/v1/users/me", headers=headers)
                   .raise_for_status(), seconds=20)
    finally:
        replica.stop()
        proxy.close()


def test_body_limits_and_bad_json(gateway, admin):
    big = admin.post("/api/v1/users", content=b"{" + b" " * 30_000 + b"}",
                     headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    broken = admin.post("/api/v1/users", content=b'{"username": ',
                        headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["loc"][0] == "body"
    unknown = admin.post("/api/v1/users", json={"username": "abc", "password": PASSWORD,
                                                "role": "viewer", "is_admin": True})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "is_admin"]


def test_login_attempts_are_rate_limited(gateway):
    name = f"brute-{uuid.uuid4().hex[:6]}"
    codes = [httpx.post(f"{gateway.url}/api/v1/auth/token",
                        json={"username": name, "password": "guess-guess"}).status_code
             for _ in range(10)]
    assert codes[0] == 401 and codes[-1] == 429


# --- the event log, webhooks, SSE, replay ------------------------------------------------

def test_events_are_logged_once_and_listed(gateway, admin):
    event = plan_created()
    publish(gateway.amqp_uri, [event, event])  # a redelivery must not duplicate
    found = eventually(lambda: admin.get(f"/api/v1/events/{event.id}").json()["id"])
    assert found == event.id
    page = admin.get("/api/v1/events", params={"type": "plan.created", "limit": 200}).json()
    assert [e["id"] for e in page["items"]].count(event.id) == 1
    assert admin.get("/api/v1/events/nope").status_code == 404


def test_the_event_type_filter_knows_the_event_types(gateway, admin):
    """A misspelt type is a clear 422, not a silently empty page; `*` is every type."""
    event = plan_created()
    publish(gateway.amqp_uri, [event])
    eventually(lambda: admin.get(f"/api/v1/events/{event.id}").json()["id"])
    misspelt = admin.get("/api/v1/events", params={"type": ["plan.created", "plan.craeted"]})
    assert misspelt.status_code == 422
    assert "unknown event types: plan.craeted" in misspelt.text
    every = admin.get("/api/v1/events", params={"type": "*", "subject": event.subject}).json()
    assert [e["id"] for e in every["items"]] == [event.id]


def test_webhooks_are_signed_retried_and_a_hanging_subscriber_blocks_no_one(gateway, admin):
    good, hanging = Receiver(), Receiver("hang")
    try:
        sub = subscribe(admin, good, ["plan.created"])
        subscribe(admin, hanging, ["plan.created"])
        other = subscribe(admin, Receiver(), ["task.assigned"])
        events = [plan_created() for _ in range(3)]
        publish(gateway.amqp_uri, events)
        eventually(lambda: set(good.ids()) >= {e.id for e in events} or 1 / 0, 9)
        assert hanging.received == []  # still hanging: the good one did not wait for it
        assert good.rejected == []
        assert good.received[0]["body"]["type"] == "plan.created"
        assert good.received[0]["body"]["data"]["title"] == "Kế hoạch tuyên truyền"

        def delivered():
            log = admin.get(f"/api/v1/subscriptions/{sub['id']}/deliveries").json()["items"]
            assert {d["status"] for d in log if d["event_id"] in good.ids()} == {"delivered"}

        eventually(delivered, 5)
        other_log = admin.get(f"/api/v1/subscriptions/{other['id']}/deliveries").json()
        assert other_log["items"] == []
    finally:
        good.close()
        hanging.close()


def test_secret_rotation_signs_with_old_and_new_during_the_grace_period(gateway, admin):
    receiver = Receiver()
    try:
        sub = subscribe(admin, receiver, ["plan.created"])
        old = receiver.secrets[0]
        rotated = admin.post(f"/api/v1/subscriptions/{sub['id']}/rotate-secret").json()
        assert rotated["secret"] != old
        receiver.secrets = [old]  # a receiver not yet updated still verifies
        event = plan_created()
        publish(gateway.amqp_uri, [event])
        eventually(lambda: event.id in receiver.ids() or 1 / 0)
        receiver.secrets = [rotated["secret"]]
        event2 = plan_created()
        publish(gateway.amqp_uri, [event2])
        eventually(lambda: event2.id in receiver.ids() or 1 / 0)
        assert receiver.rejected == []
    finally:
        receiver.close()


def test_a_leaked_secret_is_revoked_at_once_by_a_rotation_that_says_so(gateway, admin):
    receiver = Receiver()
    try:
        sub = subscribe(admin, receiver, ["plan.created"])
        leaked = receiver.secrets[0]
        rotated = admin.post(f"/api/v1/subscriptions/{sub['id']}/rotate-secret",
                             params={"revoke_previous": "true"}).json()
        receiver.secrets = [leaked]  # whoever holds the leaked secret can no longer verify
        event = plan_created()
        publish(gateway.amqp_uri, [event])
        eventually(lambda: receiver.rejected or 1 / 0)
        assert event.id not in receiver.ids()
        receiver.secrets = [rotated["secret"]]  # the retry verifies with the new secret
        eventually(lambda: event.id in receiver.ids() or 1 / 0, 30)
    finally:
        receiver.close()


def test_a_failing_subscriber_is_disabled_after_a_streak_and_its_owner_told(gateway, admin):
    receiver = Receiver("fail")
    try:
        sub = subscribe(admin, receiver, ["plan.created"])
        publish(gateway.amqp_uri, [plan_created() for _ in range(3)])

        def disabled():
            state = admin.get(f"/api/v1/subscriptions/{sub['id']}").json()
            assert state["active"] is False, state
            return state

        state = eventually(disabled, 20)
        assert "failed delivery attempts" in state["disabled_reason"]
        deliveries = admin.get(f"/api/v1/subscriptions/{sub['id']}/deliveries").json()["items"]
        assert len(deliveries) == 3 and sum(d["attempts"] for d in deliveries) >= 4
        assert any(d["last_status_code"] == 500 for d in deliveries)
        eventually(lambda: {d["status"] for d in admin.get(
            f"/api/v1/subscriptions/{sub['id']}/deliveries").json()["items"]} == {"failed"}
            or 1 / 0)
        notices = asyncio.run(owner_notices(gateway, sub["id"]))
        assert notices and notices[0]["kind"] == "subscription_disabled"
        # Re-enabled and replayed by delivery id once the receiver is fixed.
        receiver.mode = "ok"
        assert admin.patch(f"/api/v1/subscriptions/{sub['id']}",
                           json={"active": True}).json()["active"] is True
        replay = admin.post("/api/v1/events/replay", json={
            "subscription_id": sub["id"], "delivery_ids": [deliveries[0]["id"]]})
        assert replay.status_code == 202 and replay.json()["scheduled"] == 1
        eventually(lambda: deliveries[0]["event_id"] in receiver.ids() or 1 / 0)
    finally:
        receiver.close()


async def owner_notices(gateway: Gateway, sub_id: str) -> list[dict[str, Any]]:
    from pymongo import AsyncMongoClient

    settings = gateway.server.config.app.state.settings
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        return await client[settings.database_name("gateway")]["owner_notices"].find(
            {"subscription_id": sub_id}).to_list(10)
    finally:
        await client.close()


def test_replay_by_time_range(gateway, admin):
    receiver = Receiver()
    try:
        before = plan_created()
        publish(gateway.amqp_uri, [before])
        eventually(lambda: admin.get(f"/api/v1/events/{before.id}").raise_for_status())
        sub = subscribe(admin, receiver, ["plan.created"])  # subscribed after the event
        replay = admin.post("/api/v1/events/replay", json={
            "subscription_id": sub["id"], "since": before.time.isoformat(),
            "until": before.time.isoformat()})
        assert replay.status_code == 202 and replay.json()["scheduled"] == 1
        eventually(lambda: before.id in receiver.ids() or 1 / 0)
    finally:
        receiver.close()


def test_subscriptions_to_private_addresses_are_refused(gateway, admin):
    for url in ("http://169.254.169.254/latest", "http://10.0.0.1/hook",
                "http://metadata.google.internal/x"):
        reply = admin.post("/api/v1/subscriptions", json={"url": url, "event_types": ["*"]})
        assert reply.status_code == 422, url
        assert reply.json()["reason"] in {"cloud_metadata", "private"}
    unknown = admin.post("/api/v1/subscriptions", json={"url": "http://127.0.0.1/h",
                                                        "event_types": ["plan.nope"]})
    assert unknown.status_code == 422


def read_sse(url: str, headers: dict[str, str], count: int, seconds: float = 10):
    frames: list[dict[str, str]] = []
    with httpx.stream("GET", url, headers=headers, timeout=seconds) as stream:
        current: dict[str, str] = {}
        for line in stream.iter_lines():
            if line == "":
                if "id" in current:
                    frames.append(current)
                    if len(frames) >= count:
                        break
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = value
    return frames


def test_sse_streams_live_events_and_resumes_with_last_event_id(gateway, admin):
    headers = dict(admin.headers)
    url = f"{gateway.url}/api/v1/events/stream?type=plan.created"
    first = [plan_created(title=f"Sự kiện {i}") for i in range(2)]
    received: list[dict[str, str]] = []
    reader = threading.Thread(target=lambda: received.extend(read_sse(url, headers, 2)))
    reader.start()
    time.sleep(0.5)
    publish(gateway.amqp_uri, first)
    reader.join(15)
    assert [f["id"] for f in received] == [e.id for e in first]
    assert json.loads(received[0]["data"])["data"]["title"] == "Sự kiện 0"
    # Disconnected; more events happen; resume from the last one seen.
    missed = [plan_created(title="Bỏ lỡ") for _ in range(2)]
    publish(gateway.amqp_uri, missed)
    eventually(lambda: admin.get(f"/api/v1/events/{missed[-1].id}").raise_for_status())
    resumed = read_sse(url, {**headers, "Last-Event-ID": first[-1].id}, 2)
    assert [f["id"] for f in resumed] == [e.id for e in missed]


def test_unit_scoped_users_see_only_their_units_events(gateway, admin):
    name = f"local-{uuid.uuid4().hex[:6]}"
    admin.post("/api/v1/users", json={"username": name, "password": PASSWORD,
                                      "role": "outlet_editor", "unit_id": "bao-gia-lai"})
    token = httpx.post(f"{gateway.url}/api/v1/auth/token",
                       json={"username": name, "password": PASSWORD}).json()["access_token"]
    mine, theirs = task_assigned("bao-gia-lai"), task_assigned("dai-ptth")
    publish(gateway.amqp_uri, [mine, theirs])
    eventually(lambda: admin.get(f"/api/v1/events/{theirs.id}").raise_for_status())
    headers = {"Authorization": f"Bearer {token}"}
    listed = httpx.get(f"{gateway.url}/api/v1/events", headers=headers,
                       params={"type": "task.assigned", "limit": 200}).json()["items"]
    ids = {e["id"] for e in listed}
    assert mine.id in ids and theirs.id not in ids
    assert httpx.get(f"{gateway.url}/api/v1/events/{theirs.id}",
                     headers=headers).status_code == 404
