"""The monitoring service: thin nameko entrypoints over the handlers (see README.md)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from nameko.timer import Timer, timer

from services.contracts import monitoring as c
from services.contracts.envelope import Envelope
from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.events import EventType
from services.contracts.events.plans import PlanClosed, PlanCreated, PlanIssued, TaskAssigned
from services.monitoring import handlers as h
from services.monitoring import plan_coverage
from services.monitoring import repository as r
from services.monitoring.fetching import Fetcher
from services.monitoring.ingest import Runtime
from services.monitoring.settings import MonitoringSettings
from services.runtime import mongo
from services.runtime.nameko_ext.base import EventConsumerService
from services.runtime.nameko_ext.entrypoints import consumes, rpc_method
from services.runtime.nameko_ext.providers import OutboxRelayProvider, settings_of
from services.runtime.outbox import EventPublisher, events_staged

log = logging.getLogger(__name__)

WATCHED_PLANS = r.WATCHED_PLANS
# Item events the broker did not take at once come 100 to a document (ingest.WRITE_CHUNK),
# and the relay removes what it published with a `$pull` of the round's event ids from each
# document, which SecantusDB evaluates in time proportional to events x ids: one document
# per round is the cheapest (database CPU per event, measured: 0.33-0.41 ms at 1, 0.37-0.44
# at 2, 0.44-0.73 at 4).
RELAY_BATCH = 1
STAGED_SWEEP_SECONDS = 60.0


class SettingsTimer(Timer):
    """A nameko timer whose interval is a field of the service settings."""

    def __init__(self, setting: str, **kwargs: Any) -> None:
        super().__init__(interval=60.0, **kwargs)
        self.setting = setting

    def setup(self) -> None:
        self.interval = float(getattr(settings_of(self.container), self.setting))


settings_timer = SettingsTimer.decorator


class Monitor(DependencyProvider):
    """The per-process ingestion runtime (pipeline, dedup index, caches), the fetcher and the
    bounded pool of fetches."""

    def setup(self) -> None:
        settings = settings_of(self.container)
        assert isinstance(settings, MonitoringSettings)
        self.settings = settings
        db = mongo.connect(settings, self.container.service_name)
        # Item events get their own connection, so they do not queue behind the relay's
        # batches (a publisher's batches take turns on its one channel).
        self.publisher = EventPublisher(settings.amqp_uri, self.container.service_name,
                                        settings.amqp_heartbeat_seconds)
        self.runtime = Runtime(db, dedup_window_days=settings.monitoring_dedup_window_days,
                               publish=self.publisher.publish_envelopes)
        self.fetcher = Fetcher(allowlist=settings.allowlist(),
                               timeout=settings.monitoring_fetch_timeout_seconds,
                               max_bytes=settings.monitoring_fetch_max_bytes,
                               politeness=settings.monitoring_politeness_seconds,
                               user_agent=settings.monitoring_user_agent)
        self.pool = eventlet.GreenPool(settings.monitoring_fetch_concurrency)

    def start(self) -> None:
        r.ensure_indexes(self.runtime.db)
        self.runtime.start()

    def stop(self) -> None:
        self.publisher.close()

    def get_dependency(self, worker_ctx: Any) -> Monitor:
        return self

    def context(self) -> h.Context:
        return h.Context(self.runtime.db, self.runtime, self.fetcher,
                         lambda: datetime.now(UTC), self.settings.monitoring_max_failures)


class MonitoringService(EventConsumerService):
    name = "monitoring"
    settings_class = MonitoringSettings

    relay = OutboxRelayProvider(collections=r.OUTBOX_COLLECTIONS, batch_size=RELAY_BATCH)
    monitor: Monitor = Monitor()

    # -- what plans tell us -------------------------------------------------------------

    @consumes(EventType.PLAN_CREATED)
    def on_plan_created(self, envelope: Envelope, event: PlanCreated) -> None:
        plan_coverage.on_plan_created(event, envelope.id, self.db)

    @consumes(EventType.PLAN_ISSUED)
    def on_plan_issued(self, envelope: Envelope, event: PlanIssued) -> None:
        plan_coverage.on_plan_issued(event, self.db)

    @consumes(EventType.TASK_ASSIGNED)
    def on_task_assigned(self, envelope: Envelope, event: TaskAssigned) -> None:
        plan_coverage.on_task_assigned(event, self.db)

    @consumes(EventType.PLAN_CLOSED)
    def on_plan_closed(self, envelope: Envelope, event: PlanClosed) -> None:
        plan_coverage.on_plan_closed(event, self.db)

    @rpc_method()
    def watched_plan(self, plan_id: str) -> dict[str, Any]:
        found = self.db[WATCHED_PLANS].find_one({"_id": plan_id})
        if found is None:
            raise ServiceError(ErrorCode.NOT_FOUND, f"plan {plan_id} is not watched")
        found["plan_id"] = found.pop("_id")
        return found

    @rpc_method(c.ListAssignmentsRequest)
    def list_assignments(self, request: c.ListAssignmentsRequest) -> Any:
        return plan_coverage.list_assignments(request, self.db)

    # -- sources and polling ----------------------------------------------------------------

    @rpc_method(c.UpsertSourceRequest)
    def upsert_source(self, request: c.UpsertSourceRequest) -> Any:
        return h.upsert_source(request, self.monitor.context())

    @rpc_method(c.SourceRef)
    def get_source(self, request: c.SourceRef) -> Any:
        return h.get_source(request.source_id, self.monitor.context())

    @rpc_method(c.ListSourcesRequest)
    def list_sources(self, request: c.ListSourcesRequest) -> Any:
        return h.list_sources(request, self.monitor.context())

    @rpc_method(c.SourceRef)
    def poll_now(self, request: c.SourceRef) -> Any:
        ctx = self.monitor.context()
        source = ctx.db[r.SOURCES].find_one({"_id": request.source_id})
        if source is None:
            raise ServiceError(ErrorCode.NOT_FOUND, f"source {request.source_id} not found")
        if source["kind"] not in h.POLLED_KINDS or not source.get("url"):
            raise ServiceError(ErrorCode.INVALID_TRANSITION,
                               f"a {source['kind']} source is not polled")
        return h.poll_source(source, ctx)

    @settings_timer("monitoring_poll_tick_seconds")
    def poll_due(self) -> None:
        """Fetch due sources, each in its own green thread of a bounded pool."""
        ctx = self.monitor.context()
        pool = self.monitor.pool
        running = []
        while pool.free() > 0 and (source := h.claim_due_source(ctx)) is not None:
            running.append(pool.spawn(h.poll_source, source, ctx))
        for thread in running:
            thread.wait()
        if running:
            events_staged.set(True)  # wake the relay after this worker

    @timer(interval=STAGED_SWEEP_SECONDS)
    def release_staged_events(self) -> None:
        """Events of batches whose worker died mid-write (see ingest.py)."""
        if self.monitor.runtime.release_staged_events():
            events_staged.set(True)

    @settings_timer("monitoring_health_scan_seconds")
    def scan_health(self) -> None:
        if h.scan_health(self.monitor.context()):
            events_staged.set(True)

    # -- items ----------------------------------------------------------------------------

    @rpc_method(c.PushItemRequest)
    def push_item(self, request: c.PushItemRequest) -> Any:
        result = h.push([request.item], self.monitor.context())
        return result.results[0]

    @rpc_method(c.PushItemsRequest)
    def push_items(self, request: c.PushItemsRequest) -> Any:
        return h.push(request.items, self.monitor.context())

    @rpc_method(c.ItemRef)
    def get_item(self, request: c.ItemRef) -> Any:
        return h.get_item(request.item_id, self.monitor.context())

    @rpc_method(c.ListItemsRequest)
    def list_items(self, request: c.ListItemsRequest) -> Any:
        return h.list_items(request, self.monitor.context())

    # -- alerts, rules, topics --------------------------------------------------------------

    @rpc_method(c.ListAlertsRequest)
    def list_alerts(self, request: c.ListAlertsRequest) -> Any:
        return h.list_alerts(request, self.monitor.context())

    @rpc_method(c.AlertActionRequest)
    def act_on_alert(self, request: c.AlertActionRequest) -> Any:
        return h.act_on_alert(request, self.monitor.context())

    @rpc_method(c.ListAlertRulesRequest)
    def list_alert_rules(self, request: c.ListAlertRulesRequest) -> Any:
        return h.list_alert_rules(self.monitor.context())

    @rpc_method(c.UpsertAlertRuleRequest)
    def upsert_alert_rule(self, request: c.UpsertAlertRuleRequest) -> Any:
        return h.upsert_alert_rule(request, self.monitor.context())

    @rpc_method(c.AlertRuleRef)
    def delete_alert_rule(self, request: c.AlertRuleRef) -> Any:
        return h.delete_alert_rule(request, self.monitor.context())

    @rpc_method(c.ListTopicsRequest)
    def list_topics(self, request: c.ListTopicsRequest) -> Any:
        return h.list_topics(self.monitor.context())

    @rpc_method(c.UpsertTopicRequest)
    def upsert_topic(self, request: c.UpsertTopicRequest) -> Any:
        return h.upsert_topic(request, self.monitor.context())

    @rpc_method(c.TopicRef)
    def delete_topic(self, request: c.TopicRef) -> Any:
        return h.delete_topic(request, self.monitor.context())

    # -- coverage ---------------------------------------------------------------------------

    @rpc_method(c.CoverageRequest)
    def coverage(self, request: c.CoverageRequest) -> Any:
        return plan_coverage.coverage(request, self.monitor.context())

    @rpc_method(c.CoverageRequest)
    def export_coverage_csv(self, request: c.CoverageRequest) -> Any:
        return plan_coverage.coverage_csv(request, self.monitor.context())
