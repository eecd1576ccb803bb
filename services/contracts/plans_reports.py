"""RPC payloads of the plans service for progress reports: submitting, reviewing, listing,
and the report as answered (corrections: `plans_changes.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from services.contracts.inbound import Inbound
from services.contracts.plans_common import (
    Actor,
    ChannelName,
    IdempotencyKey,
    MetricName,
    PageRequest,
    PlanId,
    Reply,
    Request,
    TaskId,
    TopicName,
    UnitId,
)


class ReportCountModel(Inbound):
    channel: ChannelName
    metric: MetricName
    count: int = Field(examples=[5], description="Must not be negative.")
    topic: TopicName | None = None


class EvidenceLinkModel(Inbound):
    url: str = Field(min_length=1, max_length=2000,
                     examples=["https://baogialai.example.org/bai-viet/phong-chong-ma-tuy"])
    kind: Literal["article", "broadcast", "post", "photo", "video", "document",
                  "other"] = "other"


class AttachmentModel(Inbound):
    name: str = Field(min_length=1, max_length=300, examples=["bao-cao-quy-1.pdf"])
    size: int = Field(examples=[20480])
    mime: str = Field(min_length=1, max_length=100, examples=["application/pdf"])
    sha256: str = Field(min_length=64, max_length=64)


class NewReportRequest(Request):
    """What a new report says, with the same limits whether it is submitted or a correction
    (`plans_changes.CorrectReportRequest`): a correction may say whatever a report may."""

    counts: list[ReportCountModel] = Field(default_factory=list, max_length=100)
    narrative: str = Field(default="", max_length=20_000, examples=[
        "Trong quý I, Báo Gia Lai đăng 14 tin, bài về phòng, chống ma túy."])
    links: list[EvidenceLinkModel] = Field(default_factory=list, max_length=200)
    attachments: list[AttachmentModel] = Field(default_factory=list, max_length=50)
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class SubmitReportRequest(NewReportRequest):
    plan_id: str = PlanId
    task_id: str = TaskId
    unit_id: str = UnitId
    period_key: str = Field(min_length=1, max_length=20, examples=["2021-Q1", "ONCE", "PLAN"])


class ReportRef(Request):
    """One progress report: what every request about a report names first."""

    report_id: str = Field(min_length=1, max_length=100)


class ReviewReportRequest(ReportRef):
    decision: Literal["accepted", "returned"]
    reason: str | None = Field(default=None, max_length=2000,
                               examples=["Thiếu đường dẫn minh chứng"])
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class ListReportsRequest(PageRequest):
    plan_id: str = PlanId
    task_id: str | None = Field(default=None, max_length=200)
    unit_id: str | None = Field(default=None, max_length=100)
    status: Literal["submitted", "accepted", "returned"] | None = None


class ReportDetail(Reply):
    id: str
    plan_id: str
    task_id: str
    unit_id: str
    period_key: str
    version: int
    counts: list[ReportCountModel]
    narrative: str
    links: list[EvidenceLinkModel]
    attachments: list[AttachmentModel]
    submitted_by: str
    submitted_at: datetime
    status: str
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None
    corrects_report_id: str | None = Field(
        default=None, description="The accepted report this one corrects.")
    correction_reason: str | None = None
    superseded_by: str | None = Field(
        default=None, description="The accepted correction that replaced this report: progress "
                                  "counts that one.")



class ReportPage(Reply):
    items: list[ReportDetail]
    next_cursor: str | None
