"""RPC payloads of the plans service's reporting side: the audit journal's CSV export and the
upward report. Kept apart from `plans.py`, which holds the core commands."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.contracts.inbound import Inbound
from services.contracts.plans import AuditEntryModel, ExportFile, PlanId, Reply, Request

AuditEntityKind = Literal["plan", "task", "report", "unit", "group"]
MAX_AUDIT_EXPORT_ROWS = 50_000


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



class AuditPage(Reply):
    items: list[AuditEntryModel]
    next_cursor: str | None = None


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
