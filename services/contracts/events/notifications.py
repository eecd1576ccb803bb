"""Events published by the notifications service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from services.contracts.events import EventPayload, EventType, register


class _NotificationsEvent(EventPayload):
    source_service: ClassVar[str] = "notifications"


class _DeliveryEvent(_NotificationsEvent):
    notice_id: str
    delivery_id: str
    unit_id: str
    channel: str = Field(examples=["email", "sms", "zalo", "telegram", "webhook", "inbox"])
    language: str = Field(default="vi", examples=["vi", "jra", "bdq"])
    kind: str = Field(examples=["plan_issued", "task_assigned", "alert", "guidance"])
    plan_id: str | None = None
    task_id: str | None = None

    def subject(self) -> str | None:
        return self.notice_id


@register
class NotificationSent(_DeliveryEvent):
    event_type: ClassVar[str] = EventType.NOTIFICATION_SENT
    summary: ClassVar[str] = "A notice was handed to a channel for one recipient unit."

    attempt: int = 1


@register
class NotificationDelivered(_DeliveryEvent):
    event_type: ClassVar[str] = EventType.NOTIFICATION_DELIVERED
    summary: ClassVar[str] = "A channel confirmed delivery of a notice to a recipient unit."

    delivered_at: datetime


@register
class NotificationFailed(_DeliveryEvent):
    event_type: ClassVar[str] = EventType.NOTIFICATION_FAILED
    summary: ClassVar[str] = "A delivery ended without success (failed or expired)."

    status: str = Field(examples=["failed", "expired"])
    reason: str
    attempts: int


@register
class NotificationAcknowledged(_NotificationsEvent):
    event_type: ClassVar[str] = EventType.NOTIFICATION_ACKNOWLEDGED
    summary: ClassVar[str] = "A recipient unit acknowledged a notice (receipt recorded once)."

    notice_id: str
    unit_id: str
    acknowledged_at: datetime
    via: str = Field(examples=["link", "api", "webhook"])
    late: bool = False
    plan_id: str | None = None
    task_id: str | None = None

    def subject(self) -> str | None:
        return self.notice_id


@register
class NotificationEscalated(_NotificationsEvent):
    event_type: ClassVar[str] = EventType.NOTIFICATION_ESCALATED
    summary: ClassVar[str] = "An unacknowledged notice was escalated (reminder or upward)."

    notice_id: str
    unit_id: str
    step: str = Field(examples=["reminder", "escalation"])
    escalated_to_unit_id: str | None = None
    plan_id: str | None = None
    task_id: str | None = None

    def subject(self) -> str | None:
        return self.notice_id


@register
class TranslationRequested(_NotificationsEvent):
    event_type: ClassVar[str] = EventType.TRANSLATION_REQUESTED
    summary: ClassVar[str] = "A notice needs a human translation into a unit's language."

    translation_id: str
    notice_id: str
    language: str = Field(examples=["jra", "bdq"])

    def subject(self) -> str | None:
        return self.translation_id


@register
class TranslationApproved(_NotificationsEvent):
    event_type: ClassVar[str] = EventType.TRANSLATION_APPROVED
    summary: ClassVar[str] = "An officer approved a translation; that language can be sent."

    translation_id: str
    notice_id: str
    language: str
    approved_by: str

    def subject(self) -> str | None:
        return self.translation_id
