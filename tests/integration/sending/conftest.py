"""Fixtures of the notifications sending tests: the real SMTP sink and HTTP peer, and a
context on the real database."""

from __future__ import annotations

import uuid

import pytest
from sending_kit import SECRET, make_settings

from services.notifications import channels
from services.notifications.context import Context
from services.notifications.domain.preferences import Channel
from services.notifications.repositories import (
    MongoNotificationsUnitOfWork,
    ensure_indexes,
)
from stack.notification_peers import HttpPeer, SmtpSink


@pytest.fixture(scope="module")
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def peer():
    server = HttpPeer(SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def ctx(infra, smtp):
    db = infra.database(f"notifications_{uuid.uuid4().hex[:8]}")
    ensure_indexes(db)
    context = Context(MongoNotificationsUnitOfWork(db), make_settings(smtp))
    for channel in Channel:  # fast retries in tests
        channels.configure(context, channel, {"retry_base_seconds": 0.05,
                                              "retry_max_seconds": 0.2, "max_attempts": 3,
                                              "timeout_seconds": 1.0})
    yield context
    db.client.drop_database(db.name)
