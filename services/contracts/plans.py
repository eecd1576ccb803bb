"""RPC payloads of the plans service.

Every request model forbids unknown fields. `actor` is the authenticated user id the gateway
passes (stored in the audit journal); `idempotency_key` makes a retried command return the
first result instead of doing the work twice. Dates are ISO (`2021-02-25`), instants are
ISO 8601 with an offset. Errors: `not_found` (404), `conflict` (409), `invalid_transition`
(409), `validation_failed` (422, `details.errors` with `line`/`field` for import files).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from services.contracts.inbound import Inbound

Day = date  # a field below is named `date`


class Request(Inbound):
    """Base of RPC requests: unknown fields are an error, not silently dropped."""


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


Actor = Field(default="system", min_length=1, max_length=100, examples=["can-bo-ttbcxb-01"],
              description="Authenticated user id (audit journal).")
IdempotencyKey = Field(
    default=None, max_length=100, examples=["8f3c2a1e-import-25-kh"],
    description="Retrying with the same key returns the first result instead of a duplicate.")
PlanId = Field(min_length=1, max_length=200, examples=["plan-25-kh-stttt-2021"])
TaskId = Field(min_length=1, max_length=200, examples=["press-bgl-coverage"])
UnitId = Field(min_length=1, max_length=100, examples=["bao-gia-lai"])
Limit = Field(default=50, ge=1, le=200)
Cursor = Field(default=None, max_length=200, description="next_cursor of the previous page.")

UnitType = Literal["department", "press_outlet", "district_culture_office", "culture_centre",
                   "commune", "party_or_state_body"]
PressSubtype = Literal["local", "central", "sectoral", "other_province_office"]
ContactKind = Literal["email", "sms", "zalo", "telegram", "webhook"]
TopicName = Literal["drugs", "human_trafficking", "loan_sharking", "high_tech_crime",
                    "child_abuse", "weapons_gangs", "murder", "robbery", "resisting_officers",
                    "youth_crime", "cross_border_crime", "gambling"]
ChannelName = Literal["press", "radio", "television", "e_newspaper", "portal", "bulletin",
                      "propaganda_document", "loudspeaker", "mobile_van", "social_media",
                      "meeting", "other"]
MetricName = Literal["articles", "broadcasts", "mobile_van_sessions", "loudspeaker_broadcasts",
                     "documents", "meetings", "inspections"]
PeriodName = Literal["monthly", "quarterly", "yearly", "whole_plan"]
DocumentFormat = Literal["yaml", "json"]


class Page(Reply):
    items: list[Any]
    next_cursor: str | None = None


# -- organisation units -------------------------------------------------------------------


class Area(Inbound):
    province: str | None = Field(default=None, max_length=20, examples=["64"])
    district: str | None = Field(default=None, max_length=20, examples=["622"])
    commune: str | None = Field(default=None, max_length=40)


class ContactModel(Inbound):
    kind: ContactKind
    address: str = Field(min_length=1, max_length=300, examples=["toasoan@baogialai.example.org"])
    label: str | None = Field(default=None, max_length=100, examples=["Tòa soạn"])


class FormerNameModel(Inbound):
    name: str = Field(min_length=1, max_length=300,
                      examples=["Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"])
    short_name: str = Field(min_length=1, max_length=100, examples=["SVHTTDL"])
    until: date = Field(examples=["2025-02-28"], description="Last day of this name.")


class UnitModel(Inbound):
    id: str = UnitId
    type: UnitType
    subtype: PressSubtype | None = None
    name: str = Field(min_length=1, max_length=300, examples=["Báo Gia Lai"])
    short_name: str = Field(min_length=1, max_length=100, examples=["Báo Gia Lai"])
    parent_id: str | None = Field(default=None, max_length=100, examples=["gl-ubnd"])
    area: Area = Field(default_factory=Area)
    languages: list[str] = Field(default_factory=lambda: ["vi"], min_length=1, max_length=10,
                                 examples=[["vi", "jra", "bdq"]])
    contacts: list[ContactModel] = Field(default_factory=list, max_length=20)
    valid_from: date = Field(examples=["2021-01-01"])
    valid_to: date | None = Field(default=None, examples=["2025-06-30"],
                                  description="Inclusive; null while the unit exists.")
    successor_ids: list[str] = Field(
        default_factory=list, max_length=100, examples=[["gl2-bao-ptth"]],
        description="Units that took over its work when it ended (plan roll-overs follow them).")
    former_names: list[FormerNameModel] = Field(
        default_factory=list, max_length=20,
        description="Names it bore before a renaming, oldest first.")


class UpsertUnitRequest(Request):
    unit: UnitModel
    actor: str = Actor


AsOf = Field(default=None, examples=["2021-02-25"],
             description="The organisation on this date: units valid then, named as then.")


class GetUnitRequest(Request):
    unit_id: str = UnitId
    as_of: date | None = AsOf


class RetireUnitRequest(Request):
    unit_id: str = UnitId
    valid_to: date = Field(examples=["2025-06-30"], description="Last day the unit exists.")
    actor: str = Actor


class ListUnitsRequest(Request):
    type: UnitType | None = None
    active_on: date | None = Field(default=None, examples=["2021-02-25"],
                                   description="Units valid on this date (see `as_of`).")
    as_of: date | None = AsOf
    parent_id: str | None = Field(default=None, max_length=100)
    after: str | None = Cursor
    limit: int = Limit


class GroupModel(Inbound):
    id: str = Field(min_length=1, max_length=100, examples=["local-press"])
    name: str = Field(min_length=1, max_length=300, examples=["Cơ quan báo chí địa phương"])
    types: list[UnitType] = Field(default_factory=list)
    subtypes: list[PressSubtype] = Field(default_factory=list)
    area: Area | None = None
    parent_id: str | None = None
    unit_ids: list[str] = Field(default_factory=list, max_length=1000)


class UpsertGroupRequest(Request):
    group: GroupModel
    actor: str = Actor


class ListGroupsRequest(Request):
    pass


class ResolveGroupRequest(Request):
    group_id: str = Field(min_length=1, max_length=100, examples=["district-culture-offices"],
                          validation_alias=AliasChoices("group_id", "group"))
    on: date | None = Field(default=None, examples=["2021-02-25"],
                            description="Units active on this date (default: today).")
    as_of: date | None = Field(default=None, examples=["2021-02-25"],
                               description="Same as `on`, which it takes precedence over.")


class ResolvedGroup(Reply):
    group_id: str
    on: date
    unit_ids: list[str]
    items: list[UnitModel] = Field(default_factory=list, description="The units themselves.")


class ImportUnitsRequest(Request):
    content: str = Field(min_length=1, max_length=5_000_000,
                         description="A units file (services/plans/domain/IMPORT_FORMAT.md).")
    format: DocumentFormat = "yaml"
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class ImportUnitsResult(Reply):
    created: int
    updated: int
    unchanged: int
    groups: int


# -- plans --------------------------------------------------------------------------------


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


class ListPlansRequest(Request):
    year: int | None = Field(default=None, ge=2000, le=2100)
    status: Literal["draft", "issued", "closed", "cancelled"] | None = None
    issuer_unit_id: str | None = Field(default=None, max_length=100)
    after: str | None = Cursor
    limit: int = Limit


class ImportPlanRequest(Request):
    content: str = Field(min_length=1, max_length=10_000_000,
                         description="A plan file (services/plans/domain/IMPORT_FORMAT.md).")
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


# -- tasks --------------------------------------------------------------------------------


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


class AddTaskRequest(Request):
    plan_id: str = PlanId
    task_id: str = TaskId
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


class UpdateTaskRequest(Request):
    plan_id: str = PlanId
    task_id: str = TaskId
    changes: TaskChanges
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class AssignTaskRequest(Request):
    plan_id: str = PlanId
    task_id: str = TaskId
    lead_unit_id: str = UnitId
    coordinating_unit_ids: list[str] = Field(default_factory=list, max_length=200)
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class TaskRef(Request):
    plan_id: str = PlanId
    task_id: str = TaskId


class TaskCommand(Request):
    """start_task, complete_task: a status change."""

    plan_id: str = PlanId
    task_id: str = TaskId
    actor: str = Actor
    at: datetime | None = Field(default=None, description="When it happened (default: now).")
    idempotency_key: str | None = IdempotencyKey


class TaskReasonCommand(TaskCommand):
    """cancel_task, reopen_task: a status change that needs a reason."""

    reason: str = Field(min_length=1, max_length=1000, examples=["Nhiệm vụ không còn phù hợp"])


class ListTasksRequest(Request):
    plan_id: str = PlanId
    unit_id: str | None = Field(default=None, max_length=100,
                                description="Lead or coordinating unit.")
    status: Literal["open", "in_progress", "completed", "cancelled"] | None = None
    parent_task_id: str | None = Field(default=None, max_length=200)
    after: str | None = Cursor
    limit: int = Limit


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


# -- progress reports ---------------------------------------------------------------------


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


class SubmitReportRequest(Request):
    plan_id: str = PlanId
    task_id: str = TaskId
    unit_id: str = UnitId
    period_key: str = Field(min_length=1, max_length=20, examples=["2021-Q1", "ONCE", "PLAN"])
    counts: list[ReportCountModel] = Field(default_factory=list, max_length=100)
    narrative: str = Field(default="", max_length=20_000, examples=[
        "Trong quý I, Báo Gia Lai đăng 14 tin, bài về phòng, chống ma túy."])
    links: list[EvidenceLinkModel] = Field(default_factory=list, max_length=200)
    attachments: list[AttachmentModel] = Field(default_factory=list, max_length=50)
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class ReviewReportRequest(Request):
    report_id: str = Field(min_length=1, max_length=100)
    decision: Literal["accepted", "returned"]
    reason: str | None = Field(default=None, max_length=2000,
                               examples=["Thiếu đường dẫn minh chứng"])
    actor: str = Actor
    idempotency_key: str | None = IdempotencyKey


class ReportRef(Request):
    report_id: str = Field(min_length=1, max_length=100)


class ListReportsRequest(Request):
    plan_id: str = PlanId
    task_id: str | None = Field(default=None, max_length=200)
    unit_id: str | None = Field(default=None, max_length=100)
    status: Literal["submitted", "accepted", "returned"] | None = None
    after: str | None = Cursor
    limit: int = Limit


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


# -- progress, exports, audit, deadlines --------------------------------------------------


class ProgressRequest(Request):
    plan_id: str = PlanId
    as_of: datetime | None = Field(default=None, description="Default: now.")


class BucketCountsModel(Reply):
    total: int
    completed_on_time: int
    completed_late: int
    not_completed_within_deadline: int
    overdue: int
    percent_complete: float


class TaskProgressModel(Reply):
    task_id: str
    bucket: str | None
    percent_complete: float
    children: list[TaskProgressModel] = Field(default_factory=list)


class KpiAchievementModel(Reply):
    task_id: str
    target_id: str
    metric: str
    topic: str | None
    unit_id: str | None
    period_key: str
    target: int
    reported: int
    evidenced: int
    achieved: int
    met: bool


class UnitProgressModel(Reply):
    unit_id: str
    unit_name: str
    summary: BucketCountsModel
    kpis_met: int
    kpis_total: int


class ProgressSummary(Reply):
    plan_id: str
    as_of: datetime
    summary: BucketCountsModel
    units: list[UnitProgressModel]
    tasks: list[TaskProgressModel]
    reports_pending_review: int


class ExportRequest(Request):
    plan_id: str = PlanId
    format: Literal["csv", "xlsx"] = "xlsx"
    view: Literal["units", "tasks", "kpis"] = Field(
        default="units", description="CSV holds one view; XLSX holds all three as sheets.")
    as_of: datetime | None = None
    language: Literal["vi", "en"] = Field(default="vi", description="Column labels.")


class ExportFile(Reply):
    filename: str = Field(examples=["tien-do-25-KH-STTTT-units.csv"])
    content_type: str
    content_base64: str
    rows: int


class AuditQuery(Request):
    plan_id: str | None = Field(default=None, max_length=200)
    task_id: str | None = Field(
        default=None, max_length=200,
        description="With `plan_id`: the task's entries and its reports' (recorded since "
                    "entries name their task).")
    entity_kind: Literal["plan", "task", "report", "unit", "group"] | None = None
    entity_id: str | None = Field(default=None, max_length=200)
    actor: str | None = Field(default=None, max_length=100)
    since: datetime | None = None
    after: str | None = Cursor
    limit: int = Limit

    @model_validator(mode="after")
    def _task_within_a_plan(self) -> AuditQuery:
        if self.task_id is not None and self.plan_id is None:
            raise ValueError("task_id needs plan_id (task ids are unique within a plan)")
        return self


class AuditEntryModel(Reply):
    id: str
    actor: str
    action: str = Field(examples=["plan.issued"])
    entity_kind: str
    entity_id: str
    plan_id: str | None = None
    task_id: str | None = None
    at: datetime
    changes: list[dict[str, Any]] = Field(default_factory=list)
    note: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class ScanDeadlinesRequest(Request):
    now: datetime | None = Field(default=None, description="Default: the service clock.")
    plan_id: str | None = Field(default=None, max_length=200,
                                description="Only this plan (default: every issued plan).")
    due_soon_days: int | None = Field(default=None, ge=0, le=60)


class ScanResult(Reply):
    now: datetime
    tasks_scanned: int
    due_soon: int = Field(description="task.due_soon events emitted by this scan.")
    overdue: int = Field(description="task.overdue events emitted by this scan.")
    already_sent: int


class ReceiptsRequest(Request):
    plan_id: str = PlanId
    task_id: str | None = Field(default=None, max_length=200)
