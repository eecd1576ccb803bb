"""What every use case of the service works with: the database, the settings, the plans
service's units, the clock, and the process's dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pymongo.database import Database

from services.notifications.directory import RemoteUnits
from services.notifications.settings import NotificationsSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sender(Protocol):
    """The process's dispatcher, as planning sees it (`dispatch.Dispatcher`)."""

    owner: str

    def hand_over_lease(self, now: datetime) -> datetime | None:
        """The lease to store deliveries claimed for it with, or None when it has enough
        handed over already (those are then stored pending, for any dispatcher to claim)."""

    def hand_over(self, claim: str, delivery_ids: list[str], lease_until: datetime) -> None: ...


@dataclass
class Context:
    db: Database
    settings: NotificationsSettings
    remote: RemoteUnits | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    # Set in the service: deliveries due at once are stored already claimed for this
    # process's dispatcher and handed to it, instead of being claimed by one more write each.
    sender: Sender | None = None

    def now(self) -> datetime:
        return self.clock()
