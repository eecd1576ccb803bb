"""The monitoring service: nameko entrypoints over the use cases (see README.md), each
registered from the typed RPC catalogue."""

from __future__ import annotations

from typing import Any

import eventlet
from eventlet import tpool
from nameko.timer import timer

from services.contracts import monitoring
from services.contracts.envelope import Envelope
from services.contracts.events import EventType
from services.contracts.events.plans import PlanClosed, PlanCreated, PlanIssued, TaskAssigned
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.monitoring.dependencies import MonitoringDependencies
from services.monitoring.repositories import OUTBOX_COLLECTIONS
from services.monitoring.settings import MonitoringSettings
from services.monitoring.use_cases import (
    alerts,
    coverage,
    items,
    labels,
    models,
    plans,
    polling,
    sources,
    topics,
)
from services.monitoring.use_cases.context import Context
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method, serves
from services.runtime.nameko_ext.providers import OutboxRelayProvider, ServiceContext, Settings
from services.runtime.nameko_ext.timers import settings_timer
from services.runtime.outbox import events_staged

# Item events the broker did not take at once come 100 to a document (ingestion.WRITE_CHUNK),
# and the relay removes what it published with a `$pull` of the round's event ids from each
# document, which SecantusDB evaluates in time proportional to events x ids: one document
# per round is the cheapest.
RELAY_BATCH = 1
STAGED_SWEEP_SECONDS = 60.0


def _off_the_loop(work: Any) -> Any:
    """Training runs in an OS thread (the service's other RPCs keep being answered), waited
    on by a green thread."""
    return eventlet.spawn(tpool.execute, work)


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

    list_assignments = serves(monitoring_rpc.LIST_ASSIGNMENTS, plans.list_assignments)

    # -- sources and polling ----------------------------------------------------------------

    upsert_source = serves(monitoring_rpc.UPSERT_SOURCE, sources.upsert_source)
    get_source = serves(monitoring_rpc.GET_SOURCE, sources.get_source)
    list_sources = serves(monitoring_rpc.LIST_SOURCES, sources.list_sources)

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
        labels.refresh_label_gauges(self.context)

    # -- items ----------------------------------------------------------------------------

    push_item = serves(monitoring_rpc.PUSH_ITEM, items.push_one)

    @rpc_method(monitoring_rpc.PUSH_ITEMS)
    def push_items(self, request: monitoring.PushItemsRequest) -> monitoring.PushResult:
        return items.push(request.items, self.context)

    get_item = serves(monitoring_rpc.GET_ITEM, items.get_item)
    list_items = serves(monitoring_rpc.LIST_ITEMS, items.list_items)

    # -- alerts, rules, topics --------------------------------------------------------------

    list_alerts = serves(monitoring_rpc.LIST_ALERTS, alerts.list_alerts)
    act_on_alert = serves(monitoring_rpc.ACT_ON_ALERT, alerts.act_on_alert)

    list_alert_rules = serves(monitoring_rpc.LIST_ALERT_RULES,
                              lambda _, ctx: alerts.list_alert_rules(ctx))
    upsert_alert_rule = serves(monitoring_rpc.UPSERT_ALERT_RULE, alerts.upsert_alert_rule)
    delete_alert_rule = serves(monitoring_rpc.DELETE_ALERT_RULE, alerts.delete_alert_rule)

    list_topics = serves(monitoring_rpc.LIST_TOPICS, lambda _, ctx: topics.list_topics(ctx))
    upsert_topic = serves(monitoring_rpc.UPSERT_TOPIC, topics.upsert_topic)
    delete_topic = serves(monitoring_rpc.DELETE_TOPIC, topics.delete_topic)

    thresholds = serves(monitoring_rpc.THRESHOLDS, lambda _, ctx: topics.thresholds(ctx))
    set_thresholds = serves(monitoring_rpc.SET_THRESHOLDS, topics.set_thresholds)
    label_item = serves(monitoring_rpc.LABEL_ITEM, labels.label_item)
    list_labels = serves(monitoring_rpc.LIST_LABELS, labels.list_labels)
    export_labels = serves(monitoring_rpc.EXPORT_LABELS, labels.export_labels)

    # -- the learned model's versions -------------------------------------------------------

    train_model = serves(monitoring_rpc.TRAIN_MODEL, lambda request, ctx: models.start_training(
        request, ctx, eventlet.spawn, _off_the_loop, eventlet.sleep))
    train_job = serves(monitoring_rpc.TRAIN_JOB, models.train_job)
    list_models = serves(monitoring_rpc.LIST_MODELS, lambda _, ctx: models.list_models(ctx))
    activate_model = serves(monitoring_rpc.ACTIVATE_MODEL, models.activate_model)

    # -- coverage ---------------------------------------------------------------------------

    # Methods, not `serves`: an attribute named `coverage` would hide the use-case module.
    @rpc_method(monitoring_rpc.COVERAGE)
    def coverage(self, request: monitoring.CoverageRequest) -> monitoring.CoverageReply:
        return coverage.coverage(request, self.context)

    @rpc_method(monitoring_rpc.EXPORT_COVERAGE_CSV)
    def export_coverage_csv(self, request: monitoring.CoverageRequest) -> monitoring.CsvExport:
        return coverage.coverage_csv(request, self.context)
