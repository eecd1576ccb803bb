"""Events published by the monitoring service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.events import EventPayload, EventType, register


class _MonitoringEvent(EventPayload):
    source_service: ClassVar[str] = "monitoring"


class TopicMatch(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    topic: str = Field(examples=["drugs"])
    confidence: float = Field(ge=0, le=1)
    terms: list[str] = Field(default_factory=list, examples=[["ma túy", "heroin"]])


@register
class ItemClassified(_MonitoringEvent):
    event_type: ClassVar[str] = EventType.ITEM_CLASSIFIED
    summary: ClassVar[str] = "A fetched or pushed item was normalised, deduplicated and classified."

    item_id: str
    source_id: str | None = None
    outlet_unit_id: str | None = None
    url: str | None = None
    title: str
    published_at: datetime | None = None
    topics: list[TopicMatch] = Field(default_factory=list)
    place_ids: list[str] = Field(default_factory=list)
    harmful_score: float = Field(default=0.0, ge=0, le=1)
    duplicate_of: str | None = None
    content_hash: str

    def subject(self) -> str | None:
        return self.item_id


class Evidence(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    item_id: str
    url: str | None = None
    title: str
    excerpt: str = ""
    content_hash: str


@register
class AlertRaised(_MonitoringEvent):
    event_type: ClassVar[str] = EventType.ALERT_RAISED
    summary: ClassVar[str] = "Harmful content, a spike or an unhealthy source needs an officer."

    alert_id: str
    kind: str = Field(examples=["rule", "spike", "source_health"])
    severity: str = Field(examples=["normal", "high", "critical"])
    title: str
    rule_id: str | None = None
    topic: str | None = None
    place_ids: list[str] = Field(default_factory=list)
    harmful_score: float | None = Field(default=None, ge=0, le=1)
    reasons: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)

    def subject(self) -> str | None:
        return self.alert_id


@register
class CoverageMatched(_MonitoringEvent):
    event_type: ClassVar[str] = EventType.COVERAGE_MATCHED
    summary: ClassVar[str] = ("An item by an assigned outlet matched a topic of its task: "
                              "evidence toward the task's KPI.")

    item_id: str
    task_id: str
    plan_id: str
    outlet_unit_id: str
    topic: str
    url: str | None = None
    title: str
    published_at: datetime | None = None
    content_hash: str

    def subject(self) -> str | None:
        return self.item_id
