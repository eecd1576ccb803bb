"""RPC payloads of the plans service for plans themselves: creating, importing, changing,
amending, issuing, closing and listing them (the shared bases: `plans_common.py`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.contracts.inbound import Inbound
from services.contracts.plans_common import (
    Actor,
    ChannelName,
    Day,
    DocumentFormat,
    IdempotencyKey,
    PageRequest,
    PlanId,
    Reply,
    Request,
    TopicName,
)


class BasisModel(Inbound):
    symbol: str = Field(min_length=1, max_length=100, examples=["07/KH-BCĐ"])
    date: Day | None = Field(default=None, examples=["2021-02-22"])
    title: str = Field(min_length=1, max_length=1000, examples=[
        "Kế hoạch của Ban Chỉ đạo Phòng chống tội phạm, tệ nạn xã hội năm 2021"])
    parent_plan_id: str | None = Field(default=None, max_length=200,
                                       description="The parent plan, when it is in the system.")


class RecipientModel(Inbound):
    name: str = Field(min_length=1, max_length=300, examples=["UBND tỉnh"])
    purpose: str | None = Field(default=None, max_length=100, examples=["báo cáo"])
    unit_id: str | None = Field(default=None, max_length=100, examples=["gl-ubnd"])
    group_id: str | None = Field(default=None, max_length=100, examples=["local-press"])


class SignerModel(Inbound):
    name: str = Field(min_length=1, max_length=200, examples=["Lê Thị Thu Hương"])
    title: str = Field(min_length=1, max_length=200, examples=["PHÓ GIÁM ĐỐC"])
    capacity: str | None = Field(default=None, max_length=200, examples=["KT. GIÁM ĐỐC"])


class CreatePlanRequest(Request):
    number: str = Field(min_length=3, max_length=50, examples=["25/KH-STTTT"])
    issuer_unit_id: str = Field(min_length=1, max_length=100, examples=["gl-stttt"])
    title: str = Field(min_length=1, max_length=500, examples=[
        "Kế hoạch thông tin, tuyên truyền phòng, chống tội phạm, tệ nạn xã hội năm 2021"])
    year: int = Field(ge=2000, le=2100, examples=[2021])
    issued_on: date | None = Field(default=None, examples=["2021-02-25"],
                                   description="Plan date; a draft without one gets 1 January.")
    place: str | None = Field(default=None, max_length=100, examples=["Gia Lai"])
    topics: list[TopicName] = Field(default_factory=list, max_length=50,
                                    examples=[["drugs", "human_trafficking"]])
    channels: list[ChannelName] = Field(default_factory=list, max_length=20,
                                        examples=[["press", "loudspeaker"]])
    basis: list[BasisModel] = Field(default_factory=list, max_length=50)
    objectives: list[str] = Field(default_factory=list, max_length=50, examples=[[
        "Tuyên truyền, phổ biến kịp thời chủ trương, chính sách của Đảng, pháp luật của Nhà "
        "nước về phòng, chống tội phạm"]])
    target_areas: list[str] = Field(default_factory=list, max_length=50,
                                    examples=[["remote", "ethnic_minority", "border"]])
    audiences: list[str] = Field(default_factory=list, max_length=50,
                                 examples=[["youth", "unemployed"]])
    recipients: list[RecipientModel] = Field(default_factory=list, max_length=200)
    signer: SignerModel | None = None
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class PlanRef(Request):
    plan_id: str = PlanId


class PlanCommand(Request):
    plan_id: str = PlanId
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class CancelPlanRequest(PlanCommand):
    reason: str = Field(min_length=1, max_length=1000, examples=["Kế hoạch được thay thế"])


class PlanChanges(Inbound):
    """Core fields of a plan; only the fields given are changed."""

    number: str | None = Field(default=None, min_length=3, max_length=50)
    issuer_unit_id: str | None = Field(default=None, max_length=100)
    place: str | None = Field(default=None, max_length=100)
    issued_on: date | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500,
                              examples=["Kế hoạch thông tin, tuyên truyền (sửa đổi)"])
    year: int | None = Field(default=None, ge=2000, le=2100)
    basis: list[BasisModel] | None = None
    objectives: list[str] | None = None
    topics: list[TopicName] | None = None
    channels: list[ChannelName] | None = None
    target_areas: list[str] | None = None
    audiences: list[str] | None = None
    recipients: list[RecipientModel] | None = None
    signer: SignerModel | None = None


class UpdatePlanRequest(PlanCommand):
    """Free editing of a draft."""

    changes: PlanChanges


class AmendPlanRequest(PlanCommand):
    """A recorded amendment of an issued plan (bumps the revision)."""

    changes: PlanChanges
    reason: str = Field(min_length=1, max_length=1000,
                        examples=["Bổ sung chủ đề tội phạm công nghệ cao"])


class ListPlansRequest(PageRequest):
    year: int | None = Field(default=None, ge=2000, le=2100)
    status: Literal["draft", "issued", "closed", "cancelled"] | None = None
    issuer_unit_id: str | None = Field(default=None, max_length=100)


class ImportPlanRequest(Request):
    content: str = Field(min_length=1, max_length=10_000_000,
                         description="A plan file (docs/plan-import-format.md).")
    format: DocumentFormat = "yaml"
    issue: bool = Field(default=False, description="Issue the plan right after importing it.")
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class PlanSummary(Reply):
    id: str
    number: str
    issuer_unit_id: str
    title: str
    year: int
    status: str
    topics: list[str]
    revision: int = 0
    issued_on: date | None = None
    place: str | None = None


class AmendmentModel(Reply):
    revision: int
    reason: str
    author: str
    at: datetime
    changed_fields: list[str]


class PlanDetail(PlanSummary):
    basis: list[BasisModel] = Field(default_factory=list)
    objectives: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    target_areas: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    recipients: list[RecipientModel] = Field(default_factory=list)
    signer: SignerModel | None = None
    amendments: list[AmendmentModel] = Field(default_factory=list)
    task_count: int = 0


class ImportPlanResult(Reply):
    plan: PlanSummary
    tasks: int
    created: bool = Field(description="False when the same plan was imported before.")



class PlanSummaryPage(Reply):
    items: list[PlanSummary]
    next_cursor: str | None
