"""Events published by the plans service."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.events import EventPayload, EventType, event


class _PlansEvent(EventPayload):
    source_service: ClassVar[str] = "plans"


class _PlanEvent(_PlansEvent):
    subject_field: ClassVar[str | None] = "plan_id"

    plan_id: str
    number: str = Field(examples=["25/KH-STTTT"])


# What a plan's creation and its issue say of the plan itself.
class _PlanHeadEvent(_PlanEvent):
    issuer_unit_id: str
    title: str = Field(examples=["Kế hoạch thông tin, tuyên truyền phòng, chống tội phạm năm 2021"])
    year: int


@event(EventType.PLAN_CREATED, "A plan was created (as a draft or by import).")
class PlanCreated(_PlanHeadEvent):
    status: str = Field(examples=["draft"])
    topics: list[str] = Field(default_factory=list, examples=[["drugs", "human_trafficking"]])


@event(EventType.PLAN_ISSUED, "A plan was issued: its tasks are now assigned to units.")
class PlanIssued(_PlanHeadEvent):
    issued_on: date | None = None
    topics: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list, description="Forms of propaganda.")
    target_area_codes: list[str] = Field(default_factory=list)
    recipient_unit_ids: list[str] = Field(default_factory=list)
    task_ids: list[str] = Field(default_factory=list)
    revision: int = 0


@event(EventType.PLAN_AMENDED, "An issued plan was changed through a recorded amendment.")
class PlanAmended(_PlanEvent):
    revision: int
    reason: str
    changed_fields: list[str]
    amended_by: str
    topics: list[str] = Field(default_factory=list)


@event(EventType.PLAN_CLOSED, "A plan was closed or cancelled.")
class PlanClosed(_PlanEvent):
    status: str = Field(examples=["closed", "cancelled"])
    reason: str | None = None


class KpiTarget(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    metric: str = Field(examples=["articles"])
    target: int = Field(ge=0)
    period: str = Field(examples=["quarterly"])
    topic: str | None = Field(default=None, examples=["drugs"])
    unit_id: str | None = None


class _TaskEvent(_PlansEvent):
    subject_field: ClassVar[str | None] = "task_id"

    task_id: str
    plan_id: str


# What an event about a task's assignment or its deadlines says of the task.
class _AssignedTaskEvent(_TaskEvent):
    plan_number: str
    title: str
    lead_unit_id: str
    coordinating_unit_ids: list[str] = Field(default_factory=list)


@event(EventType.TASK_ASSIGNED,
       summary="A task of an issued plan was assigned to its lead and coordinators.")
class TaskAssigned(_AssignedTaskEvent):
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


@event(EventType.TASK_STATUS_CHANGED, "A task's status changed.")
class TaskStatusChanged(_TaskEvent):
    from_status: str
    to_status: str
    bucket: str | None = Field(default=None, examples=["completed_on_time"])


class _TaskDeadlineEvent(_AssignedTaskEvent):
    period_key: str = Field(examples=["2021-Q1", "2021-M03", "once"])
    deadline: date


@event(EventType.TASK_DUE_SOON,
       summary="A task's deadline (for a period) is near; emitted once per period.")
class TaskDueSoon(_TaskDeadlineEvent):
    days_left: int = Field(ge=0)


@event(EventType.TASK_OVERDUE, "A task's deadline (for a period) passed; emitted once per period.")
class TaskOverdue(_TaskDeadlineEvent):
    days_overdue: int = Field(ge=0)


class _ReportEvent(_PlansEvent):
    subject_field: ClassVar[str | None] = "report_id"

    report_id: str
    task_id: str
    plan_id: str
    unit_id: str


@event(EventType.REPORT_SUBMITTED, "A unit submitted a progress report for a task and period.")
class ReportSubmitted(_ReportEvent):
    period_key: str
    report_version: int = 1
    counts: dict[str, int] = Field(default_factory=dict)
    corrects_report_id: str | None = Field(
        default=None, description="Set on a correction: the accepted report it would replace.")


@event(EventType.REPORT_REVIEWED, "The Department accepted or returned a progress report.")
class ReportReviewed(_ReportEvent):
    decision: str = Field(examples=["accepted", "returned"])
    reason: str | None = None


@event(EventType.KPI_PROGRESSED, "A KPI count moved (from a report or monitored coverage).")
class KpiProgressed(_TaskEvent):
    unit_id: str
    metric: str
    topic: str | None = None
    period_key: str
    achieved: int
    target: int
    source: str = Field(examples=["report", "coverage"])
    item_id: str | None = None
    occurred_at: datetime | None = None
