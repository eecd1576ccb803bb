"""The notifications service's storage: the only code that knows its collections and query
syntax. A use case reaches them through its unit of work (`NotificationsUnitOfWork`).

Collections (ids are natural keys, so a replayed write is a no-op):
  recipients    _id unit id
  notices       _id notice id (derived from the triggering event's natural key)
  deliveries    _id idempotency key (notice, unit, channel, language): exactly once
  translations  _id "<notice>:<language>"
  acks, reads   _id "<notice>:<unit>"
  escalations   _id step key "esc:<notice>:<unit>:<step>"
  channels, templates, config, known_plans   what officers configure; plans known by events
  dispatch_log  one document per sent batch: results + events, applied to deliveries
Events are stored with the change in the same document (`_outbox`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from services.notifications.repositories.acknowledgements import (
    ACKS,
    AcknowledgementsRepository,
)
from services.notifications.repositories.configuration import ConfigurationRepository
from services.notifications.repositories.deliveries import DELIVERIES, DeliveriesRepository
from services.notifications.repositories.dispatching import DISPATCH_LOG, DispatchRepository
from services.notifications.repositories.notices import NOTICES, NoticesRepository
from services.notifications.repositories.receipts import (
    ESCALATIONS,
    READS,
    ReceiptsRepository,
)
from services.notifications.repositories.recipients import RECIPIENTS, RecipientsRepository
from services.notifications.repositories.translations import (
    TRANSLATIONS,
    TranslationsRepository,
)
from services.runtime.mongo_repository import ensure_indexes_of, open_repositories
from services.runtime.mongo_unit_of_work import MongoUnitOfWork
from services.runtime.unit_of_work import UnitOfWork

OUTBOX_COLLECTIONS = [NOTICES, DELIVERIES, TRANSLATIONS, ACKS, ESCALATIONS, DISPATCH_LOG]

__all__ = ["ACKS", "DELIVERIES", "DISPATCH_LOG", "ESCALATIONS", "NOTICES", "OUTBOX_COLLECTIONS",
           "READS", "RECIPIENTS", "TRANSLATIONS", "MongoNotificationsUnitOfWork",
           "NotificationsUnitOfWork", "ensure_indexes"]


def ensure_indexes(db: Database[dict[str, Any]]) -> None:
    ensure_indexes_of(MongoNotificationsUnitOfWork, db)


class NotificationsUnitOfWork(UnitOfWork):
    """The repositories a notifications use case works with (the Mongo one opens each of
    them); a commit writes the aggregates of `translations` and `acks` with their events."""

    recipients: RecipientsRepository
    notices: NoticesRepository
    translations: TranslationsRepository
    acks: AcknowledgementsRepository
    deliveries: DeliveriesRepository
    dispatching: DispatchRepository
    receipts: ReceiptsRepository
    configuration: ConfigurationRepository

    @abstractmethod
    def fresh(self) -> NotificationsUnitOfWork:
        """Another unit of work on the same storage."""


class MongoNotificationsUnitOfWork(MongoUnitOfWork, NotificationsUnitOfWork):
    def __init__(self, db: Database[dict[str, Any]],
                 correlation_id: Callable[[], str | None] = lambda: None) -> None:
        super().__init__(db, correlation_id=correlation_id)
        open_repositories(self, db)

    def fresh(self) -> MongoNotificationsUnitOfWork:
        return MongoNotificationsUnitOfWork(self.db, self.correlation_id)
