"""The monitoring service: nameko entrypoints over the use cases (see README.md), each
registered from the typed RPC catalogue."""

from __future__ import annotations

from typing import Any

import eventlet
from nameko.timer import timer

from services.contracts import monitoring
from services.contracts.envelope import Envelope
from services.contracts.events import EventType
from services.contracts.events.plans import PlanClosed, PlanCreated, PlanIssued, TaskAssigned
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.monitoring.dependencies import MonitoringDependencies
from services.monitoring.repositories import OUTBOX_COLLECTIONS
from services.monitoring.settings import MonitoringSettings
from services.monitoring.use_cases import alerts, coverage, items, plans, polling, sources, topics
from services.monitoring.use_cases.context import Context
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method
from services.runtime.nameko_ext.providers import OutboxRelayProvider, ServiceContext, Settings
from services.runtime.nameko_ext.timers import settings_timer
from services.runtime.outbox import events_staged

# Item events the broker did not take at once come 100 to a document (ingestion.WRITE_CHUNK),
# and the relay removes what it published with a `$pull` of the round's event ids from each
# document, which SecantusDB evaluates in time proportional to events x ids: one document
# per round is the cheapest.
RELAY_BATCH = 1
STAGED_SWEEP_SECONDS = 60.0


class MonitoringService(EventConsumerService):
    name = "monitoring"
    settings_class = MonitoringSettings

    relay = OutboxRelayProvider(collections=OUTBOX_COLLECTIONS, batch_size=RELAY_BATCH)
    context: Context = ServiceContext(MonitoringDependencies.open)
    settings: MonitoringSettings = Settings()

    # -- what plans tell us -------------------------------------------------------------

    @consumes(EventType.PLAN_CREATED)
    def on_plan_created(self, envelope: Envelope, event: PlanCreated) -> None:
        plans.on_plan_created(event, envelope.id, self.context)

    @consumes(EventType.PLAN_ISSUED)
    def on_plan_issued(self, envelope: Envelope, event: PlanIssued) -> None:
        plans.on_plan_issued(event, self.context)

    @consumes(EventType.TASK_ASSIGNED)
    def on_task_assigned(self, envelope: Envelope, event: TaskAssigned) -> None:
        plans.on_task_assigned(event, self.context)

    @consumes(EventType.PLAN_CLOSED)
    def on_plan_closed(self, envelope: Envelope, event: PlanClosed) -> None:
        plans.on_plan_closed(event, self.context)

    @rpc_method(monitoring_rpc.WATCHED_PLAN)
    def watched_plan(self, plan_id: str) -> dict[str, Any]:
        return plans.watched_plan(plan_id, self.context)

    @rpc_method(monitoring_rpc.LIST_ASSIGNMENTS)
    def list_assignments(self, request: monitoring.ListAssignmentsRequest) -> Any:
        return plans.list_assignments(request, self.context)

    # -- sources and polling ----------------------------------------------------------------

    @rpc_method(monitoring_rpc.UPSERT_SOURCE)
    def upsert_source(self, request: monitoring.UpsertSourceRequest) -> monitoring.SourceReply:
        return sources.upsert_source(request, self.context)

    @rpc_method(monitoring_rpc.GET_SOURCE)
    def get_source(self, request: monitoring.SourceRef) -> monitoring.SourceReply:
        return sources.get_source(request, self.context)

    @rpc_method(monitoring_rpc.LIST_SOURCES)
    def list_sources(self, request: monitoring.ListSourcesRequest) -> monitoring.Page:
        return sources.list_sources(request, self.context)

    @rpc_method(monitoring_rpc.POLL_NOW)
    def poll_now(self, request: monitoring.SourceRef) -> monitoring.PollResult:
        return polling.poll_source(sources.polled_source(request, self.context), self.context)

    @settings_timer("monitoring_poll_tick_seconds")
    def poll_due(self) -> None:
        """Fetch due sources, each in its own green thread of a bounded pool."""
        pool = eventlet.GreenPool(self.settings.monitoring_fetch_concurrency)
        if polling.poll_due(self.context, pool):
            events_staged.set(True)  # the polls ran in other threads: wake the relay from here

    @timer(interval=STAGED_SWEEP_SECONDS)
    def release_staged_events(self) -> None:
        """Events of batches whose worker died mid-write (services/runtime/staged_events.py)."""
        if items.release_staged_events(self.context):
            events_staged.set(True)

    @settings_timer("monitoring_health_scan_seconds")
    def scan_health(self) -> None:
        if polling.scan_health(self.context):
            events_staged.set(True)

    # -- items ----------------------------------------------------------------------------

    @rpc_method(monitoring_rpc.PUSH_ITEM)
    def push_item(self, request: monitoring.PushItemRequest) -> monitoring.ItemResult:
        return items.push_one(request, self.context)

    @rpc_method(monitoring_rpc.PUSH_ITEMS)
    def push_items(self, request: monitoring.PushItemsRequest) -> monitoring.PushResult:
        return items.push(request.items, self.context)

    @rpc_method(monitoring_rpc.GET_ITEM)
    def get_item(self, request: monitoring.ItemRef) -> monitoring.ItemReply:
        return items.get_item(request, self.context)

    @rpc_method(monitoring_rpc.LIST_ITEMS)
    def list_items(self, request: monitoring.ListItemsRequest) -> monitoring.Page:
        return items.list_items(request, self.context)

    # -- alerts, rules, topics --------------------------------------------------------------

    @rpc_method(monitoring_rpc.LIST_ALERTS)
    def list_alerts(self, request: monitoring.ListAlertsRequest) -> monitoring.Page:
        return alerts.list_alerts(request, self.context)

    @rpc_method(monitoring_rpc.ACT_ON_ALERT)
    def act_on_alert(self, request: monitoring.AlertActionRequest) -> monitoring.AlertReply:
        return alerts.act_on_alert(request, self.context)

    @rpc_method(monitoring_rpc.LIST_ALERT_RULES)
    def list_alert_rules(self, request: monitoring.ListAlertRulesRequest,
                         ) -> list[monitoring.AlertRuleModel]:
        return alerts.list_alert_rules(self.context)

    @rpc_method(monitoring_rpc.UPSERT_ALERT_RULE)
    def upsert_alert_rule(self, request: monitoring.UpsertAlertRuleRequest,
                          ) -> monitoring.AlertRuleModel:
        return alerts.upsert_alert_rule(request, self.context)

    @rpc_method(monitoring_rpc.DELETE_ALERT_RULE)
    def delete_alert_rule(self, request: monitoring.AlertRuleRef) -> dict[str, Any]:
        return alerts.delete_alert_rule(request, self.context)

    @rpc_method(monitoring_rpc.LIST_TOPICS)
    def list_topics(self, request: monitoring.ListTopicsRequest) -> list[monitoring.TopicModel]:
        return topics.list_topics(self.context)

    @rpc_method(monitoring_rpc.UPSERT_TOPIC)
    def upsert_topic(self, request: monitoring.UpsertTopicRequest) -> monitoring.TopicModel:
        return topics.upsert_topic(request, self.context)

    @rpc_method(monitoring_rpc.DELETE_TOPIC)
    def delete_topic(self, request: monitoring.TopicRef) -> dict[str, Any]:
        return topics.delete_topic(request, self.context)

    # -- coverage ---------------------------------------------------------------------------

    @rpc_method(monitoring_rpc.COVERAGE)
    def coverage(self, request: monitoring.CoverageRequest) -> monitoring.CoverageReply:
        return coverage.coverage(request, self.context)

    @rpc_method(monitoring_rpc.EXPORT_COVERAGE_CSV)
    def export_coverage_csv(self, request: monitoring.CoverageRequest) -> monitoring.CsvExport:
        return coverage.coverage_csv(request, self.context)
