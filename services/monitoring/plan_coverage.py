"""What monitoring knows of the plans (watched plans and assignments, kept from plans'
events) and the coverage it counts for them: items per outlet, topic and period."""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo.database import Database

from services.contracts import monitoring as c
from services.contracts.events.plans import PlanClosed, PlanCreated, PlanIssued, TaskAssigned
from services.monitoring import repository as r
from services.monitoring.handlers import Context
from services.monitoring.ingest import bump
from services.runtime.tabular import write_csv

# -- coverage -------------------------------------------------------------------------------


def _period_key(day: date, period: str) -> str:
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def coverage(req: c.CoverageRequest, ctx: Context) -> c.CoverageReply:
    """Items per outlet × topic × period, summed from the per-day counters."""
    query: dict[str, Any] = {}
    bounds = {k: v.isoformat() for k, v in (("$gte", req.date_from), ("$lte", req.date_to))
              if v}
    if bounds:
        query["day"] = bounds
    totals: dict[tuple[str, str, str], int] = {}
    for doc in ctx.db[r.COUNTS].find(query, {"day": 1, "coverage": 1}):
        period_key = _period_key(date.fromisoformat(doc["day"]), req.period)
        for pair, n in (doc.get("coverage") or {}).items():
            outlet, topic = (unfield(x) for x in pair.split("|", 1))
            if (req.outlet_unit_id and outlet != req.outlet_unit_id) or (
                    req.topic and topic != req.topic):
                continue
            key = (period_key, outlet, topic)
            totals[key] = totals.get(key, 0) + int(n)
    rows = [c.CoverageRow(outlet_unit_id=outlet, topic=topic, period=req.period,
                          period_key=period_key, items=n)
            for (period_key, outlet, topic), n in sorted(totals.items())]
    return c.CoverageReply(period=req.period, rows=rows[:req.limit])


def unfield(value: str) -> str:
    return value.replace("\uff0e", ".").replace("\uff04", "$")


def coverage_csv(req: c.CoverageRequest, ctx: Context) -> c.CsvExport:
    reply = coverage(req, ctx)
    content = write_csv([["period", "period_key", "outlet_unit_id", "topic", "items"],
                         *([row.period, row.period_key, row.outlet_unit_id, row.topic, row.items]
                           for row in reply.rows)])
    return c.CsvExport(filename=f"coverage-{req.period}.csv", content=content)


# -- what plans tell us ---------------------------------------------------------------------


def on_plan_created(event: PlanCreated, event_id: str, db: Database) -> None:
    db[r.WATCHED_PLANS].update_one(
        {"_id": event.plan_id},
        {"$set": {"number": event.number, "topics": event.topics, "event_id": event_id},
         "$setOnInsert": {"status": event.status}},
        upsert=True)


def on_plan_issued(event: PlanIssued, db: Database) -> None:
    db[r.WATCHED_PLANS].update_one(
        {"_id": event.plan_id},
        {"$set": {"number": event.number, "topics": event.topics, "status": "issued",
                  "issued_on": event.issued_on.isoformat() if event.issued_on else None}},
        upsert=True)
    # tasks without their own topics follow the plan's
    following = assignment_ids(db, {"plan_id": event.plan_id, "own_topics": False})
    if following:
        db[r.ASSIGNMENTS].update_many({"_id": {"$in": following}},
                                      {"$set": {"topics": event.topics}})
    bump(db, "assignments")


def on_task_assigned(event: TaskAssigned, db: Database) -> None:
    plan = db[r.WATCHED_PLANS].find_one({"_id": event.plan_id}) or {}
    if plan.get("status") in ("closed", "cancelled"):
        return
    topics = event.topics or plan.get("topics") or []
    units = [event.lead_unit_id, *event.coordinating_unit_ids]
    dropped = assignment_ids(db, {"task_id": event.task_id, "unit_id": {"$nin": units}})
    if dropped:
        db[r.ASSIGNMENTS].delete_many({"_id": {"$in": dropped}})
    ids = [f"{event.task_id}|{unit}" for unit in units]
    for ident, unit in zip(ids, units, strict=True):
        db[r.ASSIGNMENTS].update_one({"_id": ident}, {"$set": {
            "task_id": event.task_id, "plan_id": event.plan_id, "unit_id": unit,
            "topics": topics, "own_topics": bool(event.topics), "active": True,
            "start": event.active_from.isoformat() if event.active_from else None,
            "end": event.active_until.isoformat() if event.active_until else None}},
            upsert=True)
    if not event.topics:
        # plan.issued, on another queue, may have run between our read of the plan and our
        # writes, and found none of these assignments to update: read the plan again now that
        # they are written (one of the two handlers always sees the other's write). The guard
        # keeps a newer plan.issued's topics.
        latest = (db[r.WATCHED_PLANS].find_one({"_id": event.plan_id}) or {}).get("topics") or []
        if latest != topics:
            db[r.ASSIGNMENTS].update_many(
                {"_id": {"$in": ids}, "topics": topics}, {"$set": {"topics": latest}})
    bump(db, "assignments")


def on_plan_closed(event: PlanClosed, db: Database) -> None:
    db[r.WATCHED_PLANS].update_one({"_id": event.plan_id},
                                   {"$set": {"status": event.status}}, upsert=True)
    of_plan = assignment_ids(db, {"plan_id": event.plan_id})
    if of_plan:
        db[r.ASSIGNMENTS].update_many({"_id": {"$in": of_plan}}, {"$set": {"active": False}})
    bump(db, "assignments")


def assignment_ids(db: Database, query: dict[str, Any]) -> list[str]:
    """Ids of the assignments a query selects (on the plan or task index): SecantusDB scans
    the collection for a write filtered on anything but `_id`, so writes go by these ids."""
    return [d["_id"] for d in db[r.ASSIGNMENTS].find(query, {"_id": 1})]


def list_assignments(req: c.ListAssignmentsRequest, db: Database) -> list[dict[str, Any]]:
    query: dict[str, Any] = {}
    if req.outlet_unit_id:
        query["unit_id"] = req.outlet_unit_id
    if req.plan_id:
        query["plan_id"] = req.plan_id
    if req.active_only:
        query["active"] = True
    return [{k: v for k, v in d.items() if k != "_id"}
            for d in db[r.ASSIGNMENTS].find(query).sort("_id", 1).limit(1000)]
