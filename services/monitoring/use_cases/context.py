"""What a monitoring use case works with: its unit of work, the process's ingestion and
fetcher, and the clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.monitoring.fetching import Fetcher
from services.monitoring.ingestion import Ingestion
from services.monitoring.repositories import MonitoringUnitOfWork


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    uow: MonitoringUnitOfWork
    ingestion: Ingestion
    fetcher: Fetcher
    now: Callable[[], datetime] = utc_now
    max_failures: int = 5
    # Makes another unit of work, for use cases a worker runs in several threads at once.
    unit_of_work: Callable[[], MonitoringUnitOfWork] | None = None

    def fresh(self) -> Context:
        """The same context with a unit of work of its own (one per thread)."""
        assert self.unit_of_work is not None, "this context makes no other unit of work"
        return dataclasses.replace(self, uow=self.unit_of_work())


def as_reply(aggregate: Any) -> dict[str, Any]:
    """An aggregate's fields, for the reply model that carries them (its recorded events
    aside)."""
    return {field.name: getattr(aggregate, field.name) for field in dataclasses.fields(aggregate)
            if field.name != "events"}
