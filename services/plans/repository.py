"""Storage of the plans service (pymongo). Every write that changes a plan, task or report
stores its events in the same single-document write (outbox); a whole-task write is guarded by
the task's `version`, so concurrent writers never lose each other's changes.

Writes go by `_id` (`update_one({_id, guard})`), never through findAndModify: SecantusDB runs
findAndModify, and updates filtered on other fields, as a scan of the whole collection."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from services.contracts.envelope import Envelope
from services.plans.codec import WATCH, task_key
from services.plans.domain import AuditEntry, Conflict, NotFound
from services.runtime.mongo import refused_as_duplicates
from services.runtime.outbox import merge_updates, outbox_push, with_outbox

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
# per id as it grows (find: 0.1 ms per id at 100, 0.35 at 400); 100 keeps it linear.
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


@dataclass(frozen=True)
class DeadlineAlertWrite:
    key: str  # the task's storage key
    dedup_key: str  # `<task>:<period>:<kind>`, kept in `alerts_sent` for overdue alerts
    envelope: Envelope
    unwatch: str | None = None  # a deadline to drop from the watch list (after its overdue)

    @property
    def alert_id(self) -> str:
        return alert_id(self.key, self.dedup_key)


def alert_id(task_storage_key: str, dedup_key: str) -> str:
    """A deadline alert's `_id`: unique across plans (task ids are unique within one)."""
    return f"{task_storage_key}|{dedup_key}"


class StaleWrite(Exception):
    """The document changed since it was read; the caller reads again and retries."""


def now() -> datetime:
    return datetime.now(UTC)


class PlansRepository:
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

    def ensure_indexes(self) -> None:
        with contextlib.suppress(OperationFailure):  # the skeleton's narrower index
            self.plans.drop_index("number_per_issuer")
        self.plans.create_index("uniqueness_key", unique=True, name="number_issuer_year")
        self.plans.create_index("idempotency_key", unique=True, sparse=True,
                                name="idempotency_key")
        self.plans.create_index([("year", -1), ("_id", 1)], name="year")
        self.plans.create_index("status", name="status")
        self.tasks.create_index([("plan_id", 1), ("task_id", 1)], name="plan_task")
        self.tasks.create_index([("plan_id", 1), ("status", 1)], name="plan_status")
        self.tasks.create_index("unit_ids", name="units")
        # Multikey: the deadline scan's candidates (`WATCH <= today + window`); not sparse, so
        # documents written before the field existed are found as `WATCH: None` (backfill).
        self.tasks.create_index(WATCH, name="watched_deadlines")
        self.reports.create_index([("plan_id", 1), ("task_id", 1)], name="plan_task")
        self.reports.create_index("status", name="status")
        self.reports.create_index("idempotency_key", unique=True, sparse=True,
                                  name="idempotency_key")
        self.audit.create_index([("entity_kind", 1), ("entity_id", 1)], name="entity")
        self.audit.create_index([("plan_id", 1), ("_id", 1)], name="plan")
        self.receipts.create_index("plan_id", name="plan")
        self.units.create_index("type", name="type")

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    # -- idempotency ----------------------------------------------------------------------

    def remembered(self, method: str, key: str | None) -> Any:
        if not key:
            return None
        found = self.idempotency.find_one({"_id": f"{method}:{key}"})
        return found["result"] if found else None

    def remember(self, method: str, key: str | None, result: Any) -> None:
        if key:
            with contextlib.suppress(DuplicateKeyError):
                self.idempotency.insert_one({"_id": f"{method}:{key}", "result": result,
                                             "at": now()})

    # -- audit ----------------------------------------------------------------------------

    def journal(self, entries: Iterable[AuditEntry], plan_id: str | None) -> None:
        docs = []
        for entry in entries:
            doc = entry.to_dict()
            doc["at"] = entry.at
            # Time-ordered ids make the journal's cursor chronological.
            doc["_id"] = f"{int(now().timestamp() * 1e6):017d}-{uuid.uuid4().hex[:8]}"
            doc["plan_id"] = plan_id
            docs.append(doc)
        if docs:
            self.audit.insert_many(docs)

    def audit_page(self, query: dict[str, Any], after: str | None,
                   limit: int) -> list[dict[str, Any]]:
        if after:
            query = {**query, "_id": {"$gt": after}}
        return list(self.audit.find(query).sort("_id", 1).limit(limit))

    # -- units ----------------------------------------------------------------------------

    def all_units(self) -> list[dict[str, Any]]:
        return list(self.units.find())

    def all_groups(self) -> list[dict[str, Any]]:
        return list(self.groups.find())

    def get_unit(self, unit_id: str) -> dict[str, Any]:
        found = self.units.find_one({"_id": unit_id})
        if found is None:
            raise NotFound(f"unit {unit_id} not found", {"unit_id": unit_id})
        return found

    def save_unit(self, doc: dict[str, Any]) -> None:
        self.units.replace_one({"_id": doc["_id"]}, {**doc, "updated_at": now()}, upsert=True)
        self._touch(UNITS_STAMP, [{"unit": doc["_id"]}])

    def save_group(self, doc: dict[str, Any]) -> None:
        self.groups.replace_one({"_id": doc["_id"]}, {**doc, "updated_at": now()}, upsert=True)

    def get_group(self, group_id: str) -> dict[str, Any] | None:
        return self.groups.find_one({"_id": group_id})

    def page(self, collection: str, query: dict[str, Any], after: str | None,
             limit: int, projection: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if after:
            query = {**query, "_id": {"$gt": after}}
        return list(self.db[collection].find(query, projection).sort("_id", 1).limit(limit))

    # -- progress stamps ------------------------------------------------------------------

    def _touch(self, stamp_id: str, entries: list[dict[str, Any]]) -> None:
        # One counter step per entry, and the entries at the end of the ring in the same
        # update: the last `k` entries are the changes after `seq - k`.
        update = {"$inc": {"seq": len(entries)},
                  "$push": {"changes": {"$each": entries, "$slice": -CHANGES_KEPT}}}
        try:
            self.stamps.update_one({"_id": stamp_id}, update, upsert=True)
        except DuplicateKeyError:  # two first changes raced to create it: it exists now
            self.stamps.update_one({"_id": stamp_id}, update)

    def touch_plan(self, plan_id: str, tasks: Sequence[str] = (),
                   reports: Sequence[str] = (), reset: bool = False) -> None:
        """Count a change of a plan's tasks (storage keys) or reports, or a `reset` (tasks
        removed); after the change is stored, so a reader at the new count sees it."""
        entries: list[dict[str, Any]] = [{"task": k} for k in tasks]
        entries += [{"report": r} for r in reports]
        if reset or len(entries) > CHANGES_KEPT:
            entries = [{"reset": True}]
        self._touch(f"plan:{plan_id}", entries)

    def progress_stamp(self, plan_id: str) -> ProgressStamp:
        """The plan's change count with its latest changes, and the unit directory's count."""
        docs = {d["_id"]: d for d in self.stamps.find(
            {"_id": {"$in": [f"plan:{plan_id}", UNITS_STAMP]}})}
        plan = docs.get(f"plan:{plan_id}", {})
        return ProgressStamp(plan.get("seq", 0), plan.get("changes", []),
                             docs.get(UNITS_STAMP, {}).get("seq", 0))

    # -- plans ----------------------------------------------------------------------------

    def insert_plan(self, doc: dict[str, Any], events: Sequence[Envelope]) -> dict[str, Any]:
        document = with_outbox({**doc, "version": 1, "created_at": now()}, events)
        try:
            self.plans.insert_one(document)
        except DuplicateKeyError as exc:
            key = doc.get("idempotency_key")
            if key and "idempotency_key" in str(exc):
                existing = self.plans.find_one({"idempotency_key": key})
                if existing is not None:
                    return existing
            if "_id_" in str(exc) or "dup key: { _id" in str(exc):
                raise Conflict(f"plan {doc['_id']} already exists",
                               {"field": "id", "plan_id": doc["_id"]}) from None
            raise Conflict(
                f"plan number {doc['number']} of {doc['issuer_unit_id']} for {doc['year']} "
                "already exists", {"field": "number", "key": doc["uniqueness_key"]}) from None
        return document

    def find_plan(self, plan_id: str,
                  projection: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return self.plans.find_one({"_id": plan_id}, projection or {"_outbox": 0})

    def get_plan(self, plan_id: str, projection: dict[str, Any] | None = None) -> dict[str, Any]:
        found = self.find_plan(plan_id, projection)
        if found is None:
            raise NotFound(f"plan {plan_id} not found", {"plan_id": plan_id})
        return found

    def write_plan(self, doc: dict[str, Any], fields: dict[str, Any],
                   events: Sequence[Envelope]) -> dict[str, Any]:
        """Set a plan's fields if nobody wrote it since `doc` was read (its `version`), with
        its events; returns the plan as written."""
        stamp = now()
        update = merge_updates({"$set": {**fields, "updated_at": stamp},
                                "$inc": {"version": 1}}, outbox_push(events) if events else {})
        try:
            result = self.plans.update_one({"_id": doc["_id"], "version": doc["version"]},
                                           update)
        except DuplicateKeyError:
            raise Conflict("another plan of this issuer and year has this number",
                           {"field": "number"}) from None
        if result.matched_count == 0:
            raise StaleWrite(doc["_id"])
        # The guard held: the stored plan is exactly `doc` plus this update.
        return {**doc, **fields, "updated_at": stamp, "version": doc["version"] + 1}

    # -- tasks ----------------------------------------------------------------------------

    def insert_tasks(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            stamped = [{**d, "version": 1, "alerts_sent": [], "created_at": now()} for d in docs]
            try:
                self.tasks.insert_many(stamped, ordered=True)
            except (DuplicateKeyError, BulkWriteError):
                raise Conflict("a task with this id already exists in the plan",
                               {"field": "task_id"}) from None
            finally:  # an ordered insert may have stored some before the duplicate
                for plan_id in {d["plan_id"] for d in docs}:
                    self.touch_plan(plan_id, [d["_id"] for d in docs if d["plan_id"] == plan_id])

    def find_task(self, plan_id: str, task_id: str) -> dict[str, Any] | None:
        return self.tasks.find_one({"_id": task_key(plan_id, task_id)}, {"_outbox": 0})

    def get_task(self, plan_id: str, task_id: str) -> dict[str, Any]:
        found = self.find_task(plan_id, task_id)
        if found is None:
            raise NotFound(f"task {task_id} of plan {plan_id} not found",
                           {"plan_id": plan_id, "task_id": task_id})
        return found

    def plan_tasks(self, plan_id: str, projection: dict[str, Any] | None = OUTBOX_HIDDEN
                   ) -> list[dict[str, Any]]:
        """Every task of a plan; `projection=None` reads whole documents."""
        return list(self.tasks.find({"plan_id": plan_id}, projection))

    def tasks_by_key(self, keys: Iterable[str],
                     projection: dict[str, Any] | None = OUTBOX_HIDDEN) -> list[dict[str, Any]]:
        return [d for chunk in batched(keys, ID_BATCH)
                for d in self.tasks.find({"_id": {"$in": chunk}}, projection)]

    def count_tasks(self, plan_id: str) -> int:
        return self.tasks.count_documents({"plan_id": plan_id})

    def delete_plan_tasks(self, plan_id: str) -> None:
        """Remove a plan's tasks (leftovers of a crashed import), deleting by `_id`."""
        ids = [d["_id"] for d in self.tasks.find({"plan_id": plan_id}, {"_id": 1})]
        for chunk in batched(ids, ID_BATCH):
            self.tasks.delete_many({"_id": {"$in": chunk}})
        if ids:
            self.touch_plan(plan_id, reset=True)

    def write_task(self, doc: dict[str, Any], version: int, fields: dict[str, Any],
                   events: Sequence[Envelope]) -> dict[str, Any]:
        """The whole-task write and its events: one atomic, version-guarded update; returns
        the task as written."""
        stamp = now()
        update = merge_updates({"$set": {**fields, "updated_at": stamp},
                                "$inc": {"version": 1}}, outbox_push(events) if events else {})
        result = self.tasks.update_one({"_id": doc["_id"], "version": version}, update)
        if result.matched_count == 0:
            raise StaleWrite(doc["_id"])
        self.touch_plan(doc["plan_id"], [doc["_id"]])
        return {**doc, **fields, "updated_at": stamp, "version": version + 1}

    def complete_period(self, plan_id: str, key: str, period_key: str, at: datetime,
                        deadline: str | None) -> None:
        """Record a recurring task's period as completed (the first completion wins); its
        `deadline` leaves the watch list."""
        update = merge_updates({"$set": {f"period_completions.{period_key}": at},
                                "$inc": {"version": 1}},
                               {"$pull": {WATCH: deadline}} if deadline else {})
        self.tasks.update_one(
            {"_id": key, f"period_completions.{period_key}": {"$exists": False}}, update)
        self.touch_plan(plan_id, [key])

    def recorded_alerts(self, alert_ids: Iterable[str]) -> set[str]:
        """Which of these deadline alerts are stored."""
        found: set[str] = set()
        for chunk in batched(alert_ids, ID_BATCH):
            found.update(d["_id"] for d in self.deadline_alerts.find({"_id": {"$in": chunk}},
                                                                     {"_id": 1}))
        return found

    def record_alerts(self, alerts: Sequence[DeadlineAlertWrite], at: datetime) -> set[str]:
        """Store deadline alerts once each, with their events; returns the ids this call
        stored (not those another replica stored first).

        An overdue alert also takes its deadline off the task's watch list and is remembered
        in the task's `alerts_sent` (whole-task writes recompute the watch from it). That
        second write is idempotent: if the process dies before it, the next scan finds the
        alert stored and corrects the watch list."""
        stored: set[str] = set()
        for chunk in batched(alerts, ALERT_BATCH):
            docs = [with_outbox({"_id": a.alert_id, "task": a.key, "alert": a.dedup_key,
                                 "at": at}, [a.envelope]) for a in chunk]
            refused: set[int] = set()
            try:
                self.deadline_alerts.insert_many(docs, ordered=False)
            except BulkWriteError as exc:
                refused = refused_as_duplicates(exc)
            stored.update(doc["_id"] for n, doc in enumerate(docs) if n not in refused)
        overdue = [UpdateOne({"_id": a.key}, {"$addToSet": {"alerts_sent": a.dedup_key},
                                              "$pull": {WATCH: a.unwatch}})
                   for a in alerts if a.unwatch]
        for ops in batched(overdue, ALERT_BATCH):
            self.tasks.bulk_write(ops, ordered=False)
        return stored

    def deadline_candidates(self, until: str, plan_id: str | None = None
                            ) -> list[dict[str, Any]]:
        """Tasks with a watched deadline on or before `until` (ISO date), via the multikey
        index: only live tasks have one (their watch list is empty otherwise)."""
        query: dict[str, Any] = {WATCH: {"$lte": until}}
        if plan_id is not None:
            query["plan_id"] = plan_id
        return list(self.tasks.find(query, SCAN_PROJECTION))

    def set_watch(self, key: str, version: int, deadlines: list[str]) -> bool:
        """Correct one task's watch list, unless the task was written since it was read."""
        result = self.tasks.update_one({"_id": key, "version": version},
                                       {"$set": {WATCH: deadlines}})
        return result.modified_count == 1

    def unwatch(self, keys: Sequence[str]) -> None:
        """Empty the watch lists of these tasks (their plan is closed or cancelled)."""
        for chunk in batched(keys, ID_BATCH):
            self.tasks.update_many({"_id": {"$in": chunk}}, {"$set": {WATCH: []}})

    def unwatched_tasks(self, projection: dict[str, Any]) -> list[dict[str, Any]]:
        """Tasks stored without a watch list (before it existed, or by an older replica)."""
        return list(self.tasks.find({WATCH: None}, projection))

    def backfill_watch(self, version: int, deadlines: list[str], keys: Sequence[str]) -> None:
        """Give tasks of this `version` that still have no watch list this one."""
        for chunk in batched(keys, ID_BATCH):
            self.tasks.update_many({"_id": {"$in": chunk}, "version": version, WATCH: None},
                                   {"$set": {WATCH: deadlines}})

    def scan_tasks(self, plan_ids: list[str],
                   projection: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Tasks of these plans. Several plans: one collection scan filtered here, which
        measured faster than an index `$in` when most tasks belong to live plans."""
        if len(plan_ids) == 1:
            return self.tasks.find({"plan_id": plan_ids[0]}, projection)
        wanted = set(plan_ids)
        return (d for d in self.tasks.find({}, projection, batch_size=5000)
                if d["plan_id"] in wanted)

    def issued_plans(self) -> list[dict[str, Any]]:
        return list(self.plans.find({"status": "issued"}, {"number": 1}))

    def plan_states(self, plan_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Status and number of these plans, by id (missing plans are left out)."""
        ids = sorted(set(plan_ids))
        if not ids:
            return {}
        return {d["_id"]: d for d in self.plans.find({"_id": {"$in": ids}},
                                                      {"status": 1, "number": 1})}

    # -- reports --------------------------------------------------------------------------

    def insert_report(self, doc: dict[str, Any], events: Sequence[Envelope]) -> dict[str, Any]:
        document = with_outbox({**doc, "created_at": now()}, events)
        try:
            self.reports.insert_one(document)
            self.touch_plan(doc["plan_id"], reports=[doc["_id"]])
        except DuplicateKeyError:
            existing = self.reports.find_one({"idempotency_key": doc.get("idempotency_key")},
                                             {"_outbox": 0})
            if existing is not None and doc.get("idempotency_key"):
                return existing
            raise
        document.pop("_outbox", None)
        return document

    def get_report(self, report_id: str) -> dict[str, Any]:
        found = self.reports.find_one({"_id": report_id}, {"_outbox": 0})
        if found is None:
            raise NotFound(f"report {report_id} not found", {"report_id": report_id})
        return found

    def task_reports(self, plan_id: str, task_id: str) -> list[dict[str, Any]]:
        return list(self.reports.find({"plan_id": plan_id, "task_id": task_id}, {"_outbox": 0}))

    def reports_by_id(self, report_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [d for chunk in batched(report_ids, ID_BATCH)
                for d in self.reports.find({"_id": {"$in": chunk}}, OUTBOX_HIDDEN)]

    def plan_reports(self, plan_id: str) -> list[dict[str, Any]]:
        return list(self.reports.find({"plan_id": plan_id}, {"_outbox": 0}))

    def review(self, doc: dict[str, Any], fields: dict[str, Any],
               events: Sequence[Envelope]) -> dict[str, Any]:
        """Store the review of a report read as `doc`, if it is still `submitted` (only a
        review changes a submitted report); returns the report as written."""
        stamp = now()
        update = merge_updates({"$set": {**fields, "updated_at": stamp}}, outbox_push(events))
        result = self.reports.update_one({"_id": doc["_id"], "status": "submitted"}, update)
        if result.matched_count == 0:
            raise StaleWrite(doc["_id"])
        self.touch_plan(doc["plan_id"], reports=[doc["_id"]])
        return {**doc, **fields, "updated_at": stamp}

    def pending_reviews(self, plan_id: str | None = None) -> int:
        query: dict[str, Any] = {"status": "submitted"}
        if plan_id:
            query["plan_id"] = plan_id
        return self.reports.count_documents(query)

    # -- receipts -------------------------------------------------------------------------

    def record_receipt(self, doc: dict[str, Any]) -> bool:
        try:
            self.receipts.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False
