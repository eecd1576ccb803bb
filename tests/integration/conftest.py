"""Fixtures of the gateway's integration tests: one in-process gateway per test module, on a
private vhost, and an admin client of it (tests/integration/gateway_harness.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from gateway_harness import AUTH_CACHE_SECONDS, Gateway

from services.notifications.context import Context
from services.notifications.repositories import MongoNotificationsUnitOfWork, ensure_indexes
from services.notifications.settings import NotificationsSettings
from stack.infra import create_vhost, delete_vhost
from stack.testkit import ManualClock


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


@pytest.fixture
def notifications_db(infra):
    """A notifications database of the test's own, with its indexes; dropped after it."""
    with infra.indexed_database("notifications", ensure_indexes) as db:
        yield db


@pytest.fixture
def clocked_context(notifications_db, smtp):
    """Builds a notifications context on the test's database that mails the SMTP sink and
    reads a clock the test sets (`ctx.clock.now = ...`); keywords are further settings."""

    def build(**settings):
        return Context(MongoNotificationsUnitOfWork(notifications_db),
                       NotificationsSettings(smtp_host="127.0.0.1", smtp_port=smtp.port,
                                             ack_link_secret="integration-ack-secret-0123456789",
                                             **settings),
                       clock=ManualClock(datetime.now(UTC)))

    return build
