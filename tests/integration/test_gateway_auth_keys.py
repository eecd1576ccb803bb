"""The gateway against the real broker and database (no other service): authentication, users,
API keys and limits, with a second replica and a stalled database.

The gateway runs in this process (uvicorn in a thread) on a private vhost and database, so it
never shares the event-log queue with the session platform's gateway."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
from gateway_harness import AUTH_CACHE_SECONDS, PASSWORD, Gateway

from stack.faults import FaultyProxy
from stack.testkit import eventually

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
