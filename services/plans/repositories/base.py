"""What every store of the plans service shares: the collections and the progress stamps (a
change counter per plan and for the unit directory).

Writes go by `_id` (`update_one({_id, guard})`), never through findAndModify: SecantusDB runs
findAndModify, and updates filtered on other fields, as a scan of the whole collection."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.plans.codec import WATCH

UNITS = "units"
GROUPS = "unit_groups"
PLANS = "plans"
TASKS = "tasks"
REPORTS = "reports"
AUDIT = "audit"
RECEIPTS = "receipts"
IDEMPOTENCY = "idempotency"
# One small document per deadline alert (task, period, kind) carrying its event: inserting it
# is the once-only guard, and the relay settles it without rewriting the large task document.
DEADLINE_ALERTS = "deadline_alerts"
# A change counter per plan (tasks and reports, with the latest changes) and one for the unit
# directory: a progress summary computed at a counter value stays right until it moves, and
# a reader behind by at most CHANGES_KEPT re-reads only what changed.
STAMPS = "progress_stamps"
UNITS_STAMP = "units"
CHANGES_KEPT = 200
OUTBOX_COLLECTIONS = [PLANS, TASKS, REPORTS, DEADLINE_ALERTS]
OUTBOX_HIDDEN = {"_outbox": 0}

# What a task's deadlines and bucket depend on (the gauges read this for every task).
BUCKET_PROJECTION = {"task_id": 1, "plan_id": 1, "parent_task_id": 1, "due_date": 1,
                     "recurrence": 1, "status": 1, "completed_at": 1, "period_completions": 1}
# The deadline scan also needs what its events carry and what keeps its writes exact.
SCAN_PROJECTION = {**BUCKET_PROJECTION, "title": 1, "lead_unit_id": 1,
                   "coordinating_unit_ids": 1, "alerts_sent": 1, "version": 1, WATCH: 1}
# `_id $in` batches: SecantusDB answers them through the `_id` index, but a batch costs more
# per id as it grows (docs/decisions/0002-database-writes-by-id.md); 100 keeps it linear.
ID_BATCH = 100
ALERT_BATCH = 500
T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class ProgressStamp:
    seq: int
    changes: list[dict[str, Any]]  # the latest, oldest first: {"task"|"report": id} or reset
    units_seq: int

    def changes_since(self, seq: int) -> list[dict[str, Any]] | None:
        """The changes after `seq`, or None when they are no longer all kept."""
        behind = self.seq - seq
        if behind < 0 or behind > len(self.changes):
            return None
        return self.changes[len(self.changes) - behind:]




def plan_stamp_id(plan_id: str) -> str:
    return f"plan:{plan_id}"


def plan_changes(tasks: Sequence[str] = (), reports: Sequence[str] = (),
                 reset: bool = False) -> list[dict[str, Any]]:
    """The entries a plan's stamp records for changed tasks (storage keys) and reports."""
    entries: list[dict[str, Any]] = [{"task": k} for k in tasks]
    entries += [{"report": r} for r in reports]
    if reset or len(entries) > CHANGES_KEPT:
        entries = [{"reset": True}]
    return entries


def stamp_update(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """One counter step per entry, and the entries at the end of the ring in the same
    update: the last `k` entries are the changes after `seq - k`."""
    return {"$inc": {"seq": len(entries)},
            "$push": {"changes": {"$each": entries, "$slice": -CHANGES_KEPT}}}


def now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """The collections; each aggregate's store (this package) adds its named queries."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.units = db[UNITS]
        self.groups = db[GROUPS]
        self.plans = db[PLANS]
        self.tasks = db[TASKS]
        self.reports = db[REPORTS]
        self.audit = db[AUDIT]
        self.receipts = db[RECEIPTS]
        self.idempotency = db[IDEMPOTENCY]
        self.stamps = db[STAMPS]
        self.deadline_alerts = db[DEADLINE_ALERTS]

    # -- progress stamps ------------------------------------------------------------------

    def _touch(self, stamp_id: str, entries: list[dict[str, Any]]) -> None:
        update = stamp_update(entries)
        try:
            self.stamps.update_one({"_id": stamp_id}, update, upsert=True)
        except DuplicateKeyError:  # two first changes raced to create it: it exists now
            self.stamps.update_one({"_id": stamp_id}, update)

    def progress_stamp(self, plan_id: str) -> ProgressStamp:
        """The plan's change count with its latest changes, and the unit directory's count."""
        docs = {d["_id"]: d for d in self.stamps.find(
            {"_id": {"$in": [f"plan:{plan_id}", UNITS_STAMP]}})}
        plan = docs.get(f"plan:{plan_id}", {})
        return ProgressStamp(plan.get("seq", 0), plan.get("changes", []),
                             docs.get(UNITS_STAMP, {}).get("seq", 0))
