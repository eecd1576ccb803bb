"""Read side and scheduler of the plans service: progress summary, CSV/XLSX exports, the
deadline scan (task.due_soon / task.overdue once per task and period) and the gauges."""

from __future__ import annotations

import io
import logging
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from openpyxl import Workbook

from services.contracts.events import plans as plan_events
from services.contracts.plans_reporting import ExportRequest, ProgressRequest
from services.plans import codec
from services.plans.domain import (
    AlertKind,
    DomainError,
    ProgressReport,
    Recurrence,
    Task,
    TaskStatus,
    bucket_of,
    plan_progress,
    progress_tables,
    scan_deadlines,
    unit_progress,
)
from services.plans.domain.exports import report_title_date
from services.plans.domain.periods import local_date
from services.plans.domain.progress import BucketCounts, TaskProgress
from services.plans.domain.status import BUCKETS
from services.plans.files import CSV, csv_bytes, export_file, labels
from services.plans.metrics import (
    DEADLINE_EVENTS,
    REPORTS_PENDING_REVIEW,
    TASKS_BY_BUCKET,
    TASKS_OVERDUE,
)
from services.plans.repositories import (
    BUCKET_PROJECTION,
    SCAN_PROJECTION,
    DeadlineAlertWrite,
    PlansRepository,
    ProgressStamp,
    alert_id,
)
from services.plans.use_cases.context import Context
from services.runtime.tabular import append_xlsx_row

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The progress read takes whole task documents: SecantusDB spends more time applying a
# projection than sending the fields it would drop (docs/decisions/0002-database-writes-by-id.md).
PROGRESS_PROJECTION: dict[str, Any] | None = None
# Two caches in the process, both checked against the progress stamps (repository) read
# first on every call (one small read):
# - summaries, by (database, plan, plan changes, unit changes, local day of `as_of`): the
#   summary depends on `as_of` through its local date only, and on nothing the stamps do not
#   count, so a dashboard polling an unchanged plan costs just that read;
# - the decoded tasks and reports of a plan: after a change only the tasks and reports it
#   names are read again (reading a large plan whole is what this saves).
# A change is counted right after it is stored; if a process dies in between, the change is
# missed until the plan is read whole again, at most PLAN_CACHE_TTL_SECONDS later.
SUMMARY_CACHE_SIZE = 16
PLAN_CACHE_SIZE = 16
PLAN_CACHE_TTL_SECONDS = 60.0
_summaries: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_plans: OrderedDict[tuple[str, str], _PlanState] = OrderedDict()
_unit_names_cache: dict[str, tuple[int, dict[str, str]]] = {}


@dataclass(frozen=True)
class _PlanState:
    """A plan's tasks (by storage key) and reports (by id) as of change count `seq`; never
    changed in place (a refresh builds a new one), so concurrent workers can share it."""

    seq: int
    expires: float
    tasks: dict[str, Task]
    reports: dict[str, ProgressReport]


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


def _counts(summary: BucketCounts) -> dict[str, Any]:
    return {"total": summary.total, **{b.value: summary.get(b) for b in BUCKETS},
            "percent_complete": summary.percent_complete}


def _tree(node: TaskProgress) -> dict[str, Any]:
    return {"task_id": node.task_id, "bucket": node.bucket.value if node.bucket else None,
            "percent_complete": round(node.percent_complete, 1),
            "children": [_tree(k) for k in node.children]}


def _load(store: PlansRepository, plan_id: str,
          plan_fields: dict[str, Any]) -> tuple[dict[str, Any], list[Task], list[Any]]:
    plan = store.get_plan(plan_id, plan_fields)
    tasks = list(store.plan_tasks(plan_id, PROGRESS_PROJECTION).values())
    reports = list(store.plan_reports(plan_id).values())
    return plan, tasks, reports


def _unit_names(store: PlansRepository, units_seq: int | None = None) -> dict[str, str]:
    """Names of every unit, by id; cached per database while the directory's count holds."""
    cached = _unit_names_cache.get(store.name)
    if units_seq is not None and cached is not None and cached[0] == units_seq:
        return cached[1]
    names = store.unit_names()
    if units_seq is not None:
        _unit_names_cache[store.name] = (units_seq, names)
    return names


def _plan_state(store: PlansRepository, plan_id: str, stamp: ProgressStamp) -> _PlanState:
    key = (store.name, plan_id)
    cached = _plans.get(key)
    now = time.monotonic()
    if cached is not None and cached.expires > now:
        if cached.seq >= stamp.seq:  # another worker may have read a later stamp
            return cached
        changes = stamp.changes_since(cached.seq)
        if changes is not None and not any(c.get("reset") for c in changes):
            tasks, reports = dict(cached.tasks), dict(cached.reports)
            tasks.update(store.tasks_by_key({c["task"] for c in changes if "task" in c},
                                            PROGRESS_PROJECTION))
            reports.update(store.reports_by_id({c["report"] for c in changes if "report" in c}))
            state = _PlanState(stamp.seq, cached.expires, tasks, reports)
            _remember(_plans, key, state, PLAN_CACHE_SIZE)
            return state
    store.get_plan(plan_id, {"_id": 1})  # not_found
    state = _PlanState(
        stamp.seq, now + PLAN_CACHE_TTL_SECONDS,
        store.plan_tasks(plan_id, PROGRESS_PROJECTION), store.plan_reports(plan_id))
    _remember(_plans, key, state, PLAN_CACHE_SIZE)
    return state


def progress_summary(req: ProgressRequest, ctx: Context) -> dict[str, Any]:
    store = ctx.unit_of_work().progress
    as_of = req.as_of or ctx.now()
    stamp = store.progress_stamp(req.plan_id)
    key = (store.name, req.plan_id, stamp.seq, stamp.units_seq, local_date(as_of))
    body = _summaries.get(key)
    state = _plans.get(key[:2])
    if body is None or state is None or state.expires <= time.monotonic():
        state = _plan_state(store, req.plan_id, stamp)
        body = _summary_body(list(state.tasks.values()), list(state.reports.values()), as_of,
                             _unit_names(store, stamp.units_seq))
    _remember(_summaries, key, body, SUMMARY_CACHE_SIZE)
    return {"plan_id": req.plan_id, "as_of": as_of, **body}


def _summary_body(tasks: list[Task], reports: list[ProgressReport], as_of: datetime,
                  names: dict[str, str]) -> dict[str, Any]:
    progress = plan_progress(tasks, as_of)
    units = unit_progress(tasks, as_of, reports)
    return {
        "summary": _counts(progress.summary),
        "units": [{"unit_id": u.unit_id, "unit_name": names.get(u.unit_id, u.unit_id),
                   "summary": _counts(u.summary), "kpis_total": len(u.kpis),
                   "kpis_met": sum(1 for k in u.kpis if k.met)} for u in units.values()],
        "tasks": [_tree(node) for node in progress.tasks],
        "reports_pending_review": sum(1 for r in reports if r.status.value == "submitted"),
    }


def export_progress(req: ExportRequest, ctx: Context) -> dict[str, Any]:
    store = ctx.unit_of_work().progress
    as_of = req.as_of or ctx.now()
    plan, tasks, reports = _load(store, req.plan_id, {"number": 1, "title": 1})
    names = _unit_names(store)
    tables = progress_tables(tasks, as_of, reports, names)
    stem = f"tien-do-{plan['number'].replace('/', '-')}"
    if req.format == "csv":
        table = tables[req.view]
        return export_file(f"{stem}-{req.view}.csv", CSV, csv_bytes(table, req.language),
                           len(table.rows))
    book = Workbook()
    sheet_titles = {"units": "Theo đơn vị", "tasks": "Theo nhiệm vụ", "kpis": "Chỉ tiêu"}
    first = True
    for view, table in tables.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = sheet_titles[view] if req.language == "vi" else view
        append_xlsx_row(sheet, [f"{plan['number']} — {plan['title']}"[:300]])
        append_xlsx_row(sheet, [f"Tính đến ngày {report_title_date(as_of)}"])
        append_xlsx_row(sheet, labels(table, req.language))
        for row in table.rows:
            append_xlsx_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return export_file(f"{stem}.xlsx", XLSX, out.getvalue(), len(tables[req.view].rows))


# -- the deadline scan --------------------------------------------------------------------
#
# Each task document keeps the deadlines a scan still has to look at (`codec.WATCH`, written
# with every task write, multikey-indexed). A tick reads only the tasks with one of them up to
# today + window, and `scan_deadlines` judges those exactly as it would judge every task: a task
# outside that set can raise no alert that is not already recorded.

TERMINAL_PLAN_STATUSES = ("closed", "cancelled")


@cache
def _recurrence(key: tuple[Any, ...]) -> Recurrence | None:
    return codec.recurrence_from(dict(key)) if key else None


def _scan_task(doc: dict[str, Any]) -> Task:
    """A light Task for the scan: id is the storage key (task ids are unique per plan only)."""
    rec = doc.get("recurrence")
    return Task(
        id=doc["_id"], plan_id=doc["plan_id"], title=doc.get("title") or doc["task_id"],
        lead_unit_id=doc.get("lead_unit_id") or "-", parent_task_id=None,
        due_date=codec._pd(doc.get("due_date")),
        recurrence=_recurrence(tuple(sorted(rec.items())) if rec else ()),
        starts_on=codec._pd(doc.get("starts_on")), status=TaskStatus(doc["status"]),
        completed_at=doc.get("completed_at"),
        period_completions=doc.get("period_completions") or {})


def deadline_scan(ctx: Context, now: datetime, window_days: int,
                  plan_id: str | None = None) -> dict[str, Any]:
    """Store task.due_soon / task.overdue once per task and period (the timer's tick)."""
    store = ctx.unit_of_work().progress
    today = local_date(now)
    until = (today + timedelta(days=window_days)).isoformat()
    candidates = store.deadline_candidates(until, plan_id)
    plans = store.plan_states(d["plan_id"] for d in candidates)
    docs: dict[str, dict[str, Any]] = {}
    retired: list[str] = []
    for doc in candidates:
        plan = plans.get(doc["plan_id"])
        if plan is None or plan["status"] == "draft":
            continue  # watched once the plan is issued (a plan being imported is not stored yet)
        if plan["status"] in TERMINAL_PLAN_STATUSES:
            retired.append(doc["_id"])  # nothing is due any more: stop reading them
        else:
            docs[doc["_id"]] = doc
    if retired:
        store.unwatch(retired)
    tasks = {key: _scan_task(doc) for key, doc in docs.items()}
    alerts = [(alert, codec.alert_key(docs[alert.task_id]["task_id"], alert.period_key,
                                      alert.kind.value))
              for alert in scan_deadlines(tasks.values(), now, window_days)]
    # Recorded: in the alerts collection, or (alerts stored before it existed, and overdue
    # alerts) in the task's `alerts_sent`.
    stored_before = store.recorded_alerts(alert_id(a.task_id, dedup) for a, dedup in alerts)
    recorded: dict[str, set[str]] = {key: set(doc.get("alerts_sent") or ()) for key, doc
                                     in docs.items()}
    for alert, dedup in alerts:
        if alert_id(alert.task_id, dedup) in stored_before:
            recorded[alert.task_id].add(dedup)
    writes: list[tuple[AlertKind, DeadlineAlertWrite]] = []
    unwatched: dict[str, set[str]] = {}
    already = 0
    for alert, dedup in alerts:
        doc = docs[alert.task_id]
        if dedup in recorded[alert.task_id]:
            already += 1
            continue
        common = {"task_id": doc["task_id"], "plan_id": doc["plan_id"],
                  "plan_number": plans[doc["plan_id"]]["number"],
                  "title": doc.get("title", ""), "lead_unit_id": doc["lead_unit_id"],
                  "coordinating_unit_ids": doc.get("coordinating_unit_ids") or [],
                  "period_key": alert.period_key, "deadline": alert.deadline}
        payload: plan_events.TaskDueSoon | plan_events.TaskOverdue
        unwatch = None
        if alert.kind is AlertKind.DUE_SOON:
            payload = plan_events.TaskDueSoon(
                **common, days_left=max(0, (alert.deadline - today).days))
        else:
            payload = plan_events.TaskOverdue(**common,
                                     days_overdue=max(0, (today - alert.deadline).days))
            # After its overdue alert a period raises nothing more: it leaves the watch.
            unwatch = alert.deadline.isoformat()
            unwatched.setdefault(alert.task_id, set()).add(unwatch)
        writes.append((alert.kind, DeadlineAlertWrite(alert.task_id, dedup,
                                                      ctx.envelope(payload), unwatch)))
        recorded[alert.task_id].add(dedup)
    stored = store.record_alerts([write for _, write in writes], now)
    emitted = Counter(kind.value for kind, write in writes if write.alert_id in stored)
    already += len(writes) - len(stored)  # another replica stored them first
    for kind in AlertKind:
        DEADLINE_EVENTS.labels(kind.value).inc(emitted[kind.value])
    _correct_watch(store, docs, tasks, recorded, unwatched)
    return {"now": now, "tasks_scanned": len(docs), "due_soon": emitted["due_soon"],
            "overdue": emitted["overdue"], "already_sent": already}


def _correct_watch(store: PlansRepository, docs: dict[str, dict[str, Any]],
                   tasks: dict[str, Task],
                   recorded: dict[str, set[str]], unwatched: dict[str, set[str]]) -> None:
    """Keep each candidate's watch list exact: a deadline whose overdue alert is recorded
    (by an older replica, or before a write put it back) leaves it, so the scan stops
    reading the task. A write since the read wins (its list is computed afresh)."""
    for key, doc in docs.items():
        stored = set(doc.get(codec.WATCH) or ()) - unwatched.get(key, set())
        expected = codec.task_watch(tasks[key], recorded[key])[codec.WATCH]
        if stored != set(expected):
            store.set_watch(key, doc["version"], expected)


def backfill_watch(ctx: Context) -> int:
    """Give every task stored without a watch list one (documents written before it existed,
    or by an older replica); idempotent, and one index lookup when there is none.

    Tasks sharing a version and a watch list are written together (`_id $in` batches): one
    write per task took 7 minutes for 52,000 tasks on SecantusDB.
    """
    store = ctx.unit_of_work().progress
    groups: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for doc in store.unwatched_tasks(SCAN_PROJECTION):
        try:
            task = _scan_task(doc)
        except (KeyError, ValueError, DomainError) as exc:
            log.warning("task not watched: its document does not decode", extra={
                "task": doc["_id"], "error": f"{type(exc).__name__}: {exc}"})
            continue
        watch = codec.task_watch(task, doc.get("alerts_sent") or ())[codec.WATCH]
        groups.setdefault((doc.get("version", 1), tuple(watch)), []).append(doc["_id"])
    for (version, watch), keys in groups.items():
        store.backfill_watch(version, list(watch), keys)
    done = sum(len(keys) for keys in groups.values())
    if done:
        log.info("watch lists backfilled", extra={"tasks": done})
    return done


def refresh_gauges(ctx: Context, now: datetime) -> dict[str, int]:
    """Leaf tasks of issued plans by bucket, overdue tasks, reports awaiting review.

    Reads every task of every issued plan: it runs on its own, slower timer
    (PLANS_GAUGE_REFRESH_SECONDS), never in the deadline tick.
    """
    store = ctx.unit_of_work().progress
    plan_ids = [p["_id"] for p in store.issued_plans()]
    docs = list(store.scan_tasks(plan_ids, BUCKET_PROJECTION)) if plan_ids else []
    parents = {(d["plan_id"], d["parent_task_id"]) for d in docs if d.get("parent_task_id")}
    buckets = Counter[str]()
    for doc in docs:
        if (doc["plan_id"], doc["task_id"]) in parents:
            continue
        bucket = bucket_of(_bucket_task(doc), now)
        if bucket is not None:
            buckets[bucket.value] += 1
    for bucket in BUCKETS:
        TASKS_BY_BUCKET.labels(bucket.value).set(buckets.get(bucket.value, 0))
    TASKS_OVERDUE.set(buckets.get("overdue", 0))
    pending = store.pending_reviews()
    REPORTS_PENDING_REVIEW.set(pending)
    return {**{b.value: buckets.get(b.value, 0) for b in BUCKETS}, "leaf_tasks": sum(
        buckets.values()), "reports_pending_review": pending}


def _bucket_task(doc: dict[str, Any]) -> Task:
    rec = doc.get("recurrence")
    return Task(
        id=doc["task_id"], plan_id=doc["plan_id"], title=doc["task_id"], lead_unit_id="-",
        due_date=codec._pd(doc.get("due_date")),
        recurrence=_recurrence(tuple(sorted(rec.items())) if rec else ()),
        status=TaskStatus(doc["status"]), completed_at=doc.get("completed_at"),
        period_completions=doc.get("period_completions") or {})
