"""RPC payloads of the plans service's reporting side: the progress summary and its exports,
the audit journal (pages and CSV export), the deadline scan, receipts and the upward report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from services.contracts.inbound import Inbound
from services.contracts.plans_common import (
    Page,
    PageRequest,
    PlanId,
    Reply,
    Request,
)

AuditEntityKind = Literal["plan", "task", "report", "unit", "group"]
MAX_AUDIT_EXPORT_ROWS = 50_000


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


class ProgressBrief(Reply):
    """A plan's progress at a glance, as a list of plans carries it (`include=progress`)."""

    summary: BucketCountsModel
    reports_pending_review: int


class ProgressSummary(ProgressBrief):
    plan_id: str
    as_of: datetime
    units: list[UnitProgressModel]
    tasks: list[TaskProgressModel]


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


class AuditQuery(PageRequest):
    plan_id: str | None = Field(default=None, max_length=200)
    task_id: str | None = Field(
        default=None, max_length=200,
        description="With `plan_id`: the task's entries and its reports' (recorded since "
                    "entries name their task).")
    entity_kind: Literal["plan", "task", "report", "unit", "group"] | None = None
    entity_id: str | None = Field(default=None, max_length=200)
    actor: str | None = Field(default=None, max_length=100)
    since: datetime | None = None

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


class AuditExportRequest(Request):
    """The journal of a plan (or of one of its tasks) as a CSV file, oldest first."""

    plan_id: str = PlanId
    task_id: str | None = Field(default=None, max_length=200, examples=["press-bgl-coverage"])
    entity_kind: AuditEntityKind | None = None
    actor: str | None = Field(default=None, max_length=100)
    since: datetime | None = Field(default=None, examples=["2021-03-01T00:00:00+07:00"])
    language: Literal["vi", "en"] = Field(default="vi", description="Column labels.")


class AuditExportFile(ExportFile):
    truncated: bool = Field(default=False, description=(
        f"True when the journal holds more than {MAX_AUDIT_EXPORT_ROWS:,} entries: the file "
        "has the oldest ones; export again with `since` for the rest."))


class AuditPage(Page[AuditEntryModel]):
    pass


class CoverageCount(Inbound):
    """Items on a topic by an outlet in the report's window, as monitoring counted them."""

    topic: str = Field(min_length=1, max_length=60, examples=["drugs"])
    items: int = Field(ge=0, le=1_000_000_000, examples=[41])
    outlet_unit_id: str | None = Field(default=None, max_length=100, examples=["bao-gia-lai"])


class UpwardReportRequest(Request):
    """The Department's report to the Provincial People's Committee on a plan, in the layout
    of Decree 30/2020/NĐ-CP. Coverage per topic is monitoring's statistic: the caller (the
    gateway) gathers it from monitoring and passes it here; `null` when it was unavailable,
    and the report says so."""

    plan_id: str = PlanId
    format: Literal["docx", "pdf"] = "pdf"
    as_of: date | None = Field(default=None, examples=["2021-07-01"],
                               description="The report's date and the figures' (default: "
                                           "today).")
    coverage: list[CoverageCount] | None = Field(default=None, max_length=50_000)
    coverage_from: date | None = Field(default=None, examples=["2021-02-25"])
    coverage_to: date | None = Field(default=None, examples=["2021-07-01"])


class ReceiptModel(Reply):
    """A unit's acknowledgement of a directive of the plan (or of one of its tasks)."""

    plan_id: str
    task_id: str | None = None
    unit_id: str = Field(examples=["bao-gia-lai"])
    notice_id: str
    acknowledged_at: datetime
    via: str | None = Field(default=None, examples=["email"])
    late: bool = False
