"""What every use case of the service works with: its unit of work (the repositories), the
settings, the plans service's units, the clock, and the process's dispatcher."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from services.notifications.repositories import NotificationsUnitOfWork
from services.notifications.settings import NotificationsSettings
from services.runtime.concurrency import Threads, Workers


def utc_now() -> datetime:
    return datetime.now(UTC)


class RemoteUnits(Protocol):
    """Read access to the plans service's organisation (may answer None/[])."""

    def get_unit(self, unit_id: str) -> dict[str, Any] | None: ...

    def resolve_group(self, group: str, as_of: date) -> list[str]:
        """The ids of the group's units that existed on `as_of`."""

    def get_plan(self, plan_id: str) -> dict[str, Any] | None: ...


class Sender(Protocol):
    """The process's dispatcher, as planning sees it (`dispatch.Dispatcher`)."""

    owner: str

    def hand_over_lease(self, now: datetime) -> datetime | None:
        """The lease to store deliveries claimed for it with, or None when it has enough
        handed over already (those are then stored pending, for any dispatcher to claim)."""

    def hand_over(self, claim: str, delivery_ids: list[str], lease_until: datetime) -> None: ...


@dataclass
class Context:
    uow: NotificationsUnitOfWork
    settings: NotificationsSettings
    remote: RemoteUnits | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    # Set in the service: deliveries due at once are stored already claimed for this
    # process's dispatcher and handed to it, instead of being claimed by one more write each.
    sender: Sender | None = None
    # What runs sends side by side: green threads in the service, threads elsewhere.
    workers: Workers = field(default_factory=Threads)

    def now(self) -> datetime:
        return self.clock()

    def fresh(self) -> Context:
        """The same context with a unit of work of its own, for work beside this one (a
        unit of work remembers what its use case loaded)."""
        return dataclasses.replace(self, uow=self.uow.fresh())
