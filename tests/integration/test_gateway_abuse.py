"""Abuse resistance of the gateway, with two real gateway processes (uvicorn, as deployed)
sharing one database and one Redis: rate limits and the login failure budget hold across
replicas, a Redis outage locks no one out, a password change or reset revokes the tokens
issued before it, weak passwords are refused, an API key describes itself at /users/me, and
every answer carries the headers that keep browsers and caches from misusing it."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from stack.faults import FaultyProxy
from stack.infra import create_vhost, delete_vhost, free_port
from stack.processes import ServiceProcess
from stack.testkit import eventually

# Generous: two cores are shared with other work, and a login hashes with argon2.
http = httpx.Client(timeout=30)
AUTH_CACHE_SECONDS = 2.0
LOGIN_FAILURES = 8
STRONG = "sông-Ba-chảy-qua-Ayun-Pa"  # four unrelated words


class GatewayProcess:
    """`python -m services.gateway` on a free port, as `make run` and the image start it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = ServiceProcess("gateway", {**env, "PORT": str(self.port),
                                                  "PYTHONUNBUFFERED": "1"}, echo=False)

    def start(self) -> GatewayProcess:
        self.process.start()

        def healthy() -> None:
            assert self.process.alive(), "\n".join(self.process.lines[-30:])
            http.get(f"{self.url}/healthz").raise_for_status()

        eventually(healthy, 60)
        return self

    def stop(self) -> None:
        self.process.stop()

    def metric(self, name: str) -> float:
        text = http.get(f"{self.url}/metrics").text
        values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                  if line.startswith(name) and not line.startswith("#")]
        return sum(values)


@pytest.fixture(scope="module")
def base_env(infra: Any, redis_uri: str) -> Iterator[dict[str, str]]:
    import os

    vhost = f"campaign-test-abuse-{uuid.uuid4().hex[:6]}"
    amqp_uri = create_vhost(infra.broker, vhost)
    # The database prefix is unique per run, and the limiter's Redis keys start with the
    # gateway's database name: runs (and the two groups below) never share a budget.
    env = {**os.environ, **infra.env(), "AMQP_URI": amqp_uri,
           "DB_PREFIX": f"{infra.db_prefix}abuse_",
           "RATE_LIMIT_STORAGE_URI": redis_uri, "RATE_LIMIT_PER_MINUTE": "100000",
           "LOGIN_ATTEMPTS_PER_MINUTE": "1000",
           "LOGIN_FAILURES_PER_CLIENT_PER_MINUTE": str(LOGIN_FAILURES),
           "AUTH_CACHE_SECONDS": str(AUTH_CACHE_SECONDS)}
    try:
        yield env
    finally:
        if amqp_uri != infra.broker.uri:
            delete_vhost(infra.broker, vhost)


@pytest.fixture(scope="module")
def replicas(base_env: dict[str, str]) -> Iterator[tuple[GatewayProcess, GatewayProcess]]:
    """Two replicas of one deployment: same database, same Redis, one event consumer."""
    first = GatewayProcess(base_env).start()
    second = GatewayProcess({**base_env, "EVENT_CONSUMER_ENABLED": "false"}).start()
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def login(url: str, username: str, password: str, **headers: str) -> httpx.Response:
    return http.post(f"{url}/api/v1/auth/token", headers=headers,
                      json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def admin(replicas: tuple[GatewayProcess, GatewayProcess], infra: Any) -> dict[str, str]:
    reply = login(replicas[0].url, infra.admin_username, infra.admin_password)
    assert reply.status_code == 200, reply.text
    return bearer(reply.json()["access_token"])


def new_user(url: str, admin: dict[str, str], role: str = "viewer") -> dict[str, str]:
    name = f"u-{uuid.uuid4().hex[:8]}"
    created = http.post(f"{url}/api/v1/users", headers=admin,
                         json={"username": name, "password": STRONG, "role": role})
    assert created.status_code == 201, created.text
    return {"id": created.json()["id"], "username": name}


def new_key(url: str, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    created = http.post(f"{url}/api/v1/api-keys", headers=admin,
                         json={"name": "Cổng dữ liệu tỉnh", "scopes": ["events:read"],
                               **fields})
    assert created.status_code == 201, created.text
    key: dict[str, Any] = created.json()
    return key


# --- 1. rate limits are shared by the replicas ----------------------------------------------

def test_two_replicas_share_one_rate_limit_budget(replicas, admin):
    first, second = replicas
    key = new_key(first.url, admin, rate_limit_per_minute=10)
    headers = {"X-API-Key": key["key"]}
    codes = [http.get(f"{(first, second)[i % 2].url}/api/v1/users/me", headers=headers)
             .status_code for i in range(10)]
    assert codes == [200] * 10
    for replica in (first, second):  # the budget is spent, whichever replica is asked
        refused = http.get(f"{replica.url}/api/v1/users/me", headers=headers)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60


@pytest.fixture
def through_proxy(base_env: dict[str, str]) -> Iterator[tuple[GatewayProcess, FaultyProxy]]:
    """A replica whose Redis sits behind a proxy that can stall, in a group of its own."""
    redis = urlsplit(base_env["RATE_LIMIT_STORAGE_URI"])
    proxy = FaultyProxy(redis.port or 6379, redis.hostname or "127.0.0.1")
    replica = GatewayProcess({
        **base_env, "EVENT_CONSUMER_ENABLED": "false",
        "DB_PREFIX": f"{base_env['DB_PREFIX']}proxy_",
        "RATE_LIMIT_STORAGE_URI": urlunsplit(redis._replace(
            netloc=redis.netloc.replace(f"{redis.hostname}:{redis.port}",
                                        f"127.0.0.1:{proxy.port}"))),
        "RATE_LIMIT_PER_MINUTE": "20"}).start()
    try:
        yield replica, proxy
    finally:
        replica.stop()
        proxy.close()


def test_a_redis_outage_locks_no_one_out_and_is_counted(through_proxy, infra):
    """Fail open to the replica's own limiter: requests are served at once, still within
    the per-replica budget, and every fallback is counted for the operators' alert."""
    replica, proxy = through_proxy
    token = login(replica.url, infra.admin_username, infra.admin_password).json()
    headers = bearer(token["access_token"])
    assert http.get(f"{replica.url}/api/v1/users/me", headers=headers).status_code == 200
    assert replica.metric("campaign_gateway_rate_limit_storage_errors_total") == 0
    proxy.stalled = True
    proxy.reset_all()
    started = time.monotonic()
    codes = []
    for _ in range(25):
        codes.append(http.get(f"{replica.url}/api/v1/users/me", headers=headers).status_code)
    elapsed = time.monotonic() - started
    assert codes[0] == 200 and elapsed < 10, (codes, elapsed)
    assert 429 in codes, codes  # the replica's own budget (20 a minute) still holds
    assert replica.metric("campaign_gateway_rate_limit_storage_errors_total") >= 1
    assert any("rate limit storage unavailable" in line for line in replica.process.lines)


# --- 3. login failures are budgeted per client --------------------------------------------

def test_a_password_spray_from_one_client_is_throttled_across_replicas(replicas):
    """30 user names, one password, one client (alternating replicas): refused with 429 once
    the client's failure budget is spent. The client address comes from X-Forwarded-For
    because the peer (127.0.0.1) is a trusted proxy by default (FORWARDED_ALLOW_IPS)."""
    first, second = replicas
    client = {"X-Forwarded-For": "203.0.113.7"}
    codes = [login((first, second)[i % 2].url, f"staff-{i:02d}", "Mùa-xuân-2024!",
                   **client) for i in range(30)]
    statuses = [r.status_code for r in codes]
    assert statuses[:LOGIN_FAILURES] == [401] * LOGIN_FAILURES, statuses
    assert set(statuses[LOGIN_FAILURES:]) == {429}, statuses
    assert 1 <= int(codes[-1].headers["retry-after"]) <= 60
    assert "too many failed logins" in codes[-1].json()["detail"]
    # Another client is not affected.
    assert login(first.url, "staff-99", "whatever-it-is",
                 **{"X-Forwarded-For": "198.51.100.9"}).status_code == 401


def test_an_untrusted_peer_cannot_escape_its_budget_with_forwarded_headers(base_env):
    replica = GatewayProcess({**base_env, "EVENT_CONSUMER_ENABLED": "false",
                              "DB_PREFIX": f"{base_env['DB_PREFIX']}direct_",
                              "FORWARDED_ALLOW_IPS": "192.0.2.1"}).start()
    try:
        statuses = [login(replica.url, f"staff-{i:02d}", "Mùa-xuân-2024!",
                          **{"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                    for i in range(LOGIN_FAILURES + 2)]
        assert statuses[-1] == 429, statuses
    finally:
        replica.stop()


# --- 2. tokens die with the credentials they were issued for ---------------------------------

def test_changing_ones_password_revokes_earlier_tokens_on_every_replica(replicas, admin):
    first, second = replicas
    user = new_user(first.url, admin)
    old = bearer(login(first.url, user["username"], STRONG).json()["access_token"])
    assert http.get(f"{second.url}/api/v1/users/me", headers=old).status_code == 200
    wrong = http.post(f"{first.url}/api/v1/users/me/password", headers=old,
                       json={"current_password": "not-my-password", "new_password": STRONG})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == [
        "body", "current_password"]
    changed = http.post(f"{first.url}/api/v1/users/me/password", headers=old,
                         json={"current_password": STRONG,
                               "new_password": "Pleiku-mưa-bụi-chiều-thu"})
    assert changed.status_code == 200, changed.text
    assert changed.headers["cache-control"] == "no-store"
    at = time.monotonic()
    refused = http.get(f"{first.url}/api/v1/users/me", headers=old)
    assert refused.status_code == 401 and refused.json()["reason"] == "revoked_token"

    def refused_on_second() -> None:
        assert http.get(f"{second.url}/api/v1/users/me", headers=old).status_code == 401

    eventually(refused_on_second, AUTH_CACHE_SECONDS + 1, 0.05)
    assert time.monotonic() - at <= AUTH_CACHE_SECONDS + 1
    fresh = bearer(changed.json()["access_token"])  # the session that changed it goes on
    for replica in replicas:
        assert http.get(f"{replica.url}/api/v1/users/me", headers=fresh).status_code == 200
    assert login(first.url, user["username"], STRONG).status_code == 401


def test_an_admin_reset_or_a_deactivation_revokes_tokens_for_good(replicas, admin):
    first, second = replicas
    user = new_user(first.url, admin)
    token = bearer(login(first.url, user["username"], STRONG).json()["access_token"])
    reset = http.patch(f"{second.url}/api/v1/users/{user['id']}", headers=admin,
                        json={"password": "Kon-Ka-Kinh-sương-sớm"})
    assert reset.status_code == 200, reset.text
    assert http.get(f"{second.url}/api/v1/users/me", headers=token).json()["reason"] == \
        "revoked_token"
    eventually(lambda: http.get(f"{first.url}/api/v1/users/me", headers=token)
               .status_code == 401 or 1 / 0, AUTH_CACHE_SECONDS + 1, 0.05)

    again = bearer(login(first.url, user["username"], "Kon-Ka-Kinh-sương-sớm")
                   .json()["access_token"])
    for active in (False, True):  # deactivated, then reactivated: the old token stays dead
        assert http.patch(f"{first.url}/api/v1/users/{user['id']}", headers=admin,
                           json={"active": active}).status_code == 200
    assert http.get(f"{first.url}/api/v1/users/me", headers=again).json()["reason"] == \
        "revoked_token"


# --- 4. weak passwords ---------------------------------------------------------------------

@pytest.mark.parametrize(("password", "why"), [
    ("password1234", "common"),
    ("aaaaaaaaaaaa", "repeat"),
    ("abcdefghijklmn", "sequence"),
    ("mật-khẩu-12345", "common"),
])
def test_weak_passwords_are_refused_with_a_reason_a_person_understands(
        replicas, admin, password, why):
    first, _ = replicas
    reply = http.post(f"{first.url}/api/v1/users", headers=admin, json={
        "username": f"w-{uuid.uuid4().hex[:6]}", "password": password, "role": "viewer"})
    assert reply.status_code == 422, reply.text
    error = reply.json()["errors"][0]
    assert error["loc"] == ["body", "password"] and error["type"] == "weak_password"
    assert why in error["msg"] and "Choose" in reply.json()["detail"]


def test_a_password_holding_the_user_name_is_refused_on_reset_and_change(replicas, admin):
    first, _ = replicas
    user = new_user(first.url, admin)
    weak = f"{user['username']}-Gia-Lai"
    reset = http.patch(f"{first.url}/api/v1/users/{user['id']}", headers=admin,
                        json={"password": weak})
    assert reset.status_code == 422 and "user name" in reset.json()["errors"][0]["msg"]
    token = bearer(login(first.url, user["username"], STRONG).json()["access_token"])
    change = http.post(f"{first.url}/api/v1/users/me/password", headers=token,
                        json={"current_password": STRONG, "new_password": "password1234"})
    assert change.status_code == 422 and change.json()["errors"][0]["loc"] == [
        "body", "new_password"]


def test_an_admin_changes_their_own_password_only_with_the_current_one(replicas, admin):
    """A stolen admin token is not enough to take the account over."""
    first, _ = replicas
    me = http.get(f"{first.url}/api/v1/users/me", headers=admin).json()
    reset = http.patch(f"{first.url}/api/v1/users/{me['id']}", headers=admin,
                       json={"password": "Pleiku-mưa-bụi-chiều-thu"})
    assert reset.status_code == 409 and "/users/me/password" in reset.json()["detail"]
    assert http.get(f"{first.url}/api/v1/users/me", headers=admin).status_code == 200
    as_key = http.post(f"{first.url}/api/v1/users/me/password",
                       headers={"X-API-Key": new_key(first.url, admin)["key"]},
                       json={"current_password": "x", "new_password": STRONG})
    assert as_key.status_code == 403


# --- 5. an API key describes itself ----------------------------------------------------------

def test_an_api_key_reads_its_own_description_not_its_owners_record(replicas, admin, infra):
    first, _ = replicas
    key = new_key(first.url, admin, unit_id="bao-gia-lai")
    me = http.get(f"{first.url}/api/v1/users/me", headers={"X-API-Key": key["key"]})
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["kind"] == "api_key" and body["id"] == key["id"]
    assert body["name"] == "Cổng dữ liệu tỉnh" and body["scopes"] == ["events:read"]
    assert body["unit_id"] == "bao-gia-lai" and body["owner_id"] == key["owner_id"]
    assert infra.admin_username not in me.text and "role" not in body
    user_me = http.get(f"{first.url}/api/v1/users/me", headers=admin).json()
    assert user_me["kind"] == "user" and user_me["username"] == infra.admin_username
    schema = http.get(f"{first.url}/openapi.json").json()
    reply = schema["paths"]["/api/v1/users/me"]["get"]["responses"]["200"]
    refs = json.dumps(reply)
    assert "CurrentUser" in refs and "CurrentApiKey" in refs


# --- 6. headers, and a Last-Event-ID that names nothing ----------------------------------

def test_tokens_are_never_cached_and_nothing_is_sniffed(replicas, admin, infra):
    first, _ = replicas
    token = login(first.url, infra.admin_username, infra.admin_password)
    assert token.headers["cache-control"] == "no-store"
    assert token.headers["pragma"] == "no-cache"
    answers = [token,
               http.get(f"{first.url}/api/v1/users/me", headers=admin),
               http.get(f"{first.url}/api/v1/users/me"),                     # 401
               http.get(f"{first.url}/api/v1/nowhere", headers=admin),       # 404
               http.post(f"{first.url}/api/v1/users", headers=admin, json={}),  # 422
               http.post(f"{first.url}/api/v1/users", headers=admin,        # 413
                          content=b"{" + b" " * 2_000_000 + b"}"),
               http.get(f"{first.url}/healthz")]
    for answer in answers:
        assert answer.headers.get("x-content-type-options") == "nosniff", answer.request.url
    secret = http.post(f"{first.url}/api/v1/api-keys", headers=admin,
                        json={"name": "Cổng dữ liệu tỉnh", "scopes": ["events:read"]})
    assert secret.status_code == 201 and secret.headers["cache-control"] == "no-store"
    signing = http.post(f"{first.url}/api/v1/subscriptions", headers=admin,
                        json={"url": "http://127.0.0.1:9/hook", "event_types": ["*"]})
    assert signing.status_code == 201 and signing.headers["cache-control"] == "no-store"


def test_a_last_event_id_that_names_no_logged_event_is_refused(replicas, admin):
    """An EventSource only sends back ids the stream gave it: an id the log does not hold is
    garbage or older than the retention. Replaying the whole log for it would be wrong and
    costly, and silently starting from now would hide the gap: the client is told."""
    first, _ = replicas
    for garbage in ("garbage", uuid.uuid4().hex, "../../etc"):
        reply = http.get(f"{first.url}/api/v1/events/stream", timeout=10,
                          headers={**admin, "Last-Event-ID": garbage})
        assert reply.status_code == 422, (garbage, reply.text[:200])
        problem = reply.json()
        assert problem["errors"][0]["loc"] == ["header", "Last-Event-ID"]
        assert re.search(r"reconnect without Last-Event-ID", problem["detail"])
