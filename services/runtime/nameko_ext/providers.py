"""Dependency providers every service uses: database, settings, the use cases' context, inbox,
outbox relay, metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import eventlet
from eventlet.event import Event
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from pymongo.database import Database as MongoDatabase

from services.contracts.errors import ServiceError
from services.contracts.topology import subscription_for
from services.runtime import mongo
from services.runtime.inbox import DeadLettered, EventInbox
from services.runtime.logging import correlation_id
from services.runtime.metrics import ENTRYPOINT_CALLS, ENTRYPOINT_LATENCY
from services.runtime.outbox import (
    DEFAULT_BATCH,
    EventPublisher,
    OutboxRelay,
    ensure_outbox_index,
    events_staged,
)
from services.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

SETTINGS_KEY = "CAMPAIGN_SETTINGS"


def settings_of(container: Any) -> ServiceSettings:
    settings: ServiceSettings = container.config[SETTINGS_KEY]
    return settings


class Database(DependencyProvider):
    """The service's own MongoDB database (pymongo), connected once per process."""

    db: MongoDatabase

    def setup(self) -> None:
        self.db = mongo.connect(settings_of(self.container), self.container.service_name)

    def start(self) -> None:
        ensure_indexes = getattr(self.container.service_cls, "ensure_indexes", None)
        if ensure_indexes is not None:
            ensure_indexes(self.db)

    def get_dependency(self, worker_ctx: Any) -> MongoDatabase:
        return self.db


class Settings(DependencyProvider):
    """The service's validated settings (its `settings_class`), for entrypoints."""

    def get_dependency(self, worker_ctx: Any) -> ServiceSettings:
        return settings_of(self.container)


class ProcessDependencies(Protocol):
    """What a service's use cases need that lives as long as the process (connections,
    caches, in-memory indexes), and the context each worker gets from it."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def context(self) -> Any: ...


# Builds a service's process dependencies from its settings, its database and its name.
OpenDependencies = Callable[[ServiceSettings, MongoDatabase, str], ProcessDependencies]


class ServiceContext(DependencyProvider):
    """The one provider of a service's use-case context, declared once on the service class
    (`context = ServiceContext(MonitoringDependencies.open)`): the process dependencies are
    built at setup and started with the container, and every worker gets a fresh context (its
    own unit of work) from them."""

    def __init__(self, open_dependencies: OpenDependencies) -> None:
        self.open_dependencies = open_dependencies

    def setup(self) -> None:
        settings = settings_of(self.container)
        service = self.container.service_name
        self.dependencies = self.open_dependencies(settings, mongo.connect(settings, service),
                                                   service)

    def start(self) -> None:
        self.dependencies.start()

    def stop(self) -> None:
        self.dependencies.stop()

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.dependencies.context()


class Inbox(DependencyProvider):
    """Idempotent consumption and dead letters; checks the topology at start."""

    def setup(self) -> None:
        service = self.container.service_name
        db = mongo.connect(settings_of(self.container), service)
        self.inbox = EventInbox(db, service)
        for entrypoint in self.container.entrypoints:
            if isinstance(entrypoint, EventHandler):
                subscription_for(entrypoint.event_type, service, entrypoint.method_name)

    def start(self) -> None:
        self.inbox.ensure_indexes()

    def get_dependency(self, worker_ctx: Any) -> EventInbox:
        return self.inbox


class OutboxRelayProvider(DependencyProvider):
    """Publishes outbox events right after each worker, and on a timer for leftovers."""

    def __init__(self, collections: list[str], batch_size: int = DEFAULT_BATCH) -> None:
        self.collections = collections
        self.batch_size = batch_size
        self._kick = Event()
        self._running = False
        self._thread: Any = None

    def setup(self) -> None:
        settings = settings_of(self.container)
        service = self.container.service_name
        db = mongo.connect(settings, service)
        self.publisher = EventPublisher(settings.amqp_uri, service,
                                        settings.amqp_heartbeat_seconds)
        self.relay = OutboxRelay(db, self.collections, self.publisher, self.batch_size,
                                 settings.outbox_lease_seconds, settings.failpoint_names())
        self.poll_seconds = settings.outbox_poll_seconds
        for name in self.collections:
            ensure_outbox_index(db, name)

    def start(self) -> None:
        self.publisher.declare_topology()
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._loop,
                                                           identifier="outbox-relay")

    def stop(self) -> None:
        self._running = False
        self.kick()
        if self._thread is not None:
            self._thread.wait()
        self.publisher.close()

    def kill(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.kill()

    def kick(self) -> None:
        if not self._kick.ready():
            self._kick.send(True)

    def worker_teardown(self, worker_ctx: Any) -> None:
        if events_staged.get():
            events_staged.set(False)
            self.kick()

    def _loop(self) -> None:
        backoff = self.poll_seconds
        while self._running:
            with eventlet.Timeout(backoff, False):
                self._kick.wait()
            if self._kick.ready():
                self._kick.reset()
            try:
                self.relay.flush()
                backoff = self.poll_seconds
            except Exception as exc:
                backoff = min(backoff * 2, 30.0)
                log.warning("outbox relay failed, retrying", extra={
                    "error": str(exc)[:300], "retry_in_s": backoff})

    def get_dependency(self, worker_ctx: Any) -> OutboxRelay:
        return self.relay


def entrypoint_kind(entrypoint: Any) -> str:
    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    return type(entrypoint).__name__.lower()


class EntrypointMetrics(DependencyProvider):
    """RED metrics for every entrypoint, and the correlation id in logs."""

    def setup(self) -> None:
        self.started: dict[Any, float] = {}

    def worker_setup(self, worker_ctx: Any) -> None:
        self.started[worker_ctx] = time.perf_counter()
        cid = worker_ctx.data.get("correlation_id") or worker_ctx.call_id
        worker_ctx.data.setdefault("correlation_id", cid)
        correlation_id.set(cid)

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self.started.pop(worker_ctx, None)
        service = self.container.service_name
        kind = entrypoint_kind(worker_ctx.entrypoint)
        name = worker_ctx.entrypoint.method_name
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], ServiceError):
            outcome = "rejected"
        elif isinstance(exc_info[1], DeadLettered):
            outcome = "dead_lettered"
        else:
            outcome = "error"
        ENTRYPOINT_CALLS.labels(service, kind, name, outcome).inc()
        if started is not None:
            ENTRYPOINT_LATENCY.labels(service, kind, name).observe(time.perf_counter() - started)
