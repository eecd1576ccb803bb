"""Fixtures of the notifications sending tests: the real SMTP sink and HTTP peer, and a
context on the real database."""

from __future__ import annotations

import pytest
from sending_kit import SECRET, make_settings

from services.notifications import channels
from services.notifications.context import Context
from services.notifications.domain.vocabulary import Channel
from services.notifications.repositories import MongoNotificationsUnitOfWork


@pytest.fixture(scope="module")
def webhook_secret():
    return SECRET


@pytest.fixture
def ctx(notifications_db, smtp):
    context = Context(MongoNotificationsUnitOfWork(notifications_db), make_settings(smtp))
    for channel in Channel:  # fast retries in tests
        channels.configure(context, channel, {"retry_base_seconds": 0.05,
                                              "retry_max_seconds": 0.2, "max_attempts": 3,
                                              "timeout_seconds": 1.0})
    return context
