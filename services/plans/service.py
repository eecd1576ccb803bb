"""The plans service: thin nameko entrypoints over the use cases (services/plans/README.md),
each registered from the typed RPC catalogue."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from services.contracts.envelope import Envelope
from services.contracts.events import EventType
from services.contracts.events.monitoring import CoverageMatched
from services.contracts.events.notifications import NotificationAcknowledged
from services.contracts.plans_changes import CorrectReportRequest, RollOverRequest
from services.contracts.plans_documents import (
    AmendPlanRequest,
    CancelPlanRequest,
    CreatePlanRequest,
    ImportPlanRequest,
    ListPlansRequest,
    PlanCommand,
    PlanRef,
    UpdatePlanRequest,
)
from services.contracts.plans_reporting import (
    AuditExportRequest,
    AuditQuery,
    ExportRequest,
    ProgressRequest,
    ReceiptsRequest,
    ScanDeadlinesRequest,
    UpwardReportRequest,
)
from services.contracts.plans_reports import (
    ListReportsRequest,
    ReportRef,
    ReviewReportRequest,
    SubmitReportRequest,
)
from services.contracts.plans_tasks import (
    AddTaskRequest,
    AssignTaskRequest,
    ListTasksRequest,
    TaskCommand,
    TaskReasonCommand,
    TaskRef,
    UpdateTaskRequest,
)
from services.contracts.plans_units import (
    GetUnitRequest,
    ImportUnitsRequest,
    ListGroupsRequest,
    ListUnitsRequest,
    ResolveGroupRequest,
    RetireUnitRequest,
    UpsertGroupRequest,
    UpsertUnitRequest,
)
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.plans import reporting
from services.plans.repositories import OUTBOX_COLLECTIONS
from services.plans.repositories.unit_of_work import ensure_indexes
from services.plans.settings import PlansSettings
from services.plans.use_cases import (
    audit,
    context,
    corrections,
    evidence,
    plans,
    reports,
    rollover,
    tasks,
    units,
    units_as_of,
)
from services.plans.use_cases import upward_report as upward
from services.runtime.logging import correlation_id
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method
from services.runtime.nameko_ext.providers import OutboxRelayProvider, Settings
from services.runtime.nameko_ext.timers import settings_timer

log = logging.getLogger(__name__)


class PlansService(EventConsumerService):
    name = "plans"
    settings_class = PlansSettings

    relay = OutboxRelayProvider(collections=OUTBOX_COLLECTIONS)
    settings: PlansSettings = Settings()

    @staticmethod
    def ensure_indexes(db: Any) -> None:
        ensure_indexes(db)

    def _ctx(self) -> context.Context:
        return context.Context.on(self.db, correlation_id.get(), lambda: datetime.now(UTC))

    # -- units ----------------------------------------------------------------------------

    @rpc_method(plans_rpc.UPSERT_UNIT)
    def upsert_unit(self, request: UpsertUnitRequest) -> Any:
        return units.upsert_unit(request, self._ctx())

    @rpc_method(plans_rpc.GET_UNIT)
    def get_unit(self, request: GetUnitRequest) -> Any:
        return units_as_of.get_unit(request, self._ctx())

    @rpc_method(plans_rpc.RETIRE_UNIT)
    def retire_unit(self, request: RetireUnitRequest) -> Any:
        return units.retire_unit(request, self._ctx())

    @rpc_method(plans_rpc.LIST_UNITS)
    def list_units(self, request: ListUnitsRequest) -> Any:
        return units_as_of.list_units(request, self._ctx())

    @rpc_method(plans_rpc.UPSERT_GROUP)
    def upsert_group(self, request: UpsertGroupRequest) -> Any:
        return units.upsert_group(request, self._ctx())

    @rpc_method(plans_rpc.LIST_GROUPS)
    def list_groups(self, request: ListGroupsRequest) -> Any:
        return units.list_groups(self._ctx())

    @rpc_method(plans_rpc.RESOLVE_GROUP)
    def resolve_group(self, request: ResolveGroupRequest) -> Any:
        return units_as_of.resolve(request, self._ctx())

    @rpc_method(plans_rpc.IMPORT_UNITS)
    def import_units(self, request: ImportUnitsRequest) -> Any:
        return units.import_units(request, self._ctx())

    # -- plans ----------------------------------------------------------------------------

    @rpc_method(plans_rpc.CREATE_PLAN)
    def create_plan(self, request: CreatePlanRequest) -> Any:
        return plans.create_plan(request, self._ctx())

    @rpc_method(plans_rpc.GET_PLAN)
    def get_plan(self, request: PlanRef) -> Any:
        return plans.get_plan(request.plan_id, self._ctx())

    @rpc_method(plans_rpc.LIST_PLANS)
    def list_plans(self, request: ListPlansRequest) -> Any:
        return plans.list_plans(request, self._ctx())

    @rpc_method(plans_rpc.UPDATE_PLAN)
    def update_plan(self, request: UpdatePlanRequest) -> Any:
        return plans.update_plan(request, self._ctx())

    @rpc_method(plans_rpc.AMEND_PLAN)
    def amend_plan(self, request: AmendPlanRequest) -> Any:
        return plans.amend_plan(request, self._ctx())

    @rpc_method(plans_rpc.ISSUE_PLAN)
    def issue_plan(self, request: PlanCommand) -> Any:
        return plans.issue_plan(request, self._ctx())

    @rpc_method(plans_rpc.CLOSE_PLAN)
    def close_plan(self, request: PlanCommand) -> Any:
        return plans.close_plan(request, self._ctx())

    @rpc_method(plans_rpc.CANCEL_PLAN)
    def cancel_plan(self, request: CancelPlanRequest) -> Any:
        return plans.close_plan(request, self._ctx())

    @rpc_method(plans_rpc.IMPORT_PLAN)
    def import_plan(self, request: ImportPlanRequest) -> Any:
        return plans.import_plan(request, self._ctx())

    @rpc_method(plans_rpc.ROLL_OVER_PLAN)
    def roll_over_plan(self, request: RollOverRequest) -> Any:
        return rollover.roll_over_plan(request, self._ctx())

    # -- tasks ----------------------------------------------------------------------------

    @rpc_method(plans_rpc.ADD_TASK)
    def add_task(self, request: AddTaskRequest) -> Any:
        return tasks.add_task(request, self._ctx())

    @rpc_method(plans_rpc.UPDATE_TASK)
    def update_task(self, request: UpdateTaskRequest) -> Any:
        return tasks.update_task(request, self._ctx())

    @rpc_method(plans_rpc.ASSIGN_TASK)
    def assign_task(self, request: AssignTaskRequest) -> Any:
        return tasks.assign_task(request, self._ctx())

    @rpc_method(plans_rpc.START_TASK)
    def start_task(self, request: TaskCommand) -> Any:
        return tasks.change_task_status(request, "start", self._ctx())

    @rpc_method(plans_rpc.COMPLETE_TASK)
    def complete_task(self, request: TaskCommand) -> Any:
        return tasks.change_task_status(request, "complete", self._ctx())

    @rpc_method(plans_rpc.CANCEL_TASK)
    def cancel_task(self, request: TaskReasonCommand) -> Any:
        return tasks.change_task_status(request, "cancel", self._ctx())

    @rpc_method(plans_rpc.REOPEN_TASK)
    def reopen_task(self, request: TaskReasonCommand) -> Any:
        return tasks.change_task_status(request, "reopen", self._ctx())

    @rpc_method(plans_rpc.GET_TASK)
    def get_task(self, request: TaskRef) -> Any:
        return tasks.get_task(request, self._ctx())

    @rpc_method(plans_rpc.LIST_TASKS)
    def list_tasks(self, request: ListTasksRequest) -> Any:
        return tasks.list_tasks(request, self._ctx())

    # -- reports, progress, exports, audit ------------------------------------------------

    @rpc_method(plans_rpc.SUBMIT_REPORT)
    def submit_report(self, request: SubmitReportRequest) -> Any:
        return reports.submit(request, self._ctx())

    @rpc_method(plans_rpc.REVIEW_REPORT)
    def review_report(self, request: ReviewReportRequest) -> Any:
        return reports.review(request, self._ctx())

    @rpc_method(plans_rpc.CORRECT_REPORT)
    def correct_report(self, request: CorrectReportRequest) -> Any:
        return corrections.correct_report(request, self._ctx())

    @rpc_method(plans_rpc.GET_REPORT)
    def get_report(self, request: ReportRef) -> Any:
        return reports.get_report(request, self._ctx())

    @rpc_method(plans_rpc.LIST_REPORTS)
    def list_reports(self, request: ListReportsRequest) -> Any:
        return reports.list_reports(request, self._ctx())

    @rpc_method(plans_rpc.PROGRESS_SUMMARY)
    def progress_summary(self, request: ProgressRequest) -> Any:
        return reporting.progress_summary(request, self._ctx())

    @rpc_method(plans_rpc.EXPORT_PROGRESS)
    def export_progress(self, request: ExportRequest) -> Any:
        return reporting.export_progress(request, self._ctx())

    @rpc_method(plans_rpc.UPWARD_REPORT)
    def upward_report(self, request: UpwardReportRequest) -> Any:
        return upward.upward_report(request, self._ctx())

    @rpc_method(plans_rpc.AUDIT_JOURNAL)
    def audit_journal(self, request: AuditQuery) -> Any:
        return audit.audit_journal(request, self._ctx())

    @rpc_method(plans_rpc.EXPORT_AUDIT)
    def export_audit(self, request: AuditExportRequest) -> Any:
        return audit.export_audit(request, self._ctx())

    @rpc_method(plans_rpc.LIST_RECEIPTS)
    def list_receipts(self, request: ReceiptsRequest) -> Any:
        return evidence.receipts(request, self._ctx())

    # -- deadlines ------------------------------------------------------------------------

    @rpc_method(plans_rpc.SCAN_DEADLINES)
    def scan_deadlines(self, request: ScanDeadlinesRequest) -> Any:
        """What the timer does, on demand (operators, tests): `now` defaults to the clock."""
        settings = self.settings
        now = request.now or settings.plans_clock_now or datetime.now(UTC)
        days = (request.due_soon_days if request.due_soon_days is not None
                else settings.plans_due_soon_days)
        return reporting.deadline_scan(self._ctx(), now, days, request.plan_id)

    @settings_timer("plans_deadline_scan_seconds")
    def deadline_tick(self) -> None:
        settings = self.settings
        now = settings.plans_clock_now or datetime.now(UTC)
        result = reporting.deadline_scan(self._ctx(), now, settings.plans_due_soon_days)
        if result["due_soon"] or result["overdue"]:
            log.info("deadline events stored", extra={
                k: result[k] for k in ("tasks_scanned", "due_soon", "overdue")})

    # Eager: at start-up, tasks stored before the deadline watch existed get their watch list
    # (in a worker: the service answers meanwhile), and the gauges are right from the start.
    @settings_timer("plans_gauge_refresh_seconds", eager=True)
    def gauge_tick(self) -> None:
        ctx = self._ctx()
        # Later ticks: tasks an older replica stored (rolling upgrade); one index lookup when
        # there is none.
        reporting.backfill_watch(ctx)
        reporting.refresh_gauges(ctx, self.settings.plans_clock_now or datetime.now(UTC))

    # -- consumed events ------------------------------------------------------------------

    @consumes(EventType.COVERAGE_MATCHED)
    def on_coverage_matched(self, envelope: Envelope, event: CoverageMatched) -> None:
        outcome = evidence.on_coverage(event, envelope.time, self._ctx())
        log.info("coverage applied", extra={"item_id": event.item_id, "outcome": outcome})

    @consumes(EventType.NOTIFICATION_ACKNOWLEDGED)
    def on_notification_acknowledged(self, envelope: Envelope,
                                     event: NotificationAcknowledged) -> None:
        evidence.on_acknowledged(event, self._ctx())
