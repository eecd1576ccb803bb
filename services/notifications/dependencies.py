"""What notifications' use cases need for the life of the process (its database, settings and
dispatcher), and the context each worker gets (`ServiceContext` in
services/runtime/nameko_ext builds it once per process)."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from services.notifications.context import Context
from services.notifications.dispatch import Dispatcher
from services.notifications.repositories import MongoNotificationsUnitOfWork, ensure_indexes
from services.notifications.settings import NotificationsSettings
from services.runtime.logging import correlation_id
from services.runtime.nameko_ext.green import GreenWorkers
from services.runtime.settings import ServiceSettings


class NotificationsDependencies:
    def __init__(self, settings: NotificationsSettings, db: Database[dict[str, Any]]) -> None:
        self.settings = settings
        self.db = db
        # One per process: its owner id marks its leases, its buckets rate-limit its sends.
        self.dispatcher = Dispatcher()
        self.workers = GreenWorkers()

    @classmethod
    def open(cls, settings: ServiceSettings, db: Database[dict[str, Any]],
             service: str) -> NotificationsDependencies:
        assert isinstance(settings, NotificationsSettings)
        return cls(settings, db)

    def start(self) -> None:
        ensure_indexes(self.db)

    def stop(self) -> None:
        """Nothing to close: the database connection is the process's."""

    def unit_of_work(self) -> MongoNotificationsUnitOfWork:
        return MongoNotificationsUnitOfWork(self.db, correlation_id=correlation_id.get)

    def context(self) -> Context:
        return Context(self.unit_of_work(), self.settings, sender=self.dispatcher,
                       workers=self.workers)
