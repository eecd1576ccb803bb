"""The audit journal of a plan and of one of its tasks: who did what and when, with the change.
Officers and admins only (`audit:read`); a page of JSON entries, or the whole journal as CSV."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query, Response

from services.contracts.plans_reporting import AuditEntityKind, AuditPage
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.deps import Rpc, RpcDep
from services.gateway.permissions import CanReadAudit
from services.gateway.routers.bodies import IsoDateTime
from services.gateway.routers.common import (
    AUTH_RESPONSES,
    NOT_FOUND,
    Cursor,
    Limit,
    PlanPathId,
    TaskPathId,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/plans/{plan_id}", tags=["audit"], responses=AUTH_RESPONSES)
EXPORT_TIMEOUT = 30.0


Since = Annotated[IsoDateTime | None, Query(
    description="Entries at or after this instant.", examples=["2021-03-01T00:00:00+07:00"])]
Actor = Annotated[str | None, Query(max_length=100, description="Who did it (a user id).",
                                    examples=["can-bo-ttbcxb-01"])]
EntityKind = Annotated[AuditEntityKind | None, Query(description="What it was done to.")]
Format = Annotated[Literal["json", "csv"], Query(
    description="`csv`: the whole journal (every page, oldest first) as a download.")]
Language = Annotated[Literal["vi", "en"], Query(description="CSV column labels.")]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND, 200: {"content": {"application/json": {}, "text/csv": {}},
                       "description": "A page of entries, or with `format=csv` the journal "
                                      "as UTF-8 CSV (one row per changed field)."}}


async def _journal(rpc: Rpc, plan_id: str, task_id: str | None, format: str,
                   language: str, cursor: str | None, limit: int,
                   filters: dict[str, Any]) -> Any:
    given: dict[str, Any] = {k: (v.isoformat() if isinstance(v, datetime) else v)
                             for k, v in filters.items() if v is not None}
    given["plan_id"] = plan_id
    if task_id:
        given["task_id"] = task_id
    if format == "json":
        return await rpc.call(plans_rpc.AUDIT_JOURNAL, after=cursor, limit=limit, **given)
    file = await rpc.call(plans_rpc.EXPORT_AUDIT, rpc_timeout=EXPORT_TIMEOUT,
                          language=language, **given)
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"'}
    if file.truncated:
        headers["X-Export-Truncated"] = "true"
    return Response(base64.b64decode(file.content_base64), media_type=file.content_type,
                    headers=headers)


PLAN_DESCRIPTION = (
    "Every recorded action on the plan, its tasks and reports, oldest first: the actor, the "
    "action (`plan.issued`, `task.assigned`, `report.accepted`, ...), when, and each changed "
    "field with its value before and after. `format=csv` (or `/audit.csv`) downloads the whole "
    "journal.")
TASK_DESCRIPTION = ("The journal of one task: its own entries (edits, assignments, status "
                    "changes, evidence, receipts) and those of its progress reports.")


@router.get("/audit", response_model=AuditPage, responses=CSV_RESPONSE,
            summary="Audit journal of a plan", description=PLAN_DESCRIPTION)
async def plan_audit(plan_id: PlanPathId, rpc: RpcDep, _: CanReadAudit, cursor: Cursor = None,
                     limit: Limit = 50, since: Since = None, actor: Actor = None,
                     entity_kind: EntityKind = None, format: Format = "json",
                     language: Language = "vi") -> Any:
    return await _journal(rpc, plan_id, None, format, language, cursor, limit,
                          {"since": since, "actor": actor, "entity_kind": entity_kind})


@router.get("/audit.csv", response_class=Response, responses=CSV_RESPONSE,
            summary="Audit journal of a plan as CSV", description=PLAN_DESCRIPTION)
async def plan_audit_csv(plan_id: PlanPathId, rpc: RpcDep, _: CanReadAudit, since: Since = None,
                         actor: Actor = None, entity_kind: EntityKind = None,
                         language: Language = "vi") -> Any:
    return await _journal(rpc, plan_id, None, "csv", language, None, 0,
                          {"since": since, "actor": actor, "entity_kind": entity_kind})


@router.get("/tasks/{task_id}/audit", response_model=AuditPage, responses=CSV_RESPONSE,
            summary="Audit journal of a task", description=TASK_DESCRIPTION)
async def task_audit(plan_id: PlanPathId, task_id: TaskPathId, rpc: RpcDep, _: CanReadAudit,
                     cursor: Cursor = None, limit: Limit = 50, since: Since = None,
                     actor: Actor = None, entity_kind: EntityKind = None,
                     format: Format = "json", language: Language = "vi") -> Any:
    return await _journal(rpc, plan_id, task_id, format, language, cursor, limit,
                          {"since": since, "actor": actor, "entity_kind": entity_kind})


@router.get("/tasks/{task_id}/audit.csv", response_class=Response, responses=CSV_RESPONSE,
            summary="Audit journal of a task as CSV", description=TASK_DESCRIPTION)
async def task_audit_csv(plan_id: PlanPathId, task_id: TaskPathId, rpc: RpcDep, _: CanReadAudit,
                         since: Since = None, actor: Actor = None,
                         entity_kind: EntityKind = None, language: Language = "vi") -> Any:
    return await _journal(rpc, plan_id, task_id, "csv", language, None, 0,
                          {"since": since, "actor": actor, "entity_kind": entity_kind})
