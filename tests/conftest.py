"""Shared fixtures. Unit tests need none of them; integration and e2e tests get a private
RabbitMQ vhost and private database names for the whole run, so runs never see each other."""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stack.infra import (
    Broker,
    create_vhost,
    delete_vhost,
    ensure_database,
    ensure_rabbitmq,
    ensure_redis,
)
from stack.notification_peers import HttpPeer, SmtpSink

TESTS = Path(__file__).parent
RUN_ID = uuid.uuid4().hex[:8]
# The gateway's first admin, created from settings at its start (never a default password).
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = secrets.token_urlsafe(24)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(TESTS).parts
        if parts and parts[0] in {"unit", "integration", "e2e", "reliability"}:
            item.add_marker(getattr(pytest.mark, parts[0] if parts[0] != "reliability"
                                    else "e2e"))


class TestInfra:
    def __init__(self, broker: Broker, amqp_uri: str, mongodb_uri: str, db_prefix: str) -> None:
        self.broker = broker
        self.amqp_uri = amqp_uri
        self.mongodb_uri = mongodb_uri
        self.db_prefix = db_prefix
        self.admin_username = ADMIN_USERNAME
        self.admin_password = ADMIN_PASSWORD
        self.jwt_secret = secrets.token_urlsafe(48)

    def env(self) -> dict[str, str]:
        return {"AMQP_URI": self.amqp_uri, "MONGODB_URI": self.mongodb_uri,
                "DB_PREFIX": self.db_prefix, "ENVIRONMENT": "test", "LOG_LEVEL": "INFO",
                "AMQP_HEARTBEAT_SECONDS": "5", "OUTBOX_POLL_SECONDS": "0.5",
                # Outbound HTTP (feeds, webhooks, providers) may reach the tests' local peers.
                "OUTBOUND_ALLOWLIST": "127.0.0.0/8,::1",
                "ACK_LINK_SECRET": "test-ack-link-secret-0123456789",
                # Plans: the deadline timer every 2 s on a fixed clock (10/01/2021, before the
                # seed plan's deadlines), so e2e tests see it at work without an alert flood.
                "PLANS_DEADLINE_SCAN_SECONDS": "2",
                "PLANS_CLOCK_NOW": "2021-01-10T09:00:00+07:00",
                # Gateway: a known admin and JWT secret per run; quick webhook retries.
                "AUTH_JWT_SECRET": self.jwt_secret,
                "BOOTSTRAP_ADMIN_USERNAME": self.admin_username,
                "BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
                "WEBHOOK_TIMEOUT_SECONDS": "1", "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
                "WEBHOOK_RETRY_MAX_SECONDS": "1", "WEBHOOK_MAX_ATTEMPTS": "4",
                "WEBHOOK_DISABLE_AFTER_FAILURES": "6", "AUTH_TOKEN_TTL_SECONDS": "3600",
                # Every test logs in from 127.0.0.1 (schemathesis with wrong passwords too):
                # the per-address failure budget is tested on its own gateways.
                "LOGIN_FAILURES_PER_CLIENT_PER_MINUTE": "100000",
                }

    def database(self, service: str) -> Any:
        from pymongo import MongoClient

        client: MongoClient[dict[str, Any]] = MongoClient(self.mongodb_uri, tz_aware=True,
                                                          serverSelectionTimeoutMS=5000)
        return client[f"{self.db_prefix}{service}"]

    @contextlib.contextmanager
    def indexed_database(self, name: str, ensure_indexes: Callable[[Any], None]
                         ) -> Iterator[Any]:
        """A database of the test's own (`name` and a random tail) with a service's indexes,
        dropped after it."""
        db = self.database(f"{name}_{uuid.uuid4().hex[:8]}")
        ensure_indexes(db)
        try:
            yield db
        finally:
            db.client.drop_database(db.name)


@pytest.fixture(scope="session")
def infra() -> Iterator[TestInfra]:
    broker = ensure_rabbitmq()
    mongodb_uri, local_db = ensure_database()
    vhost = f"campaign-test-{RUN_ID}"
    amqp_uri = create_vhost(broker, vhost)
    prefix = f"t{RUN_ID}_"
    try:
        yield TestInfra(broker, amqp_uri, mongodb_uri, prefix)
    finally:
        from pymongo import MongoClient

        client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri,
                                                          serverSelectionTimeoutMS=5000)
        for name in client.list_database_names():
            if name.startswith(prefix):
                client.drop_database(name)
        client.close()
        if amqp_uri != broker.uri:
            delete_vhost(broker, vhost)
        if local_db is not None:
            local_db.stop()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server that keeps every message it receives, one per test module."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def peer(webhook_secret: str) -> Iterator[HttpPeer]:
    """A real HTTP receiver of webhooks and chat API calls, one per test module; the module
    says the secret its webhooks are signed with (a `webhook_secret` fixture)."""
    server = HttpPeer(webhook_secret).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_uri() -> Iterator[str]:
    """A real Redis (the gateway's shared rate limits); tests prefix their keys per run."""
    uri, local = ensure_redis()
    try:
        yield uri
    finally:
        if local is not None:
            local.stop()


@pytest.fixture(scope="session")
def platform(infra: TestInfra) -> Iterator[Any]:
    from stack.processes import Platform

    running = Platform.configure(infra.env(), echo=bool(os.environ.get("ECHO_SERVICE_LOGS")))
    running.start()
    try:
        running.wait_ready(90)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def rpc(infra: TestInfra) -> Iterator[Any]:
    from services.runtime.rpc_sync import BlockingRpc

    with BlockingRpc(infra.amqp_uri, timeout=15, client_name="tests") as client:
        yield client


def gateway_token(base_url: str, username: str, password: str) -> str:
    import httpx

    reply = httpx.post(f"{base_url}/api/v1/auth/token",
                       json={"username": username, "password": password}, timeout=10)
    reply.raise_for_status()
    token: str = reply.json()["access_token"]
    return token


@pytest.fixture(scope="session")
def admin_token(platform: Any, infra: TestInfra) -> str:
    """A JWT of the bootstrap admin on the session platform's gateway."""
    return gateway_token(platform.gateway_url, infra.admin_username, infra.admin_password)


@pytest.fixture(scope="session")
def api(platform: Any, admin_token: str) -> Iterator[Any]:
    """An httpx client of the session gateway, authenticated as the admin."""
    import httpx

    with httpx.Client(base_url=platform.gateway_url, timeout=15,
                      headers={"Authorization": f"Bearer {admin_token}"}) as client:
        yield client
