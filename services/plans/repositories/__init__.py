"""Storage of the plans service (pymongo), one store per aggregate. Every write that changes a
plan, task or report stores its events in the same single-document write (outbox); a
whole-task write is guarded by the task's `version`, so concurrent writers never lose each
other's changes. `PlansRepository` is the one object the use cases hold.

Writes go by `_id` (`update_one({_id, guard})`), never through findAndModify: SecantusDB runs
findAndModify, and updates filtered on other fields, as a scan of the whole collection."""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from pymongo.errors import OperationFailure

from services.plans.repositories.audit import AuditStore
from services.plans.repositories.base import (
    BUCKET_PROJECTION,
    OUTBOX_COLLECTIONS,
    SCAN_PROJECTION,
    ProgressStamp,
    batched,
)
from services.plans.repositories.deadlines import DeadlineAlertWrite, DeadlineStore, alert_id
from services.plans.repositories.plans import PlanStore
from services.plans.repositories.reports import ReportStore
from services.plans.repositories.tasks import TaskStore
from services.plans.repositories.units import UnitStore
from services.runtime.unit_of_work import StaleWrite

__all__ = [
    "BUCKET_PROJECTION",
    "OUTBOX_COLLECTIONS",
    "SCAN_PROJECTION",
    "DeadlineAlertWrite",
    "PlansRepository",
    "ProgressStamp",
    "StaleWrite",
    "alert_id",
    "batched",
    "read_side",
]


class PlansRepository(AuditStore, UnitStore, PlanStore, TaskStore, DeadlineStore, ReportStore):
    """The read side (progress, exports, gauges) and the deadline scan's bulk writes, made at
    once rather than through a commit; and the indexes every store relies on."""

    @property
    def name(self) -> str:
        """The database's name: what the read side's caches are kept per."""
        return str(self.db.name)

    def drop_retired_indexes(self) -> None:
        with contextlib.suppress(OperationFailure):  # the skeleton's narrower index
            self.plans.drop_index("number_per_issuer")



@functools.cache
def read_side(db: Any) -> PlansRepository:
    """One per process and database: building pymongo's collection objects for every request
    was a measurable share of a read's CPU (docs/decisions/0003-the-rpc-path.md)."""
    return PlansRepository(db)
