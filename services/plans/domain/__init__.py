"""Pure domain of the plans service: units, plans, tasks, reports, KPIs, audit, import/export.

Plain Python (dataclasses, enums, stdlib); pydantic and PyYAML only for the import format.
Nothing here does I/O: the repository persists entities and ``AuditEntry`` values, the service
publishes events.
"""

from .audit import AuditEntry, FieldChange
from .deadlines import (
    DEFAULT_DUE_SOON_DAYS,
    AlertKind,
    DeadlineAlert,
    scan_deadlines,
    watched_deadlines,
)
from .errors import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from .evidence import CoverageMatched, EvidenceOutcome, EvidenceResult, apply_coverage
from .exports import Table, kpi_rows, task_rows, unit_rows
from .importing import (
    ImportedPlan,
    ParsedDocument,
    build_plan,
    build_units,
    parse_plan_document,
    parse_units_document,
)
from .periods import LOCAL_TZ, ONCE_KEY, WHOLE_PLAN_KEY, Period, local_date, parse_period_key
from .plans import (
    Amendment,
    BasisDocument,
    DocumentNumber,
    Plan,
    PlanStatus,
    Recipient,
    Signer,
    duplicate_number,
)
from .progress import (
    KpiAchievement,
    PlanProgress,
    TaskProgress,
    UnitProgress,
    kpi_achievements,
    plan_progress,
    task_tree,
    unit_progress,
)
from .recurrence import Recurrence, RecurrenceKind, current_period
from .reports import (
    Attachment,
    EvidenceKind,
    EvidenceLink,
    ProgressReport,
    ReportContent,
    ReportCount,
    ReportStatus,
    effective_reports,
    review_report,
    submit_correction,
    submit_report,
    superseded_by_acceptance,
)
from .status import StatusBucket, bucket_of, percent_complete, period_bucket, task_deadline
from .tasks import (
    PLANNING_HORIZON_YEARS,
    KpiTarget,
    Task,
    TaskStatus,
    check_task_tree,
    planning_horizon,
)
from .units import (
    ALL_CULTURE_OFFICES,
    ALL_PRESS_OUTLETS,
    AreaCodes,
    Contact,
    ContactKind,
    FormerName,
    OrgUnit,
    PressSubtype,
    UnitDirectory,
    UnitGroup,
    UnitSelector,
    UnitType,
    resolve_group,
)
from .vocabulary import Channel, KpiMetric, PeriodKind, Topic

__all__ = [
    "ALL_CULTURE_OFFICES", "ALL_PRESS_OUTLETS", "DEFAULT_DUE_SOON_DAYS", "LOCAL_TZ", "ONCE_KEY",
    "PLANNING_HORIZON_YEARS", "WHOLE_PLAN_KEY", "AlertKind", "Amendment", "AreaCodes",
    "Attachment", "AuditEntry", "BasisDocument", "Channel", "Conflict", "Contact",
    "ContactKind", "CoverageMatched", "DeadlineAlert", "DocumentNumber", "DomainError",
    "EvidenceKind", "EvidenceLink", "EvidenceOutcome", "EvidenceResult", "FieldChange",
    "FormerName",
    "ImportedPlan", "InvalidTransition", "KpiAchievement", "KpiMetric", "KpiTarget", "NotFound",
    "OrgUnit", "ParsedDocument", "Period", "PeriodKind", "Plan", "PlanProgress", "PlanStatus",
    "PressSubtype", "ProgressReport", "Recipient", "Recurrence", "RecurrenceKind",
    "ReportContent", "ReportCount", "ReportStatus", "Signer", "StatusBucket", "Table", "Task",
    "TaskProgress", "TaskStatus", "Topic", "UnitDirectory", "UnitGroup", "UnitProgress",
    "UnitSelector", "UnitType", "ValidationFailed", "apply_coverage", "bucket_of", "build_plan",
    "build_units", "check_task_tree", "current_period", "duplicate_number", "effective_reports",
    "kpi_achievements",
    "kpi_rows", "local_date", "parse_period_key", "parse_plan_document", "parse_units_document",
    "percent_complete", "period_bucket", "plan_progress", "planning_horizon", "resolve_group",
    "review_report", "scan_deadlines", "submit_correction", "submit_report",
    "superseded_by_acceptance", "task_deadline", "task_rows",
    "task_tree", "unit_progress", "unit_rows", "watched_deadlines",
]
