"""The audit journal: a page of entries, or the whole journal of a plan or task as CSV."""

from __future__ import annotations

from typing import Any

from services.contracts.plans_reporting import MAX_AUDIT_EXPORT_ROWS, AuditExportRequest, AuditQuery
from services.plans.domain.exports import journal_table
from services.plans.files import CSV, csv_bytes, export_file
from services.plans.repositories.audit import AuditSelection
from services.plans.repositories.unit_of_work import PlansUnitOfWork
from services.plans.use_cases.context import Context, page_reply


def _selection(uow: PlansUnitOfWork, req: AuditQuery | AuditExportRequest) -> AuditSelection:
    """What to read; an unknown plan or task is not_found rather than an empty journal."""
    if req.plan_id is not None:
        uow.plans.read(req.plan_id)
    if req.task_id is not None:
        assert req.plan_id is not None  # the request models require it
        uow.tasks.get(req.plan_id, req.task_id)
    return AuditSelection(
        plan_id=req.plan_id, task_id=req.task_id, entity_kind=req.entity_kind,
        entity_id=req.entity_id if isinstance(req, AuditQuery) else None, actor=req.actor,
        since=req.since)


def audit_journal(req: AuditQuery, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        rows = uow.journal.page(_selection(uow, req), after=req.after, limit=req.limit + 1)
    return page_reply(rows, req.limit)


def export_audit(req: AuditExportRequest, ctx: Context) -> dict[str, Any]:
    with ctx.unit_of_work() as uow:
        entries = uow.journal.entries(_selection(uow, req), limit=MAX_AUDIT_EXPORT_ROWS + 1)
        plan = uow.plans.read(req.plan_id)
    truncated = len(entries) > MAX_AUDIT_EXPORT_ROWS
    entries = entries[:MAX_AUDIT_EXPORT_ROWS]
    stem = f"nhat-ky-{str(plan.number).replace('/', '-')}"
    if req.task_id:
        stem += f"-{req.task_id}"
    return export_file(f"{stem}.csv", CSV, csv_bytes(journal_table(entries), req.language),
                       len(entries), truncated=truncated)
