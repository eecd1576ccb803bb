"""Events published by the plans service."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.events import EventPayload, EventType, register


class _PlansEvent(EventPayload):
    source_service: ClassVar[str] = "plans"


@register
class PlanCreated(_PlansEvent):
    event_type: ClassVar[str] = EventType.PLAN_CREATED
    summary: ClassVar[str] = "A plan was created (as a draft or by import)."

    plan_id: str
    number: str = Field(examples=["25/KH-STTTT"])
    issuer_unit_id: str
    title: str = Field(examples=["Kế hoạch thông tin, tuyên truyền phòng, chống tội phạm năm 2021"])
    year: int
    status: str = Field(examples=["draft"])
    topics: list[str] = Field(default_factory=list, examples=[["drugs", "human_trafficking"]])

    def subject(self) -> str | None:
        return self.plan_id


@register
class PlanIssued(_PlansEvent):
    event_type: ClassVar[str] = EventType.PLAN_ISSUED
    summary: ClassVar[str] = "A plan was issued: its tasks are now assigned to units."

    plan_id: str
    number: str
    issuer_unit_id: str
    title: str
    year: int
    issued_on: date | None = None
    topics: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list, description="Forms of propaganda.")
    target_area_codes: list[str] = Field(default_factory=list)
    recipient_unit_ids: list[str] = Field(default_factory=list)
    task_ids: list[str] = Field(default_factory=list)
    revision: int = 0

    def subject(self) -> str | None:
        return self.plan_id


@register
class PlanAmended(_PlansEvent):
    event_type: ClassVar[str] = EventType.PLAN_AMENDED
    summary: ClassVar[str] = "An issued plan was changed through a recorded amendment."

    plan_id: str
    number: str
    revision: int
    reason: str
    changed_fields: list[str]
    amended_by: str
    topics: list[str] = Field(default_factory=list)

    def subject(self) -> str | None:
        return self.plan_id


@register
class PlanClosed(_PlansEvent):
    event_type: ClassVar[str] = EventType.PLAN_CLOSED
    summary: ClassVar[str] = "A plan was closed or cancelled."

    plan_id: str
    number: str
    status: str = Field(examples=["closed", "cancelled"])
    reason: str | None = None

    def subject(self) -> str | None:
        return self.plan_id


class KpiTarget(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    metric: str = Field(examples=["articles"])
    target: int = Field(ge=0)
    period: str = Field(examples=["quarterly"])
    topic: str | None = Field(default=None, examples=["drugs"])
    unit_id: str | None = None


@register
class TaskAssigned(_PlansEvent):
    event_type: ClassVar[str] = EventType.TASK_ASSIGNED
    summary: ClassVar[str] = "A task of an issued plan was assigned to its lead and coordinators."

    task_id: str
    plan_id: str
    plan_number: str
    title: str
    lead_unit_id: str
    coordinating_unit_ids: list[str] = Field(default_factory=list)
    parent_task_id: str | None = None
    topics: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    due_date: date | None = None
    recurrence: str | None = Field(default=None, examples=["monthly", "quarterly"])
    responsible_person: str | None = None
    expected_result: str | None = None
    kpis: list[KpiTarget] = Field(default_factory=list)
    active_from: date | None = None
    active_until: date | None = None

    def subject(self) -> str | None:
        return self.task_id


@register
class TaskStatusChanged(_PlansEvent):
    event_type: ClassVar[str] = EventType.TASK_STATUS_CHANGED
    summary: ClassVar[str] = "A task's status changed."

    task_id: str
    plan_id: str
    from_status: str
    to_status: str
    bucket: str | None = Field(default=None, examples=["completed_on_time"])

    def subject(self) -> str | None:
        return self.task_id


class _TaskDeadlineEvent(_PlansEvent):
    task_id: str
    plan_id: str
    plan_number: str
    title: str
    lead_unit_id: str
    coordinating_unit_ids: list[str] = Field(default_factory=list)
    period_key: str = Field(examples=["2021-Q1", "2021-M03", "once"])
    deadline: date

    def subject(self) -> str | None:
        return self.task_id


@register
class TaskDueSoon(_TaskDeadlineEvent):
    event_type: ClassVar[str] = EventType.TASK_DUE_SOON
    summary: ClassVar[str] = "A task's deadline (for a period) is near; emitted once per period."

    days_left: int = Field(ge=0)


@register
class TaskOverdue(_TaskDeadlineEvent):
    event_type: ClassVar[str] = EventType.TASK_OVERDUE
    summary: ClassVar[str] = "A task's deadline (for a period) passed; emitted once per period."

    days_overdue: int = Field(ge=0)


@register
class ReportSubmitted(_PlansEvent):
    event_type: ClassVar[str] = EventType.REPORT_SUBMITTED
    summary: ClassVar[str] = "A unit submitted a progress report for a task and period."

    report_id: str
    task_id: str
    plan_id: str
    unit_id: str
    period_key: str
    report_version: int = 1
    counts: dict[str, int] = Field(default_factory=dict)
    corrects_report_id: str | None = Field(
        default=None, description="Set on a correction: the accepted report it would replace.")

    def subject(self) -> str | None:
        return self.report_id


@register
class ReportReviewed(_PlansEvent):
    event_type: ClassVar[str] = EventType.REPORT_REVIEWED
    summary: ClassVar[str] = "The Department accepted or returned a progress report."

    report_id: str
    task_id: str
    plan_id: str
    unit_id: str
    decision: str = Field(examples=["accepted", "returned"])
    reason: str | None = None

    def subject(self) -> str | None:
        return self.report_id


@register
class KpiProgressed(_PlansEvent):
    event_type: ClassVar[str] = EventType.KPI_PROGRESSED
    summary: ClassVar[str] = "A KPI count moved (from a report or monitored coverage)."

    task_id: str
    plan_id: str
    unit_id: str
    metric: str
    topic: str | None = None
    period_key: str
    achieved: int
    target: int
    source: str = Field(examples=["report", "coverage"])
    item_id: str | None = None
    occurred_at: datetime | None = None

    def subject(self) -> str | None:
        return self.task_id
