"""What becomes of a delivery after its send, on the in-memory unit of work: a provider's
report, an expiry, a send a dead worker interrupted, an officer's resend. Each change is one
guarded write carrying its events; a writer that got there first wins and nothing is lost or
sent twice. The same use cases run on the real database in tests/integration/sending."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from notifications_fakes import FakeDeliveries, FakeNotificationsUnitOfWork
from notifications_fixtures import T0

from services.notifications.context import Context
from services.notifications.domain.delivery import Attempt, new_delivery
from services.notifications.domain.errors import InvalidTransitionError
from services.notifications.domain.vocabulary import AttemptOutcome, Channel, DeliveryStatus
from services.notifications.repositories import DELIVERIES, RECIPIENTS
from services.notifications.repositories.deliveries import DeliveryRecord
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases.deliveries import resend_delivery
from services.notifications.use_cases.delivery_outcomes import (
    delivery_report,
    expire_waiting,
    reconcile_interrupted,
)

pytestmark = pytest.mark.unit

NOW = T0 + timedelta(hours=1)
UNIT = "unit-chupah"


def context(uow: FakeNotificationsUnitOfWork | None = None) -> Context:
    return Context(uow or FakeNotificationsUnitOfWork(), NotificationsSettings(),
                   clock=lambda: NOW)


def documents(ctx: Context) -> dict[str, dict[str, Any]]:
    return ctx.uow.documents[DELIVERIES]  # type: ignore[attr-defined, no-any-return]


def outbox(ctx: Context) -> list[str]:
    return [event.type for event in ctx.uow.documents.outbox]  # type: ignore[attr-defined]


def stored_delivery(ctx: Context, channel: Channel = Channel.SMS, *,
                    status: DeliveryStatus = DeliveryStatus.SENT,
                    fallbacks: tuple[Channel, ...] = (), **fields: Any) -> str:
    """A delivery as the dispatcher leaves it after one successful send."""
    delivery = new_delivery("ntc-1", UNIT, channel, "vi", "+84905000111", now=T0,
                            plan_channels=[channel, *fallbacks],
                            expires_at=T0 + timedelta(minutes=30))
    delivery = replace(delivery, status=status, provider_message_id="pm-1",
                       attempts=(Attempt(1, T0, AttemptOutcome.OK, None, "pm-1"),),
                       awaits_report=True, updated_at=T0)
    record = DeliveryRecord.new(delivery, subject="Giao nhiệm vụ", text="Nội dung",
                                kind="task_assigned", plan_id="plan-25", task_id="task-3")
    record.stored.update(fields)
    documents(ctx)[record.key] = record.stored
    return record.key


def test_a_delivered_report_settles_the_delivery_with_its_event_once() -> None:
    ctx = context()
    key = stored_delivery(ctx)
    answer = delivery_report(ctx, "sms", "pm-1", "delivered", None)
    assert answer == {"delivery_id": key, "status": "delivered", "changed": True}
    assert documents(ctx)[key]["status"] == "delivered"
    assert outbox(ctx) == ["notification.delivered"]
    again = delivery_report(ctx, "sms", "pm-1", "delivered", None)
    assert again["changed"] is False and outbox(ctx) == ["notification.delivered"]


def test_a_failed_report_opens_the_fallback_channel_with_the_same_message() -> None:
    ctx = context()
    ctx.uow.documents[RECIPIENTS][UNIT] = {  # type: ignore[attr-defined]
        "_id": UNIT, "contacts": [{"channel": "email", "address": "vhtt@chupah.gov.vn"}]}
    key = stored_delivery(ctx, fallbacks=(Channel.EMAIL,))
    delivery_report(ctx, "sms", "pm-1", "failed", "unreachable handset")
    assert documents(ctx)[key]["status"] == "failed"
    (fallback,) = [d for d in documents(ctx).values() if d.get("fallback_of") == key]
    assert (fallback["channel"], fallback["address"]) == ("email", "vhtt@chupah.gov.vn")
    assert (fallback["subject"], fallback["text"]) == ("Giao nhiệm vụ", "Nội dung")
    assert fallback["status"] == "pending"
    assert outbox(ctx) == ["notification.failed"]


def test_a_sent_delivery_past_its_deadline_expires_with_its_failure_event() -> None:
    ctx = context()
    key = stored_delivery(ctx)
    assert expire_waiting(ctx) == 1
    assert documents(ctx)[key]["status"] == "expired"
    assert outbox(ctx) == ["notification.failed"]


class ReportLandsMeanwhile(FakeDeliveries):
    """A provider's report settles the delivery between the expiry's read and its write."""

    def sent_until(self, now: Any, limit: int = 500) -> list[DeliveryRecord]:
        found = super().sent_until(now, limit)
        for record in found:
            self.documents[DELIVERIES][record.key]["status"] = "delivered"
        return found


def test_an_expiry_never_overwrites_a_report_that_landed_after_its_read() -> None:
    uow = FakeNotificationsUnitOfWork()
    uow.deliveries = ReportLandsMeanwhile(uow.documents)
    ctx = context(uow)
    key = stored_delivery(ctx)
    assert expire_waiting(ctx) == 0
    assert documents(ctx)[key]["status"] == "delivered"
    assert outbox(ctx) == []


def claimed(ctx: Context, channel: Channel) -> str:
    """A delivery a dead dispatcher claimed and may have sent (its lease ran out)."""
    key = stored_delivery(ctx, channel, status=DeliveryStatus.RETRYING, attempts=[],
                          lease_until=NOW - timedelta(minutes=1), lease_owner="dead",
                          claim="c-1", expires_at=NOW + timedelta(days=1))
    documents(ctx)[key]["status"] = "sending"
    return key


def test_an_interrupted_email_fails_and_is_never_resent_at_most_once() -> None:
    ctx = context()
    key = claimed(ctx, Channel.EMAIL)
    assert reconcile_interrupted(ctx) == 1
    doc = documents(ctx)[key]
    assert doc["status"] == "failed" and doc["fallback_channel"] is None
    assert "at most once" in doc["failure_reason"]
    assert not {"lease_until", "lease_owner", "claim"} & set(doc)
    assert outbox(ctx) == ["notification.failed"]


def test_an_interrupted_webhook_is_sent_again_at_least_once() -> None:
    ctx = context()
    key = claimed(ctx, Channel.WEBHOOK)
    assert reconcile_interrupted(ctx) == 1
    doc = documents(ctx)[key]
    assert (doc["status"], doc["next_attempt_at"], doc["interrupted"]) == ("pending", NOW, True)
    assert "claim" not in doc and outbox(ctx) == []


def test_a_resend_sends_once_more_under_a_new_message_key() -> None:
    ctx = context()
    key = stored_delivery(ctx, status=DeliveryStatus.FAILED)
    row = resend_delivery(ctx, "ntc-1", key, "officer-1")
    assert (row["status"], row["resends"], row["resent_by"]) == ("pending", 1, "officer-1")
    assert "provider_message_id" not in documents(ctx)[key]


class ResentMeanwhile(FakeDeliveries):
    """Another officer's resend is written between this one's read and its write."""

    def get(self, delivery_id: str) -> DeliveryRecord | None:
        found = super().get(delivery_id)
        self.documents[DELIVERIES][delivery_id]["resends"] = 1
        return found


def test_two_resends_at_once_send_once_and_the_second_is_told_to_reload() -> None:
    uow = FakeNotificationsUnitOfWork()
    uow.deliveries = ResentMeanwhile(uow.documents)
    ctx = context(uow)
    key = stored_delivery(ctx, status=DeliveryStatus.FAILED)
    with pytest.raises(InvalidTransitionError):
        resend_delivery(ctx, "ntc-1", key, "officer-2")
    assert documents(ctx)[key]["status"] == "failed"
