"""The plans service: thin nameko entrypoints over the use cases (services/plans/README.md),
each registered from the typed RPC catalogue."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from services.contracts.envelope import Envelope
from services.contracts.events import EventType
from services.contracts.events.monitoring import CoverageMatched
from services.contracts.events.notifications import NotificationAcknowledged
from services.contracts.plans_reporting import ScanDeadlinesRequest
from services.contracts.plans_tasks import TaskCommand
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.plans import reporting
from services.plans.repositories import OUTBOX_COLLECTIONS
from services.plans.repositories.unit_of_work import ensure_indexes
from services.plans.settings import PlansSettings
from services.plans.use_cases import (
    audit,
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
from services.plans.use_cases.context import Context
from services.runtime.logging import correlation_id
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method, serves
from services.runtime.nameko_ext.providers import OutboxRelayProvider, Settings
from services.runtime.nameko_ext.timers import settings_timer

log = logging.getLogger(__name__)


def _status_change(action: str) -> Callable[[TaskCommand, Context], Any]:
    """The use case of one of a task's status changes (start, complete, cancel, reopen)."""
    return lambda request, ctx: tasks.change_task_status(request, action, ctx)


class PlansService(EventConsumerService):
    name = "plans"
    settings_class = PlansSettings

    relay = OutboxRelayProvider(collections=OUTBOX_COLLECTIONS)
    settings: PlansSettings = Settings()

    @staticmethod
    def ensure_indexes(db: Any) -> None:
        ensure_indexes(db)

    @property
    def context(self) -> Context:
        """A worker's context: its unit of work on the service's database."""
        return Context.on(self.db, correlation_id.get(), lambda: datetime.now(UTC))

    # -- units ----------------------------------------------------------------------------

    upsert_unit = serves(plans_rpc.UPSERT_UNIT, units.upsert_unit)
    get_unit = serves(plans_rpc.GET_UNIT, units_as_of.get_unit)
    retire_unit = serves(plans_rpc.RETIRE_UNIT, units.retire_unit)
    list_units = serves(plans_rpc.LIST_UNITS, units_as_of.list_units)
    upsert_group = serves(plans_rpc.UPSERT_GROUP, units.upsert_group)
    list_groups = serves(plans_rpc.LIST_GROUPS, lambda _, ctx: units.list_groups(ctx))
    resolve_group = serves(plans_rpc.RESOLVE_GROUP, units_as_of.resolve)
    import_units = serves(plans_rpc.IMPORT_UNITS, units.import_units)

    # -- plans ----------------------------------------------------------------------------

    create_plan = serves(plans_rpc.CREATE_PLAN, plans.create_plan)
    get_plan = serves(plans_rpc.GET_PLAN, lambda request, ctx: plans.get_plan(request.plan_id, ctx))
    list_plans = serves(plans_rpc.LIST_PLANS, plans.list_plans)
    update_plan = serves(plans_rpc.UPDATE_PLAN, plans.update_plan)
    amend_plan = serves(plans_rpc.AMEND_PLAN, plans.amend_plan)
    issue_plan = serves(plans_rpc.ISSUE_PLAN, plans.issue_plan)
    close_plan = serves(plans_rpc.CLOSE_PLAN, plans.close_plan)
    cancel_plan = serves(plans_rpc.CANCEL_PLAN, plans.close_plan)
    import_plan = serves(plans_rpc.IMPORT_PLAN, plans.import_plan)
    roll_over_plan = serves(plans_rpc.ROLL_OVER_PLAN, rollover.roll_over_plan)

    # -- tasks ----------------------------------------------------------------------------

    add_task = serves(plans_rpc.ADD_TASK, tasks.add_task)
    update_task = serves(plans_rpc.UPDATE_TASK, tasks.update_task)
    assign_task = serves(plans_rpc.ASSIGN_TASK, tasks.assign_task)
    start_task = serves(plans_rpc.START_TASK, _status_change("start"))
    complete_task = serves(plans_rpc.COMPLETE_TASK, _status_change("complete"))
    cancel_task = serves(plans_rpc.CANCEL_TASK, _status_change("cancel"))
    reopen_task = serves(plans_rpc.REOPEN_TASK, _status_change("reopen"))
    get_task = serves(plans_rpc.GET_TASK, tasks.get_task)
    list_tasks = serves(plans_rpc.LIST_TASKS, tasks.list_tasks)

    # -- reports, progress, exports, audit ------------------------------------------------

    submit_report = serves(plans_rpc.SUBMIT_REPORT, reports.submit)
    review_report = serves(plans_rpc.REVIEW_REPORT, reports.review)
    correct_report = serves(plans_rpc.CORRECT_REPORT, corrections.correct_report)
    get_report = serves(plans_rpc.GET_REPORT, reports.get_report)
    list_reports = serves(plans_rpc.LIST_REPORTS, reports.list_reports)
    progress_summary = serves(plans_rpc.PROGRESS_SUMMARY, reporting.progress_summary)
    export_progress = serves(plans_rpc.EXPORT_PROGRESS, reporting.export_progress)
    upward_report = serves(plans_rpc.UPWARD_REPORT, upward.upward_report)
    audit_journal = serves(plans_rpc.AUDIT_JOURNAL, audit.audit_journal)
    export_audit = serves(plans_rpc.EXPORT_AUDIT, audit.export_audit)
    list_receipts = serves(plans_rpc.LIST_RECEIPTS, evidence.receipts)

    # -- deadlines ------------------------------------------------------------------------

    @rpc_method(plans_rpc.SCAN_DEADLINES)
    def scan_deadlines(self, request: ScanDeadlinesRequest) -> Any:
        """What the timer does, on demand (operators, tests): `now` defaults to the clock."""
        settings = self.settings
        now = request.now or settings.plans_clock_now or datetime.now(UTC)
        days = (request.due_soon_days if request.due_soon_days is not None
                else settings.plans_due_soon_days)
        return reporting.deadline_scan(self.context, now, days, request.plan_id)

    @settings_timer("plans_deadline_scan_seconds")
    def deadline_tick(self) -> None:
        settings = self.settings
        now = settings.plans_clock_now or datetime.now(UTC)
        result = reporting.deadline_scan(self.context, now, settings.plans_due_soon_days)
        if result["due_soon"] or result["overdue"]:
            log.info("deadline events stored", extra={
                k: result[k] for k in ("tasks_scanned", "due_soon", "overdue")})

    # Eager: at start-up, tasks stored before the deadline watch existed get their watch list
    # (in a worker: the service answers meanwhile), and the gauges are right from the start.
    @settings_timer("plans_gauge_refresh_seconds", eager=True)
    def gauge_tick(self) -> None:
        ctx = self.context
        # Later ticks: tasks an older replica stored (rolling upgrade); one index lookup when
        # there is none.
        reporting.backfill_watch(ctx)
        reporting.refresh_gauges(ctx, self.settings.plans_clock_now or datetime.now(UTC))

    # -- consumed events ------------------------------------------------------------------

    @consumes(EventType.COVERAGE_MATCHED)
    def on_coverage_matched(self, envelope: Envelope, event: CoverageMatched) -> None:
        outcome = evidence.on_coverage(event, envelope.time, self.context)
        log.info("coverage applied", extra={"item_id": event.item_id, "outcome": outcome})

    @consumes(EventType.NOTIFICATION_ACKNOWLEDGED)
    def on_notification_acknowledged(self, envelope: Envelope,
                                     event: NotificationAcknowledged) -> None:
        evidence.on_acknowledged(event, self.context)
