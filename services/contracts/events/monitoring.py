"""Events published by the monitoring service."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.events import EventPayload, EventType, event


class _MonitoringEvent(EventPayload):
    source_service: ClassVar[str] = "monitoring"


class TopicMatch(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    topic: str = Field(examples=["drugs"])
    confidence: float = Field(ge=0, le=1)
    terms: list[str] = Field(default_factory=list, examples=[["ma túy", "heroin"]])


@event(EventType.ITEM_CLASSIFIED, subject="item_id",
       summary="A fetched or pushed item was normalised, deduplicated and classified.")
class ItemClassified(_MonitoringEvent):
    item_id: str
    source_id: str | None = None
    outlet_unit_id: str | None = None
    url: str | None = None
    title: str
    published_at: datetime | None = None
    topics: list[TopicMatch] = Field(default_factory=list)
    place_ids: list[str] = Field(default_factory=list)
    harmful_score: float = Field(default=0.0, ge=0, le=1)
    # The verdict as the API states it (score against the threshold in force when classified),
    # so a subscriber need not know the threshold.
    harmful: bool = False
    harmful_threshold: float | None = Field(default=None, ge=0, le=1)
    channel: str | None = Field(default=None, examples=["press", "portal", "social"])
    duplicate_of: str | None = None
    # The story the item belongs to: the id of its first item (itself when it starts one).
    cluster_id: str | None = None
    content_hash: str


class Evidence(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    item_id: str
    url: str | None = None
    title: str
    excerpt: str = ""
    content_hash: str


@event(EventType.ALERT_RAISED, subject="alert_id",
       summary="Harmful content, a spike or an unhealthy source needs an officer.")
class AlertRaised(_MonitoringEvent):
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


@event(EventType.COVERAGE_MATCHED, subject="item_id",
       summary=("An item by an assigned outlet matched a topic of its task: evidence toward the "
                "task's KPI."))
class CoverageMatched(_MonitoringEvent):
    item_id: str
    task_id: str
    plan_id: str
    outlet_unit_id: str
    topic: str
    url: str | None = None
    title: str
    published_at: datetime | None = None
    content_hash: str


@event(EventType.ITEM_LABELLED, subject="item_id",
       summary=("An officer confirmed or corrected an item's topics, places, harmful flag or "
                "duplicate link (the latest label wins; a field not judged is null)."))
class ItemLabelled(_MonitoringEvent):
    item_id: str
    outlet_unit_id: str | None = None
    judged: list[str] = Field(examples=[["topics", "harmful"]])
    topics: list[str] | None = None
    places: list[str] | None = None
    harmful: bool | None = None
    duplicate_of: str | None = None
    machine_topics: list[str] = Field(default_factory=list)
    confirmed_topics: list[str] = Field(default_factory=list)
    rejected_topics: list[str] = Field(default_factory=list)
    added_topics: list[str] = Field(default_factory=list)
    labelled_by: str
    labelled_at: datetime
