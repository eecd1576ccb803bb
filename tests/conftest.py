"""Shared fixtures. Unit tests need none of them; integration and e2e tests get a private
RabbitMQ vhost and private database names for the whole run, so runs never see each other."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stack.infra import Broker, create_vhost, delete_vhost, ensure_database, ensure_rabbitmq

TESTS = Path(__file__).parent
RUN_ID = uuid.uuid4().hex[:8]


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

    def env(self) -> dict[str, str]:
        return {"AMQP_URI": self.amqp_uri, "MONGODB_URI": self.mongodb_uri,
                "DB_PREFIX": self.db_prefix, "ENVIRONMENT": "test", "LOG_LEVEL": "INFO",
                "AMQP_HEARTBEAT_SECONDS": "5", "OUTBOX_POLL_SECONDS": "0.5",
                # Outbound HTTP (feeds, webhooks, providers) may reach the tests' local peers.
                "OUTBOUND_ALLOWLIST": "127.0.0.0/8,::1",
                }

    def database(self, service: str) -> Any:
        from pymongo import MongoClient

        client: MongoClient[dict[str, Any]] = MongoClient(self.mongodb_uri, tz_aware=True,
                                                          serverSelectionTimeoutMS=5000)
        return client[f"{self.db_prefix}{service}"]


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
