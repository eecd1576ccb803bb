"""Events published by the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from services.contracts.events import EventPayload, EventType, event


class _NotificationsEvent(EventPayload):
    source_service: ClassVar[str] = "notifications"


class _DeliveryEvent(_NotificationsEvent):
    subject_field: ClassVar[str | None] = "notice_id"

    notice_id: str
    delivery_id: str
    unit_id: str
    channel: str = Field(examples=["email", "sms", "zalo", "telegram", "webhook", "inbox"])
    language: str = Field(default="vi", examples=["vi", "jra", "bdq"])
    kind: str = Field(examples=["plan_issued", "task_assigned", "alert", "guidance"])
    plan_id: str | None = None
    task_id: str | None = None


@event(EventType.NOTIFICATION_SENT, "A notice was handed to a channel for one recipient unit.")
class NotificationSent(_DeliveryEvent):
    attempt: int = 1


@event(EventType.NOTIFICATION_DELIVERED,
       summary="A channel confirmed delivery of a notice to a recipient unit.")
class NotificationDelivered(_DeliveryEvent):
    delivered_at: datetime


@event(EventType.NOTIFICATION_FAILED, "A delivery ended without success (failed or expired).")
class NotificationFailed(_DeliveryEvent):
    status: str = Field(examples=["failed", "expired"])
    reason: str
    attempts: int


@event(EventType.NOTIFICATION_ACKNOWLEDGED, subject="notice_id",
       summary="A recipient unit acknowledged a notice (receipt recorded once).")
class NotificationAcknowledged(_NotificationsEvent):
    notice_id: str
    unit_id: str
    acknowledged_at: datetime
    via: str = Field(examples=["link", "api", "webhook"])
    late: bool = False
    plan_id: str | None = None
    task_id: str | None = None


@event(EventType.NOTIFICATION_ESCALATED, subject="notice_id",
       summary="An unacknowledged notice was escalated (reminder or upward).")
class NotificationEscalated(_NotificationsEvent):
    notice_id: str
    unit_id: str
    step: str = Field(examples=["reminder", "escalation"])
    escalated_to_unit_id: str | None = None
    plan_id: str | None = None
    task_id: str | None = None


class _TranslationEvent(_NotificationsEvent):
    subject_field: ClassVar[str | None] = "translation_id"

    translation_id: str
    notice_id: str


@event(EventType.TRANSLATION_REQUESTED,
       summary="A notice needs a human translation into a unit's language.")
class TranslationRequested(_TranslationEvent):
    language: str = Field(examples=["jra", "bdq"])


@event(EventType.TRANSLATION_APPROVED,
       summary="An officer approved a translation; that language can be sent.")
class TranslationApproved(_TranslationEvent):
    language: str
    approved_by: str
