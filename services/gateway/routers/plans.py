"""Plans: create, import, edit, issue, amend, close, cancel; progress and exports."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated, Any, Literal

from fastapi import Query, Response, status
from pydantic import BaseModel

from services.contracts.plans_changes import RollOverRequest, RollOverResult
from services.contracts.plans_documents import (
    AmendPlanRequest,
    CancelPlanRequest,
    CreatePlanRequest,
    ImportPlanRequest,
    ImportPlanResult,
    PlanCommand,
    PlanDetail,
    PlanSummary,
    UpdatePlanRequest,
)
from services.contracts.plans_reporting import ProgressBrief, ProgressSummary, ReceiptModel
from services.contracts.rpc import RpcMethod
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.access import Principal, can_see
from services.gateway.deps import Rpc, RpcDep
from services.gateway.permissions import CanReadPlans, CanWritePlans
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import (
    NOT_FOUND,
    TRANSITION_CONFLICTS,
    Cursor,
    Limit,
    PlanPathId,
    page_of,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/plans", tags=["plans"])

# Progress and exports roll up every task, report and KPI of a plan: a longer deadline.
REPORT_TIMEOUT = 30.0
CreatePlanBody = body_of(CreatePlanRequest, "CreatePlanBody")
ImportPlanBody = body_of(ImportPlanRequest, "ImportPlanBody")
PlanCommandBody = body_of(PlanCommand, "PlanCommandBody", ("actor", "plan_id"))
UpdatePlanBody = body_of(UpdatePlanRequest, "UpdatePlanBody", ("actor", "plan_id"))
AmendPlanBody = body_of(AmendPlanRequest, "AmendPlanBody", ("actor", "plan_id"))
RollOverBody = body_of(RollOverRequest, "RollOverBody", ("actor", "plan_id"))
CancelPlanBody = body_of(CancelPlanRequest, "CancelPlanBody", ("actor", "plan_id"))


class PlanListItem(PlanSummary):
    progress: ProgressBrief | None = None

PlanPage = page_of(PlanListItem, "PlanPage")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanSummary,
             summary="Create a draft plan", responses=TRANSITION_CONFLICTS)
async def create_plan(body: CreatePlanBody, rpc: RpcDep,  # type: ignore[valid-type]
                      principal: CanWritePlans) -> Any:
    """Creates a draft plan such as 25/KH-STTTT of the Department. References (issuer unit,
    recipients' units and groups, parent plans) must exist (422 names the field); a number
    already used by the issuer in that year answers 409."""
    return await rpc.call(plans_rpc.CREATE_PLAN, **rpc_kwargs(body, actor=principal.id))


@router.post("/import", status_code=status.HTTP_201_CREATED, response_model=ImportPlanResult,
             summary="Import a plan with its tasks from a structured file (YAML or JSON)",
             responses={409: {"description": "another plan has this id or number"},
                        422: {"description": "the file is invalid (errors name line/field)"}})
async def import_plan(body: ImportPlanBody, rpc: RpcDep,  # type: ignore[valid-type]
                      principal: CanWritePlans) -> Any:
    """Imports a plan with its tasks from a structured file
    (`docs/plan-import-format.md`), optionally issuing it. Importing the same
    file again answers the plan already imported; other content under the same plan id or
    number answers 409."""
    return await rpc.call(plans_rpc.IMPORT_PLAN, **rpc_kwargs(body, actor=principal.id))


@router.get("", response_model=PlanPage, summary="List plans")
async def list_plans(rpc: RpcDep, _: CanReadPlans, cursor: Cursor = None, limit: Limit = 50,
                     year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                     status_: Annotated[Literal["draft", "issued", "closed", "cancelled"] | None,
                                        Query(alias="status")] = None,
                     issuer_unit_id: Annotated[str | None, Query(max_length=100)] = None,
                     include: Annotated[Literal["progress"] | None, Query()] = None) -> Any:
    """Pages through plans, filtered by year, status or issuing unit. With
    `include=progress` each plan that is not a draft carries its progress at a glance (the
    buckets of `/plans/{id}/progress` and the reports awaiting review), so an overview of
    plans is one request instead of one per plan."""
    filters: dict[str, Any] = {k: v for k, v in {
        "year": year, "status": status_, "issuer_unit_id": issuer_unit_id}.items()
        if v is not None}
    page = await rpc.call(plans_rpc.LIST_PLANS, after=cursor, limit=limit, **filters)
    if include != "progress":
        return page
    # The service caches each plan's roll-up; asked together, they overlap on the broker.
    progress = await asyncio.gather(*(_progress_brief(rpc, plan) for plan in page.items))
    return PlanPage(items=[PlanListItem(**plan.model_dump(), progress=brief)
                           for plan, brief in zip(page.items, progress, strict=True)],
                    next_cursor=page.next_cursor)


async def _progress_brief(rpc: Rpc, plan: PlanSummary) -> ProgressBrief | None:
    if plan.status == "draft":  # a draft has no assigned task, so no progress yet
        return None
    return await rpc.call(plans_rpc.PROGRESS_SUMMARY, plan_id=plan.id,
                          rpc_timeout=REPORT_TIMEOUT)


@router.get("/{plan_id}", response_model=PlanDetail, summary="Read one plan",
            responses=NOT_FOUND)
async def get_plan(plan_id: PlanPathId, rpc: RpcDep, _: CanReadPlans) -> Any:
    """One plan with its identity, basis documents, objectives, topics, channels, recipients and
    signer."""
    return await rpc.call(plans_rpc.GET_PLAN, plan_id=plan_id)


@router.patch("/{plan_id}", response_model=PlanDetail, summary="Edit a draft plan",
              responses=TRANSITION_CONFLICTS)
async def update_plan(plan_id: PlanPathId, body: UpdatePlanBody, rpc: RpcDep,  # type: ignore[valid-type]
                      principal: CanWritePlans) -> Any:
    """Changes fields of a draft plan; only the fields given change. An issued plan is amended
    instead (409 here)."""
    return await _command(rpc, plans_rpc.UPDATE_PLAN, plan_id, body, principal)


async def _command(rpc: RpcDep, method: RpcMethod[Any, Any], plan_id: PlanPathId,
                   body: BaseModel | None, principal: Principal) -> Any:
    return await rpc.call(method, **rpc_kwargs(body, plan_id=plan_id, actor=principal.id))


@router.post("/{plan_id}/issue", response_model=PlanDetail, responses=TRANSITION_CONFLICTS,
             summary="Issue a draft plan: its tasks are assigned to units")
async def issue_plan(plan_id: PlanPathId, rpc: RpcDep, principal: CanWritePlans,
                     body: PlanCommandBody | None = None) -> Any:  # type: ignore[valid-type]
    """Issues a draft plan: its tasks are assigned to their units (`plan.issued`,
    `task.assigned`), which notifications turns into directives."""
    return await _command(rpc, plans_rpc.ISSUE_PLAN, plan_id, body, principal)


@router.post("/{plan_id}/amend", response_model=PlanDetail, responses=TRANSITION_CONFLICTS,
             summary="Amend an issued plan (recorded, bumps the revision)")
async def amend_plan(plan_id: PlanPathId, body: AmendPlanBody, rpc: RpcDep,  # type: ignore[valid-type]
                     principal: CanWritePlans) -> Any:
    """Amends an issued plan with a reason: the change is journalled and the revision goes up
    (`plan.amended`)."""
    return await _command(rpc, plans_rpc.AMEND_PLAN, plan_id, body, principal)


@router.post("/{plan_id}/close", response_model=PlanDetail, responses=TRANSITION_CONFLICTS,
             summary="Close an issued plan")
async def close_plan(plan_id: PlanPathId, rpc: RpcDep, principal: CanWritePlans,
                     body: PlanCommandBody | None = None) -> Any:  # type: ignore[valid-type]
    """Closes an issued plan: no more reports are accepted (`plan.closed`)."""
    return await _command(rpc, plans_rpc.CLOSE_PLAN, plan_id, body, principal)


@router.post("/{plan_id}/cancel", response_model=PlanDetail, responses=TRANSITION_CONFLICTS,
             summary="Cancel a plan")
async def cancel_plan(plan_id: PlanPathId, body: CancelPlanBody, rpc: RpcDep,  # type: ignore[valid-type]
                      principal: CanWritePlans) -> Any:
    """Cancels a draft or issued plan with a reason."""
    return await _command(rpc, plans_rpc.CANCEL_PLAN, plan_id, body, principal)


@router.get("/{plan_id}/progress", response_model=ProgressSummary, responses=NOT_FOUND,
            summary="Progress of a plan by status bucket, unit, task and KPI")
async def get_plan_progress(plan_id: PlanPathId, rpc: RpcDep, _: CanReadPlans) -> Any:
    """Rolls up a plan's progress: tasks per status bucket (completed on time, completed late,
    open within deadline, overdue), per unit, per task, and KPI targets against reported and
    matched evidence."""
    return await rpc.call(plans_rpc.PROGRESS_SUMMARY, plan_id=plan_id,
                          rpc_timeout=REPORT_TIMEOUT)


@router.get("/{plan_id}/export", response_class=Response, responses={
    **NOT_FOUND, 200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-"
                                   "officedocument.spreadsheetml.sheet": {}},
                       "description": "The progress report file."}},
    summary="Export progress for the Provincial People's Committee (CSV or XLSX)")
async def export_plan_progress(
        plan_id: PlanPathId, rpc: RpcDep, _: CanReadPlans,
        format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx",
        view: Annotated[Literal["units", "tasks", "kpis"], Query()] = "units",
        language: Annotated[Literal["vi", "en"], Query()] = "vi") -> Response:
    """Downloads the progress report for the Provincial People's Committee as CSV or XLSX, by
    unit, task or KPI, in Vietnamese or English."""
    file = await rpc.call(plans_rpc.EXPORT_PROGRESS, plan_id=plan_id, format=format,
                          view=view, language=language, rpc_timeout=REPORT_TIMEOUT)
    return Response(base64.b64decode(file.content_base64), media_type=file.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


@router.post(
    "/{plan_id}/roll-over", status_code=status.HTTP_201_CREATED, response_model=RollOverResult,
    summary="Start next year's plan from this one (a draft)",
    description="Creates a draft plan for `target_year`: number, title and every date shifted "
                "by whole years (29 February becomes 28 February), tasks with their recurrences "
                "and KPIs, each unit replaced by the unit standing for it on the new date (its "
                "recorded successors: the 2025 mergers). `unmapped` lists what could not be "
                "carried over as it was, and why: a task whose lead unit has no successor or "
                "several is left out, a coordinating unit without one is dropped. The draft is "
                "edited and issued like any plan. Running it again (or with the same "
                "`idempotency_key`) answers the first result with 200.",
    responses={**TRANSITION_CONFLICTS, 200: {"model": RollOverResult,
                                  "description": "the same roll-over, done before"},
               422: {"description": "target year not after the plan's, or no issuer then"}})
async def roll_over(plan_id: PlanPathId, body: RollOverBody, rpc: RpcDep,  # type: ignore[valid-type]
                    principal: CanWritePlans, response: Response) -> Any:
    result = await rpc.call(plans_rpc.ROLL_OVER_PLAN, rpc_timeout=REPORT_TIMEOUT,
                            **rpc_kwargs(body, plan_id=plan_id, actor=principal.id))
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return result


@router.get(
    "/{plan_id}/receipts", response_model=list[ReceiptModel], responses=NOT_FOUND,
    summary="Which units acknowledged the plan's directives",
    description="Each unit's acknowledgement of a directive of the plan (or, with `task_id`, "
                "of one task), oldest first, with the channel and whether it was late. Outlet "
                "editors and local officers see only their units'.")
async def receipts(plan_id: PlanPathId, rpc: RpcDep, principal: CanReadPlans,
                   task_id: Annotated[str | None, Query(max_length=200,
                                                        examples=["press-bgl-coverage"])] = None
                   ) -> Any:
    found = await rpc.call(plans_rpc.LIST_RECEIPTS, plan_id=plan_id, task_id=task_id)
    return [r for r in found if can_see(principal, r.model_dump())]
