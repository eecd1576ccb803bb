"""RPC payloads of the plans service's reporting side: the audit journal's CSV export (more
to come: the upward report). Kept apart from `plans.py`, which holds the core commands."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

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
