"""The plans service's RPC methods (services/plans/README.md describes each)."""

from __future__ import annotations

from services.contracts import plans_changes as changes
from services.contracts import plans_documents as documents
from services.contracts import plans_reporting as reporting
from services.contracts import plans_reports as reports
from services.contracts import plans_tasks as tasks
from services.contracts import plans_units as units
from services.contracts.rpc import RpcMethod

UPSERT_UNIT = RpcMethod("plans", "upsert_unit", units.UpsertUnitRequest, units.UnitReply)
GET_UNIT = RpcMethod("plans", "get_unit", units.GetUnitRequest, units.UnitReply)
RETIRE_UNIT = RpcMethod("plans", "retire_unit", units.RetireUnitRequest, units.UnitReply)
LIST_UNITS = RpcMethod("plans", "list_units", units.ListUnitsRequest, units.UnitPage)
UPSERT_GROUP = RpcMethod("plans", "upsert_group", units.UpsertGroupRequest)
LIST_GROUPS = RpcMethod("plans", "list_groups", units.ListGroupsRequest)
RESOLVE_GROUP = RpcMethod("plans", "resolve_group", units.ResolveGroupRequest, units.ResolvedUnits)
IMPORT_UNITS = RpcMethod("plans", "import_units", units.ImportUnitsRequest,
                         units.ImportUnitsResult)
CREATE_PLAN = RpcMethod("plans", "create_plan", documents.CreatePlanRequest,
                        documents.PlanSummary)
GET_PLAN = RpcMethod("plans", "get_plan", documents.PlanRef, documents.PlanDetail)
LIST_PLANS = RpcMethod("plans", "list_plans", documents.ListPlansRequest,
                       documents.PlanSummaryPage)
UPDATE_PLAN = RpcMethod("plans", "update_plan", documents.UpdatePlanRequest,
                        documents.PlanSummary)
AMEND_PLAN = RpcMethod("plans", "amend_plan", documents.AmendPlanRequest,
                       documents.PlanSummary)
ISSUE_PLAN = RpcMethod("plans", "issue_plan", documents.PlanCommand, documents.PlanSummary)
CLOSE_PLAN = RpcMethod("plans", "close_plan", documents.PlanCommand, documents.PlanSummary)
CANCEL_PLAN = RpcMethod("plans", "cancel_plan", documents.CancelPlanRequest,
                        documents.PlanSummary)
ROLL_OVER_PLAN = RpcMethod("plans", "roll_over_plan", changes.RollOverRequest,
                           changes.RollOverResult)
IMPORT_PLAN = RpcMethod("plans", "import_plan", documents.ImportPlanRequest,
                        documents.ImportPlanResult)
ADD_TASK = RpcMethod("plans", "add_task", tasks.AddTaskRequest, tasks.TaskDetail)
UPDATE_TASK = RpcMethod("plans", "update_task", tasks.UpdateTaskRequest, tasks.TaskDetail)
ASSIGN_TASK = RpcMethod("plans", "assign_task", tasks.AssignTaskRequest, tasks.TaskDetail)
START_TASK = RpcMethod("plans", "start_task", tasks.TaskCommand, tasks.TaskDetail)
COMPLETE_TASK = RpcMethod("plans", "complete_task", tasks.TaskCommand, tasks.TaskDetail)
CANCEL_TASK = RpcMethod("plans", "cancel_task", tasks.TaskReasonCommand, tasks.TaskDetail)
REOPEN_TASK = RpcMethod("plans", "reopen_task", tasks.TaskReasonCommand, tasks.TaskDetail)
GET_TASK = RpcMethod("plans", "get_task", tasks.TaskRef, tasks.TaskDetail)
LIST_TASKS = RpcMethod("plans", "list_tasks", tasks.ListTasksRequest, tasks.TaskPage)
SUBMIT_REPORT = RpcMethod("plans", "submit_report", reports.SubmitReportRequest,
                          reports.ReportDetail)
REVIEW_REPORT = RpcMethod("plans", "review_report", reports.ReviewReportRequest,
                          reports.ReportDetail)
GET_REPORT = RpcMethod("plans", "get_report", reports.ReportRef, reports.ReportDetail)
CORRECT_REPORT = RpcMethod("plans", "correct_report", changes.CorrectReportRequest,
                           reports.ReportDetail)
LIST_REPORTS = RpcMethod("plans", "list_reports", reports.ListReportsRequest,
                         reports.ReportPage)
PROGRESS_SUMMARY = RpcMethod("plans", "progress_summary", reporting.ProgressRequest,
                             reporting.ProgressSummary)
EXPORT_PROGRESS = RpcMethod("plans", "export_progress", reporting.ExportRequest,
                            reporting.ExportFile)
UPWARD_REPORT = RpcMethod("plans", "upward_report", reporting.UpwardReportRequest,
                          reporting.ExportFile)
AUDIT_JOURNAL = RpcMethod("plans", "audit_journal", reporting.AuditQuery, reporting.AuditPage)
EXPORT_AUDIT = RpcMethod("plans", "export_audit", reporting.AuditExportRequest,
                         reporting.AuditExportFile)
LIST_RECEIPTS = RpcMethod("plans", "list_receipts", reporting.ReceiptsRequest,
                          list[reporting.ReceiptModel])
SCAN_DEADLINES = RpcMethod(
    "plans", "scan_deadlines", reporting.ScanDeadlinesRequest, reporting.ScanResult,
    internal="the plans timer runs it every minute; operators and tests run it on demand")
