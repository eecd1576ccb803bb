"""Tasks of a plan and their progress reports. Outlet editors and local officers see only
tasks their unit leads or coordinates (others answer 404) and report only for their units."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Query, status
from pydantic import BaseModel

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.plans_reports import ReportDetail, ReportPage, SubmitReportRequest
from services.contracts.plans_tasks import (
    AddTaskRequest,
    AssignTaskRequest,
    TaskCommand,
    TaskDetail,
    TaskPage,
    TaskReasonCommand,
    UpdateTaskRequest,
)
from services.contracts.rpc import RpcMethod
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.access import Principal, can_see
from services.gateway.deps import Rpc, RpcDep, not_found
from services.gateway.permissions import (
    CanReadReports,
    CanReadTasks,
    CanWriteReports,
    CanWriteTasks,
)
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import (
    NOT_FOUND,
    TRANSITION_CONFLICTS,
    Cursor,
    Limit,
    PlanPathId,
    TaskPathId,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/plans/{plan_id}/tasks", tags=["tasks"])

AddTaskBody = body_of(AddTaskRequest, "AddTaskBody", ("actor", "plan_id"))
UpdateTaskBody = body_of(UpdateTaskRequest, "UpdateTaskBody", ("actor", "plan_id", "task_id"))
AssignTaskBody = body_of(AssignTaskRequest, "AssignTaskBody", ("actor", "plan_id", "task_id"))
TaskCommandBody = body_of(TaskCommand, "TaskCommandBody", ("actor", "plan_id", "task_id"))
TaskReasonBody = body_of(TaskReasonCommand, "TaskReasonBody",
                         ("actor", "plan_id", "task_id"))
SubmitReportBody = body_of(SubmitReportRequest, "SubmitReportBody",
                           ("actor", "plan_id", "task_id"))


async def visible_task(rpc: Rpc, principal: Principal, plan_id: PlanPathId,
                       task_id: TaskPathId) -> TaskDetail:
    task = await rpc.call(plans_rpc.GET_TASK, plan_id=plan_id, task_id=task_id)
    if not can_see(principal, task):
        raise not_found("task", task_id)
    return task


def unit_filter(principal: Principal, unit_id: str | None) -> str | None:
    """The unit to filter a list by: a unit-scoped caller is held to its visible units."""
    if not principal.unit_scoped:
        return unit_id
    if unit_id is not None and unit_id in principal.visible_units:
        return unit_id
    return principal.unit_id or "-"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskDetail,
             summary="Add a task to a plan", responses=TRANSITION_CONFLICTS)
async def add_task(plan_id: PlanPathId, body: AddTaskBody, rpc: RpcDep,  # type: ignore[valid-type]
                   principal: CanWriteTasks) -> Any:
    """Adds a task with its lead unit, coordinating units, deadline, recurrence and KPI targets
    to a plan that is not closed."""
    return await rpc.call(plans_rpc.ADD_TASK, **rpc_kwargs(body, plan_id=plan_id,
                                                           actor=principal.id))


@router.get("", response_model=TaskPage, summary="List the tasks of a plan",
            responses=NOT_FOUND)
async def list_tasks(plan_id: PlanPathId, rpc: RpcDep, principal: CanReadTasks,
                     cursor: Cursor = None,
                     limit: Limit = 50,
                     unit_id: Annotated[str | None, Query(max_length=100)] = None,
                     status_: Annotated[Literal["open", "in_progress", "completed",
                                                "cancelled"] | None, Query(alias="status")] = None,
                     parent_task_id: Annotated[str | None, Query(max_length=200)] = None) -> Any:
    """Pages through the tasks of a plan, filtered by unit, status or parent task. Outlet
    editors and local officers see only tasks their unit leads or coordinates."""
    filters: dict[str, Any] = {k: v for k, v in {
        "unit_id": unit_filter(principal, unit_id), "status": status_,
        "parent_task_id": parent_task_id}.items() if v is not None}
    page = await rpc.call(plans_rpc.LIST_TASKS, plan_id=plan_id, after=cursor, limit=limit,
                          **filters)
    page.items = [task for task in page.items if can_see(principal, task)]
    return page


@router.get("/{task_id}", response_model=TaskDetail, summary="Read a task",
            responses=NOT_FOUND)
async def get_task(plan_id: PlanPathId, task_id: TaskPathId, rpc: RpcDep,
                   principal: CanReadTasks) -> Any:
    """One task of a plan. A task that the caller's unit neither leads nor coordinates answers
    404 to unit-scoped roles."""
    return await visible_task(rpc, principal, plan_id, task_id)


@router.patch("/{task_id}", response_model=TaskDetail, summary="Edit a task",
              responses=TRANSITION_CONFLICTS)
async def update_task(plan_id: PlanPathId, task_id: TaskPathId, body: UpdateTaskBody,  # type: ignore[valid-type]
                      rpc: RpcDep, principal: CanWriteTasks) -> Any:
    """Changes fields of a task; only the fields given change."""
    return await _status(rpc, plans_rpc.UPDATE_TASK, plan_id, task_id, body, principal)


@router.post("/{task_id}/assign", response_model=TaskDetail, responses=TRANSITION_CONFLICTS,
             summary="Assign the lead and coordinating units")
async def assign_task(plan_id: PlanPathId, task_id: TaskPathId, body: AssignTaskBody,  # type: ignore[valid-type]
                      rpc: RpcDep, principal: CanWriteTasks) -> Any:
    """Assigns the lead unit and the coordinating units of a task (`task.assigned` when the plan
    is issued)."""
    return await _status(rpc, plans_rpc.ASSIGN_TASK, plan_id, task_id, body, principal)


async def _status(rpc: Rpc, method: RpcMethod[Any, Any], plan_id: PlanPathId, task_id: TaskPathId,
                  body: BaseModel | None, principal: Principal) -> Any:
    return await rpc.call(method, **rpc_kwargs(body, plan_id=plan_id, task_id=task_id,
                                               actor=principal.id))


def _status_route(method: RpcMethod[Any, Any], with_reason: bool) -> Callable[..., Any]:
    """The endpoint of one of a task's status changes (named after its RPC method): start and
    complete take an optional body, cancel and reopen a body with the reason."""
    if with_reason:
        async def change(plan_id: PlanPathId, task_id: TaskPathId, body: TaskReasonBody,  # type: ignore[valid-type]
                         rpc: RpcDep, principal: CanWriteTasks) -> Any:
            return await _status(rpc, method, plan_id, task_id, body, principal)
    else:
        async def change(plan_id: PlanPathId, task_id: TaskPathId, rpc: RpcDep,  # type: ignore[misc]
                         principal: CanWriteTasks,
                         body: TaskCommandBody | None = None) -> Any:  # type: ignore[valid-type]
            return await _status(rpc, method, plan_id, task_id, body, principal)
    change.__name__ = change.__qualname__ = method.name
    return change


# (path, RPC method, a reason required, summary, description)
for _action, _method, _with_reason, _summary, _description in (
    ("start", plans_rpc.START_TASK, False, "Mark a task in progress",
     "Marks a task in progress."),
    ("complete", plans_rpc.COMPLETE_TASK, False, "Mark a task completed",
     "Marks a task completed; on time or late follows from its deadline."),
    ("cancel", plans_rpc.CANCEL_TASK, True, "Cancel a task", "Cancels a task with a reason."),
    ("reopen", plans_rpc.REOPEN_TASK, True, "Reopen a completed or cancelled task",
     "Reopens a completed or cancelled task with a reason."),
):
    router.post(f"/{{task_id}}/{_action}", response_model=TaskDetail,
                responses=TRANSITION_CONFLICTS, summary=_summary,
                description=_description)(_status_route(_method, _with_reason))


@router.post("/{task_id}/reports", status_code=status.HTTP_201_CREATED,
             response_model=ReportDetail, responses=TRANSITION_CONFLICTS,
             summary="Submit a progress report for a task and period")
async def submit_report(plan_id: PlanPathId, task_id: TaskPathId, body: SubmitReportBody,  # type: ignore[valid-type]
                        rpc: RpcDep, principal: CanWriteReports) -> Any:
    """Submits a unit's progress report on a task for a period (counts per channel and metric,
    narrative, evidence links, attachments). Unit-scoped roles report only for their own
    units (403 otherwise); a second report for the same unit and period answers 409."""
    await visible_task(rpc, principal, plan_id, task_id)
    if principal.unit_scoped and body.unit_id not in principal.visible_units:  # type: ignore[attr-defined]
        raise ServiceError(ErrorCode.FORBIDDEN, "you may report only for your own unit")
    return await _status(rpc, plans_rpc.SUBMIT_REPORT, plan_id, task_id, body, principal)


@router.get("/{task_id}/reports", response_model=ReportPage, responses=NOT_FOUND,
            summary="Reports submitted for a task")
async def list_task_reports(plan_id: PlanPathId, task_id: TaskPathId, rpc: RpcDep,
                            principal: CanReadReports,
                            cursor: Cursor = None, limit: Limit = 50,
                            unit_id: Annotated[str | None, Query(max_length=100)] = None,
                            status_: Annotated[Literal["submitted", "accepted", "returned"] | None,
                                               Query(alias="status")] = None) -> Any:
    """Pages through the reports submitted on a task, filtered by unit or review status. Unit-
    scoped roles see their units' reports only."""
    await visible_task(rpc, principal, plan_id, task_id)
    filters: dict[str, Any] = {k: v for k, v in {
        "unit_id": unit_filter(principal, unit_id), "status": status_}.items()
        if v is not None}
    page = await rpc.call(plans_rpc.LIST_REPORTS, plan_id=plan_id, task_id=task_id,
                          after=cursor, limit=limit, **filters)
    page.items = [report for report in page.items if can_see(principal, report)]
    return page
