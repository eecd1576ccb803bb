"""The monitoring service's storage: the only code that knows its collections and query
syntax. Named methods return domain objects (or replies, for listings); a use case changes
them inside a unit of work (`MonitoringUnitOfWork`), which writes them at commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from services.monitoring.repositories.alerts import ALERTS, AlertsRepository
from services.monitoring.repositories.counts import CountsRepository
from services.monitoring.repositories.dedup_log import DedupLogRepository
from services.monitoring.repositories.items import ITEM_EVENTS, ItemsRepository
from services.monitoring.repositories.labels import ITEM_LABELS, LabelsRepository
from services.monitoring.repositories.models import ModelJobsRepository, ModelsRepository
from services.monitoring.repositories.plans import PlansRepository
from services.monitoring.repositories.reference import (
    AlertRulesRepository,
    StateRepository,
    TopicsRepository,
)
from services.monitoring.repositories.sources import SourcesRepository
from services.runtime.mongo_repository import ensure_indexes_of, open_repositories
from services.runtime.mongo_unit_of_work import MongoUnitOfWork
from services.runtime.unit_of_work import UnitOfWork

# Alerts and labels carry their events; item events wait in their chunk's staged document.
OUTBOX_COLLECTIONS = [ITEM_EVENTS, ALERTS, ITEM_LABELS]

__all__ = [
    "OUTBOX_COLLECTIONS",
    "MongoMonitoringUnitOfWork",
    "MonitoringUnitOfWork",
    "ensure_indexes",
]


def ensure_indexes(db: Database[dict[str, Any]]) -> None:
    ensure_indexes_of(MongoMonitoringUnitOfWork, db)


class MonitoringUnitOfWork(UnitOfWork):
    """The repositories a monitoring use case works with (the Mongo one opens each of them);
    commits write in this order."""

    sources: SourcesRepository
    alerts: AlertsRepository
    items: ItemsRepository
    topics: TopicsRepository
    rules: AlertRulesRepository
    plans: PlansRepository
    counts: CountsRepository
    dedup_log: DedupLogRepository
    labels: LabelsRepository
    models: ModelsRepository
    model_jobs: ModelJobsRepository
    state: StateRepository  # last: version stamps follow the changes they announce


class MongoMonitoringUnitOfWork(MongoUnitOfWork, MonitoringUnitOfWork):
    def __init__(self, db: Database[dict[str, Any]],
                 correlation_id: Callable[[], str | None] = lambda: None) -> None:
        super().__init__(db, correlation_id=correlation_id)
        open_repositories(self, db)
