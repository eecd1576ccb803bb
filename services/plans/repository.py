"""Storage of the plans service (pymongo). Every write that changes a plan, task or report
stores its events in the same single-document write (outbox); a whole-task write is guarded by
the task's `version`, so concurrent writers never lose each other's changes."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from services.contracts.envelope import Envelope
from services.plans.codec import task_key
from services.plans.domain import AuditEntry, Conflict, NotFound
from services.runtime.outbox import merge_updates, outbox_push, with_outbox

UNITS = "units"
GROUPS = "unit_groups"
PLANS = "plans"
TASKS = "tasks"
REPORTS = "reports"
AUDIT = "audit"
RECEIPTS = "receipts"
IDEMPOTENCY = "idempotency"
OUTBOX_COLLECTIONS = [PLANS, TASKS, REPORTS]

# The scan reads only what deadlines and buckets need.
SCAN_PROJECTION = {"task_id": 1, "plan_id": 1, "title": 1, "lead_unit_id": 1,
                   "coordinating_unit_ids": 1, "parent_task_id": 1, "due_date": 1,
                   "recurrence": 1, "starts_on": 1, "status": 1, "completed_at": 1,
                   "period_completions": 1, "alerts_sent": 1}


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

    def save_group(self, doc: dict[str, Any]) -> None:
        self.groups.replace_one({"_id": doc["_id"]}, {**doc, "updated_at": now()}, upsert=True)

    def get_group(self, group_id: str) -> dict[str, Any] | None:
        return self.groups.find_one({"_id": group_id})

    def page(self, collection: str, query: dict[str, Any], after: str | None,
             limit: int, projection: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if after:
            query = {**query, "_id": {"$gt": after}}
        return list(self.db[collection].find(query, projection).sort("_id", 1).limit(limit))

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

    def find_plan(self, plan_id: str) -> dict[str, Any] | None:
        return self.plans.find_one({"_id": plan_id}, {"_outbox": 0})

    def get_plan(self, plan_id: str) -> dict[str, Any]:
        found = self.find_plan(plan_id)
        if found is None:
            raise NotFound(f"plan {plan_id} not found", {"plan_id": plan_id})
        return found

    def write_plan(self, plan_id: str, version: int, fields: dict[str, Any],
                   events: Sequence[Envelope]) -> dict[str, Any]:
        """Replace a plan's fields if nobody wrote it since `version`, with its events."""
        update = merge_updates({"$set": {**fields, "updated_at": now()},
                                "$inc": {"version": 1}}, outbox_push(events) if events else {})
        try:
            doc: dict[str, Any] | None = self.plans.find_one_and_update(
                {"_id": plan_id, "version": version}, update,
                projection={"_outbox": 0}, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            raise Conflict("another plan of this issuer and year has this number",
                           {"field": "number"}) from None
        if doc is None:
            raise StaleWrite(plan_id)
        return doc

    # -- tasks ----------------------------------------------------------------------------

    def insert_tasks(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            stamped = [{**d, "version": 1, "alerts_sent": [], "created_at": now()} for d in docs]
            try:
                self.tasks.insert_many(stamped, ordered=True)
            except (DuplicateKeyError, BulkWriteError):
                raise Conflict("a task with this id already exists in the plan",
                               {"field": "task_id"}) from None

    def find_task(self, plan_id: str, task_id: str) -> dict[str, Any] | None:
        return self.tasks.find_one({"_id": task_key(plan_id, task_id)}, {"_outbox": 0})

    def get_task(self, plan_id: str, task_id: str) -> dict[str, Any]:
        found = self.find_task(plan_id, task_id)
        if found is None:
            raise NotFound(f"task {task_id} of plan {plan_id} not found",
                           {"plan_id": plan_id, "task_id": task_id})
        return found

    def plan_tasks(self, plan_id: str,
                   projection: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return list(self.tasks.find({"plan_id": plan_id}, projection or {"_outbox": 0}))

    def count_tasks(self, plan_id: str) -> int:
        return self.tasks.count_documents({"plan_id": plan_id})

    def write_task(self, doc: dict[str, Any], version: int, fields: dict[str, Any],
                   events: Sequence[Envelope]) -> dict[str, Any]:
        """The whole-task write and its events: one atomic, version-guarded update."""
        update = merge_updates({"$set": {**fields, "updated_at": now()},
                                "$inc": {"version": 1}}, outbox_push(events) if events else {})
        result: dict[str, Any] | None = self.tasks.find_one_and_update(
            {"_id": doc["_id"], "version": version}, update, projection={"_outbox": 0},
            return_document=ReturnDocument.AFTER)
        if result is None:
            raise StaleWrite(doc["_id"])
        return result

    def mark_alert(self, key: str, dedup_key: str, envelope: Envelope) -> bool:
        """Record a deadline alert once per (task, period, kind), with its event."""
        update = merge_updates({"$addToSet": {"alerts_sent": dedup_key}},
                               outbox_push([envelope]))
        result = self.tasks.update_one({"_id": key, "alerts_sent": {"$ne": dedup_key}}, update)
        return result.modified_count == 1

    def scan_tasks(self, plan_ids: list[str]) -> Iterable[dict[str, Any]]:
        """Tasks of these plans. Several plans: one collection scan filtered here, which
        measured faster than an index `$in` when most tasks belong to live plans."""
        if len(plan_ids) == 1:
            return self.tasks.find({"plan_id": plan_ids[0]}, SCAN_PROJECTION)
        wanted = set(plan_ids)
        return (d for d in self.tasks.find({}, SCAN_PROJECTION, batch_size=5000)
                if d["plan_id"] in wanted)

    def issued_plans(self) -> list[dict[str, Any]]:
        return list(self.plans.find({"status": "issued"}, {"number": 1}))

    # -- reports --------------------------------------------------------------------------

    def insert_report(self, doc: dict[str, Any], events: Sequence[Envelope]) -> dict[str, Any]:
        document = with_outbox({**doc, "created_at": now()}, events)
        try:
            self.reports.insert_one(document)
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

    def plan_reports(self, plan_id: str) -> list[dict[str, Any]]:
        return list(self.reports.find({"plan_id": plan_id}, {"_outbox": 0}))

    def review(self, report_id: str, fields: dict[str, Any],
               events: Sequence[Envelope]) -> dict[str, Any]:
        update = merge_updates({"$set": {**fields, "updated_at": now()}}, outbox_push(events))
        doc: dict[str, Any] | None = self.reports.find_one_and_update(
            {"_id": report_id, "status": "submitted"}, update, projection={"_outbox": 0},
            return_document=ReturnDocument.AFTER)
        if doc is None:
            raise StaleWrite(report_id)
        return doc

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
