"""The plans service's RPC methods (services/plans/README.md describes each)."""

from __future__ import annotations

from services.contracts import plans_changes as changes
from services.contracts import plans_documents as documents
from services.contracts import plans_reporting as reporting
from services.contracts import plans_reports as reports
from services.contracts import plans_tasks as tasks
from services.contracts import plans_units as units
from services.contracts.rpc import ServiceMethods

method = ServiceMethods("plans")

UPSERT_UNIT = method("upsert_unit", units.UpsertUnitRequest, units.UnitReply)
GET_UNIT = method("get_unit", units.GetUnitRequest, units.UnitReply)
RETIRE_UNIT = method("retire_unit", units.RetireUnitRequest, units.UnitReply)
LIST_UNITS = method("list_units", units.ListUnitsRequest, units.UnitPage)
UPSERT_GROUP = method("upsert_group", units.UpsertGroupRequest)
LIST_GROUPS = method("list_groups", units.ListGroupsRequest)
RESOLVE_GROUP = method("resolve_group", units.ResolveGroupRequest, units.ResolvedUnits)
IMPORT_UNITS = method("import_units", units.ImportUnitsRequest, units.ImportUnitsResult)
CREATE_PLAN = method("create_plan", documents.CreatePlanRequest, documents.PlanSummary)
GET_PLAN = method("get_plan", documents.PlanRef, documents.PlanDetail)
LIST_PLANS = method("list_plans", documents.ListPlansRequest, documents.PlanSummaryPage)
UPDATE_PLAN = method("update_plan", documents.UpdatePlanRequest, documents.PlanSummary)
AMEND_PLAN = method("amend_plan", documents.AmendPlanRequest, documents.PlanSummary)
ISSUE_PLAN = method("issue_plan", documents.PlanCommand, documents.PlanSummary)
CLOSE_PLAN = method("close_plan", documents.PlanCommand, documents.PlanSummary)
CANCEL_PLAN = method("cancel_plan", documents.CancelPlanRequest, documents.PlanSummary)
ROLL_OVER_PLAN = method("roll_over_plan", changes.RollOverRequest, changes.RollOverResult)
IMPORT_PLAN = method("import_plan", documents.ImportPlanRequest, documents.ImportPlanResult)
ADD_TASK = method("add_task", tasks.AddTaskRequest, tasks.TaskDetail)
UPDATE_TASK = method("update_task", tasks.UpdateTaskRequest, tasks.TaskDetail)
ASSIGN_TASK = method("assign_task", tasks.AssignTaskRequest, tasks.TaskDetail)
START_TASK = method("start_task", tasks.TaskCommand, tasks.TaskDetail)
COMPLETE_TASK = method("complete_task", tasks.TaskCommand, tasks.TaskDetail)
CANCEL_TASK = method("cancel_task", tasks.TaskReasonCommand, tasks.TaskDetail)
REOPEN_TASK = method("reopen_task", tasks.TaskReasonCommand, tasks.TaskDetail)
GET_TASK = method("get_task", tasks.TaskRef, tasks.TaskDetail)
LIST_TASKS = method("list_tasks", tasks.ListTasksRequest, tasks.TaskPage)
SUBMIT_REPORT = method("submit_report", reports.SubmitReportRequest, reports.ReportDetail)
REVIEW_REPORT = method("review_report", reports.ReviewReportRequest, reports.ReportDetail)
GET_REPORT = method("get_report", reports.ReportRef, reports.ReportDetail)
CORRECT_REPORT = method("correct_report", changes.CorrectReportRequest, reports.ReportDetail)
LIST_REPORTS = method("list_reports", reports.ListReportsRequest, reports.ReportPage)
PROGRESS_SUMMARY = method("progress_summary", reporting.ProgressRequest, reporting.ProgressSummary)
EXPORT_PROGRESS = method("export_progress", reporting.ExportRequest, reporting.ExportFile)
UPWARD_REPORT = method("upward_report", reporting.UpwardReportRequest, reporting.ExportFile)
AUDIT_JOURNAL = method("audit_journal", reporting.AuditQuery, reporting.AuditPage)
EXPORT_AUDIT = method("export_audit", reporting.AuditExportRequest, reporting.AuditExportFile)
LIST_RECEIPTS = method("list_receipts", reporting.ReceiptsRequest, list[reporting.ReceiptModel])
SCAN_DEADLINES = method(
    "scan_deadlines", reporting.ScanDeadlinesRequest, reporting.ScanResult,
    internal="the plans timer runs it every minute; operators and tests run it on demand")
