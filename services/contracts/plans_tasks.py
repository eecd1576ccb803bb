"""RPC payloads of the plans service for tasks: adding, changing, assigning, status
commands, listing, and the task as answered (with its KPIs, recurrence and evidence)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from services.contracts.inbound import Inbound
from services.contracts.plans_common import (
    Actor,
    ChannelName,
    IdempotencyKey,
    MetricName,
    PageRequest,
    PeriodName,
    PlanId,
    Reply,
    Request,
    TaskId,
    TopicName,
    UnitId,
)


class KpiTargetModel(Inbound):
    id: str = Field(min_length=1, max_length=100, examples=["drugs-articles"])
    metric: MetricName
    target: int = Field(ge=0, examples=[12])
    period: PeriodName
    topic: TopicName | None = None
    unit_id: str | None = Field(default=None, max_length=100)
    per_unit: bool = False


class RecurrenceModel(Inbound):
    kind: Literal["monthly", "quarterly", "regular"]
    starts_on: date
    ends_on: date
    report_every: Literal["monthly", "quarterly", "yearly"] | None = None
    deadline_offset_days: int = Field(default=0, ge=0, le=27)


class TaskFields(Inbound):
    title: str = Field(min_length=1, max_length=500, examples=[
        "Chuyên trang, chuyên mục phòng, chống tội phạm trên Báo Gia Lai"])
    description: str = Field(default="", max_length=5000)
    lead_unit_id: str = UnitId
    coordinating_unit_ids: list[str] = Field(default_factory=list, max_length=200,
                                             examples=[["dai-ptth-gia-lai"]])
    parent_task_id: str | None = Field(default=None, max_length=200)
    responsible_person: str | None = Field(default=None, max_length=200,
                                           examples=["Tổng Biên tập Báo Gia Lai"])
    expected_result: str | None = Field(default=None, max_length=1000,
                                        examples=["Chuyên mục định kỳ mỗi quý"])
    due_date: date | None = Field(default=None, examples=["2021-12-15"])
    recurrence: RecurrenceModel | None = None
    topics: list[TopicName] = Field(default_factory=list)
    channels: list[ChannelName] = Field(default_factory=list)
    kpis: list[KpiTargetModel] = Field(default_factory=list, max_length=50)


class TaskRef(Request):
    """One task of a plan: what every request about a task names first."""

    plan_id: str = PlanId
    task_id: str = TaskId


class AddTaskRequest(TaskRef):
    task: TaskFields
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class TaskChanges(Inbound):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=5000)
    responsible_person: str | None = Field(default=None, max_length=200)
    expected_result: str | None = Field(default=None, max_length=1000)
    due_date: date | None = None
    recurrence: RecurrenceModel | None = None
    topics: list[TopicName] | None = None
    channels: list[ChannelName] | None = None
    kpis: list[KpiTargetModel] | None = None


class UpdateTaskRequest(TaskRef):
    changes: TaskChanges
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class AssignTaskRequest(TaskRef):
    lead_unit_id: str = UnitId
    coordinating_unit_ids: list[str] = Field(default_factory=list, max_length=200)
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class TaskCommand(TaskRef):
    """start_task, complete_task: a status change."""

    actor: str = Actor
    at: datetime | None = Field(default=None, description="When it happened (default: now).")
    idempotency_key: str | None = IdempotencyKey


class TaskReasonCommand(TaskCommand):
    """cancel_task, reopen_task: a status change that needs a reason."""

    reason: str = Field(min_length=1, max_length=1000, examples=["Nhiệm vụ không còn phù hợp"])


class ListTasksRequest(PageRequest):
    plan_id: str = PlanId
    unit_id: str | None = Field(default=None, max_length=100,
                                description="Lead or coordinating unit.")
    status: Literal["open", "in_progress", "completed", "cancelled"] | None = None
    parent_task_id: str | None = Field(default=None, max_length=200)


class EvidenceModel(Reply):
    item_id: str
    url: str
    outlet_unit_id: str
    topic: str | None = None
    published_at: datetime
    target_ids: list[str]


class TaskDetail(Reply):
    plan_id: str
    task_id: str
    title: str
    description: str = ""
    lead_unit_id: str
    coordinating_unit_ids: list[str] = Field(default_factory=list)
    parent_task_id: str | None = None
    responsible_person: str | None = None
    expected_result: str | None = None
    due_date: date | None = None
    recurrence: RecurrenceModel | None = None
    topics: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    kpis: list[KpiTargetModel] = Field(default_factory=list)
    status: str
    bucket: str | None = None
    completed_at: datetime | None = None
    period_completions: dict[str, datetime] = Field(default_factory=dict)
    evidence: list[EvidenceModel] = Field(default_factory=list)
    receipts: list[dict[str, Any]] = Field(default_factory=list)



class TaskPage(Reply):
    items: list[TaskDetail]
    next_cursor: str | None
