"""The plans service's RPC methods (services/plans/README.md describes each)."""

from __future__ import annotations

from services.contracts import plans as c
from services.contracts import plans_changes as changes
from services.contracts import plans_reporting as reporting
from services.contracts import plans_units as units
from services.contracts.rpc import RpcMethod

UPSERT_UNIT = RpcMethod("plans", "upsert_unit", c.UpsertUnitRequest, units.UnitReply)
GET_UNIT = RpcMethod("plans", "get_unit", c.GetUnitRequest, units.UnitReply)
RETIRE_UNIT = RpcMethod("plans", "retire_unit", c.RetireUnitRequest, units.UnitReply)
LIST_UNITS = RpcMethod("plans", "list_units", c.ListUnitsRequest, units.UnitPage)
UPSERT_GROUP = RpcMethod("plans", "upsert_group", c.UpsertGroupRequest)
LIST_GROUPS = RpcMethod("plans", "list_groups", c.ListGroupsRequest)
RESOLVE_GROUP = RpcMethod("plans", "resolve_group", c.ResolveGroupRequest, units.ResolvedUnits)
IMPORT_UNITS = RpcMethod("plans", "import_units", c.ImportUnitsRequest)
CREATE_PLAN = RpcMethod("plans", "create_plan", c.CreatePlanRequest)
GET_PLAN = RpcMethod("plans", "get_plan", c.PlanRef)
LIST_PLANS = RpcMethod("plans", "list_plans", c.ListPlansRequest)
UPDATE_PLAN = RpcMethod("plans", "update_plan", c.UpdatePlanRequest)
AMEND_PLAN = RpcMethod("plans", "amend_plan", c.AmendPlanRequest)
ISSUE_PLAN = RpcMethod("plans", "issue_plan", c.PlanCommand)
CLOSE_PLAN = RpcMethod("plans", "close_plan", c.PlanCommand)
CANCEL_PLAN = RpcMethod("plans", "cancel_plan", c.CancelPlanRequest)
ROLL_OVER_PLAN = RpcMethod("plans", "roll_over_plan", changes.RollOverRequest,
                           changes.RollOverResult)
IMPORT_PLAN = RpcMethod("plans", "import_plan", c.ImportPlanRequest)
ADD_TASK = RpcMethod("plans", "add_task", c.AddTaskRequest)
UPDATE_TASK = RpcMethod("plans", "update_task", c.UpdateTaskRequest)
ASSIGN_TASK = RpcMethod("plans", "assign_task", c.AssignTaskRequest)
START_TASK = RpcMethod("plans", "start_task", c.TaskCommand)
COMPLETE_TASK = RpcMethod("plans", "complete_task", c.TaskCommand)
CANCEL_TASK = RpcMethod("plans", "cancel_task", c.TaskReasonCommand)
REOPEN_TASK = RpcMethod("plans", "reopen_task", c.TaskReasonCommand)
GET_TASK = RpcMethod("plans", "get_task", c.TaskRef)
LIST_TASKS = RpcMethod("plans", "list_tasks", c.ListTasksRequest)
SUBMIT_REPORT = RpcMethod("plans", "submit_report", c.SubmitReportRequest)
REVIEW_REPORT = RpcMethod("plans", "review_report", c.ReviewReportRequest)
GET_REPORT = RpcMethod("plans", "get_report", c.ReportRef)
CORRECT_REPORT = RpcMethod("plans", "correct_report", changes.CorrectReportRequest,
                           c.ReportDetail)
LIST_REPORTS = RpcMethod("plans", "list_reports", c.ListReportsRequest)
PROGRESS_SUMMARY = RpcMethod("plans", "progress_summary", c.ProgressRequest)
EXPORT_PROGRESS = RpcMethod("plans", "export_progress", c.ExportRequest)
UPWARD_REPORT = RpcMethod("plans", "upward_report", reporting.UpwardReportRequest, c.ExportFile)
AUDIT_JOURNAL = RpcMethod("plans", "audit_journal", c.AuditQuery, reporting.AuditPage)
EXPORT_AUDIT = RpcMethod("plans", "export_audit", reporting.AuditExportRequest,
                         reporting.AuditExportFile)
LIST_RECEIPTS = RpcMethod("plans", "list_receipts", c.ReceiptsRequest,
                          list[reporting.ReceiptModel])
SCAN_DEADLINES = RpcMethod(
    "plans", "scan_deadlines", c.ScanDeadlinesRequest,
    internal="the plans timer runs it every minute; operators and tests run it on demand")
