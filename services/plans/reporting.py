"""Read side and scheduler of the plans service: progress summary, CSV/XLSX exports and the
deadline scan (task.due_soon / task.overdue once per task and period, plus the gauges)."""

from __future__ import annotations

import base64
import csv
import io
from collections import Counter
from datetime import datetime
from functools import cache
from typing import Any

from openpyxl import Workbook

from services.contracts import plans as c
from services.contracts.events import plans as ev
from services.plans import codec
from services.plans.domain import (
    AlertKind,
    Recurrence,
    Table,
    Task,
    TaskStatus,
    bucket_of,
    kpi_rows,
    plan_progress,
    scan_deadlines,
    task_rows,
    unit_progress,
    unit_rows,
)
from services.plans.domain.exports import VI_LABELS, report_title_date
from services.plans.domain.periods import local_date
from services.plans.domain.progress import BucketCounts, TaskProgress
from services.plans.domain.status import BUCKETS
from services.plans.handlers import Context
from services.plans.metrics import (
    DEADLINE_EVENTS,
    REPORTS_PENDING_REVIEW,
    TASKS_BY_BUCKET,
    TASKS_OVERDUE,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Fields the progress read needs (no evidence urls, descriptions or outbox).
PROGRESS_PROJECTION = {"_outbox": 0, "description": 0, "expected_result": 0,
                       "responsible_person": 0, "alerts_sent": 0}


def _counts(summary: BucketCounts) -> dict[str, Any]:
    return {"total": summary.total, **{b.value: summary.get(b) for b in BUCKETS},
            "percent_complete": summary.percent_complete}


def _tree(node: TaskProgress) -> dict[str, Any]:
    return {"task_id": node.task_id, "bucket": node.bucket.value if node.bucket else None,
            "percent_complete": round(node.percent_complete, 1),
            "children": [_tree(k) for k in node.children]}


def _load(ctx: Context, plan_id: str) -> tuple[dict[str, Any], list[Task], list[Any]]:
    plan = ctx.repo.get_plan(plan_id)
    tasks = [codec.task_from(d) for d in ctx.repo.plan_tasks(plan_id, PROGRESS_PROJECTION)]
    reports = [codec.report_from(d) for d in ctx.repo.plan_reports(plan_id)]
    return plan, tasks, reports


def _unit_names(ctx: Context, unit_ids: set[str]) -> dict[str, str]:
    return {d["_id"]: d["name"] for d in ctx.repo.units.find(
        {"_id": {"$in": sorted(unit_ids)}}, {"name": 1})}


def progress_summary(req: c.ProgressRequest, ctx: Context) -> dict[str, Any]:
    as_of = req.as_of or ctx.now()
    _, tasks, reports = _load(ctx, req.plan_id)
    progress = plan_progress(tasks, as_of)
    units = unit_progress(tasks, as_of, reports)
    names = _unit_names(ctx, set(units))
    return {
        "plan_id": req.plan_id, "as_of": as_of, "summary": _counts(progress.summary),
        "units": [{"unit_id": u.unit_id, "unit_name": names.get(u.unit_id, u.unit_id),
                   "summary": _counts(u.summary), "kpis_total": len(u.kpis),
                   "kpis_met": sum(1 for k in u.kpis if k.met)} for u in units.values()],
        "tasks": [_tree(node) for node in progress.tasks],
        "reports_pending_review": sum(1 for r in reports if r.status.value == "submitted"),
    }


def _labels(table: Table, language: str) -> list[str]:
    return [VI_LABELS.get(h, h) if language == "vi" else h for h in table.header]


def export_progress(req: c.ExportRequest, ctx: Context) -> dict[str, Any]:
    as_of = req.as_of or ctx.now()
    plan, tasks, reports = _load(ctx, req.plan_id)
    names = _unit_names(ctx, {u for t in tasks for u in t.unit_ids})
    tables = {"units": unit_rows(tasks, as_of, reports, names),
              "tasks": task_rows(tasks, as_of, reports, names),
              "kpis": kpi_rows(tasks, as_of, reports)}
    stem = f"tien-do-{plan['number'].replace('/', '-')}"
    if req.format == "csv":
        table = tables[req.view]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(_labels(table, req.language))
        writer.writerows(table.rows)
        # UTF-8 with BOM so spreadsheet programs read Vietnamese correctly.
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        return {"filename": f"{stem}-{req.view}.csv", "content_type": "text/csv; charset=utf-8",
                "content_base64": base64.b64encode(data).decode(), "rows": len(table.rows)}
    book = Workbook()
    sheet_titles = {"units": "Theo đơn vị", "tasks": "Theo nhiệm vụ", "kpis": "Chỉ tiêu"}
    first = True
    for view, table in tables.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = sheet_titles[view] if req.language == "vi" else view
        sheet.append([f"{plan['number']} — {plan['title']}"[:300]])
        sheet.append([f"Tính đến ngày {report_title_date(as_of)}"])
        sheet.append(_labels(table, req.language))
        for row in table.rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return {"filename": f"{stem}.xlsx", "content_type": XLSX,
            "content_base64": base64.b64encode(out.getvalue()).decode(),
            "rows": len(tables[req.view].rows)}


# -- the deadline scan --------------------------------------------------------------------


@cache
def _recurrence(key: tuple[Any, ...]) -> Recurrence | None:
    return codec.recurrence_from(dict(key)) if key else None


def _scan_task(doc: dict[str, Any]) -> Task:
    """A light Task for the scan: id is the storage key (task ids are unique per plan only)."""
    rec = doc.get("recurrence")
    return Task(
        id=doc["_id"], plan_id=doc["plan_id"], title=doc.get("title") or doc["task_id"],
        lead_unit_id=doc["lead_unit_id"], parent_task_id=None,
        due_date=codec._pd(doc.get("due_date")),
        recurrence=_recurrence(tuple(sorted(rec.items())) if rec else ()),
        starts_on=codec._pd(doc.get("starts_on")), status=TaskStatus(doc["status"]),
        completed_at=doc.get("completed_at"),
        period_completions=doc.get("period_completions") or {})


def deadline_scan(ctx: Context, now: datetime, window_days: int,
                  plan_id: str | None = None) -> dict[str, Any]:
    plans = {p["_id"]: p["number"] for p in ctx.repo.issued_plans()
             if plan_id is None or p["_id"] == plan_id}
    docs = {d["_id"]: d for d in ctx.repo.scan_tasks(list(plans))} if plans else {}
    parents = {codec.task_key(d["plan_id"], d["parent_task_id"])
               for d in docs.values() if d.get("parent_task_id")}
    tasks = [_scan_task(d) for d in docs.values()]
    alerts = scan_deadlines(tasks, now, window_days)
    today = local_date(now)
    emitted = Counter[str]()
    already = 0
    for alert in alerts:
        doc = docs[alert.task_id]
        if alert.dedup_key in (doc.get("alerts_sent") or ()):
            already += 1
            continue
        common = {"task_id": doc["task_id"], "plan_id": doc["plan_id"],
                  "plan_number": plans[doc["plan_id"]], "title": doc.get("title", ""),
                  "lead_unit_id": doc["lead_unit_id"],
                  "coordinating_unit_ids": doc.get("coordinating_unit_ids") or [],
                  "period_key": alert.period_key, "deadline": alert.deadline}
        payload: ev.TaskDueSoon | ev.TaskOverdue
        if alert.kind is AlertKind.DUE_SOON:
            payload = ev.TaskDueSoon(**common, days_left=max(0, (alert.deadline - today).days))
        else:
            payload = ev.TaskOverdue(**common,
                                     days_overdue=max(0, (today - alert.deadline).days))
        dedup = f"{doc['task_id']}:{alert.period_key}:{alert.kind.value}"
        if ctx.repo.mark_alert(alert.task_id, dedup, ctx.envelope(payload)):
            emitted[alert.kind.value] += 1
            DEADLINE_EVENTS.labels(alert.kind.value).inc()
        else:
            already += 1
    if plan_id is not None:  # the gauges describe every issued plan: only a full scan sets them
        return _result(now, tasks, emitted, already)
    buckets = Counter(b.value for t in tasks
                      if t.id not in parents and (b := bucket_of(t, now)) is not None)
    for bucket in BUCKETS:
        TASKS_BY_BUCKET.labels(bucket.value).set(buckets.get(bucket.value, 0))
    TASKS_OVERDUE.set(buckets.get("overdue", 0))
    REPORTS_PENDING_REVIEW.set(ctx.repo.pending_reviews())
    return _result(now, tasks, emitted, already)


def _result(now: datetime, tasks: list[Task], emitted: Counter[str],
            already: int) -> dict[str, Any]:
    return {"now": now, "tasks_scanned": len(tasks), "due_soon": emitted["due_soon"],
            "overdue": emitted["overdue"], "already_sent": already}

