"""What monitoring's use cases need for the life of the process, and the context each worker
gets (`ServiceContext` in services/runtime/nameko_ext builds it once per process)."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from services.monitoring.fetching import Fetcher
from services.monitoring.ingestion import Ingestion
from services.monitoring.repositories import MongoMonitoringUnitOfWork, ensure_indexes
from services.monitoring.settings import MonitoringSettings
from services.monitoring.use_cases.context import Context
from services.runtime.logging import correlation_id
from services.runtime.outbox import EventPublisher
from services.runtime.settings import ServiceSettings


class MonitoringDependencies:
    def __init__(self, settings: MonitoringSettings, db: Database[dict[str, Any]],
                 service: str) -> None:
        self.settings = settings
        self.db = db
        # Item events get their own connection, so they do not queue behind the relay's
        # batches (a publisher's batches take turns on its one channel).
        self.publisher = EventPublisher(settings.amqp_uri, service,
                                        settings.amqp_heartbeat_seconds)
        self.ingestion = Ingestion(self.unit_of_work,
                                   dedup_window_days=settings.monitoring_dedup_window_days,
                                   publish=self.publisher.publish_envelopes)
        self.fetcher = Fetcher(allowlist=settings.allowlist(),
                               timeout=settings.monitoring_fetch_timeout_seconds,
                               max_bytes=settings.monitoring_fetch_max_bytes,
                               politeness=settings.monitoring_politeness_seconds,
                               user_agent=settings.monitoring_user_agent)

    @classmethod
    def open(cls, settings: ServiceSettings, db: Database[dict[str, Any]],
             service: str) -> MonitoringDependencies:
        assert isinstance(settings, MonitoringSettings)
        return cls(settings, db, service)

    def start(self) -> None:
        ensure_indexes(self.db)
        self.ingestion.start()

    def stop(self) -> None:
        self.publisher.close()

    def unit_of_work(self) -> MongoMonitoringUnitOfWork:
        return MongoMonitoringUnitOfWork(self.db, correlation_id=correlation_id.get)

    def context(self) -> Context:
        return Context(self.unit_of_work(), self.ingestion, self.fetcher,
                       max_failures=self.settings.monitoring_max_failures,
                       unit_of_work=self.unit_of_work)
