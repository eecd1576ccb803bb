"""The audit journal: a page of entries, or the whole journal of a plan or task as CSV."""

from __future__ import annotations

from typing import Any

from services.contracts import plans as c
from services.contracts.plans_reporting import MAX_AUDIT_EXPORT_ROWS, AuditExportRequest
from services.plans import codec
from services.plans.domain.exports import journal_table
from services.plans.files import CSV, csv_bytes, export_file
from services.plans.handlers import Context

EXPORT_PAGE = 1000


def _query(ctx: Context, req: c.AuditQuery | AuditExportRequest) -> dict[str, Any]:
    """The filter; an unknown plan or task is not_found rather than an empty journal."""
    query: dict[str, Any] = {}
    if req.plan_id is not None:
        ctx.repo.get_plan(req.plan_id, {"_id": 1})
        query["plan_id"] = req.plan_id
    if req.task_id is not None:
        assert req.plan_id is not None  # the request models require it
        ctx.repo.get_task(req.plan_id, req.task_id)
        query["task_id"] = req.task_id
    for name in ("entity_kind", "actor"):
        if getattr(req, name) is not None:
            query[name] = getattr(req, name)
    if isinstance(req, c.AuditQuery) and req.entity_id is not None:
        query["entity_id"] = req.entity_id
    if req.since is not None:
        query["at"] = {"$gte": req.since}
    return query


def audit_journal(req: c.AuditQuery, ctx: Context) -> dict[str, Any]:
    rows = ctx.repo.audit_page(_query(ctx, req), req.after, req.limit + 1)
    items = [codec.audit_reply(r) for r in rows[:req.limit]]
    return {"items": items, "next_cursor": items[-1]["id"] if len(rows) > req.limit else None}


def export_audit(req: AuditExportRequest, ctx: Context) -> dict[str, Any]:
    query = _query(ctx, req)
    docs: list[dict[str, Any]] = []
    after: str | None = None
    while len(docs) <= MAX_AUDIT_EXPORT_ROWS:
        page = ctx.repo.audit_page(query, after, EXPORT_PAGE)
        docs += page
        if len(page) < EXPORT_PAGE:
            break
        after = page[-1]["_id"]
    truncated = len(docs) > MAX_AUDIT_EXPORT_ROWS
    docs = docs[:MAX_AUDIT_EXPORT_ROWS]
    table = journal_table(codec.audit_from(d) for d in docs)
    plan = ctx.repo.get_plan(req.plan_id, {"number": 1})
    stem = f"nhat-ky-{plan['number'].replace('/', '-')}"
    if req.task_id:
        stem += f"-{req.task_id}"
    return export_file(f"{stem}.csv", CSV, csv_bytes(table, req.language), len(docs),
                       truncated=truncated)
