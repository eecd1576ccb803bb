"""A plan's progress reports across all its tasks: the officers' review queue
(`?status=submitted`); outlet editors and local officers get only their units' reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

from services.contracts.plans_reports import ReportPage
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.access import can_see
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadReports
from services.gateway.routers.common import AUTH_RESPONSES, NOT_FOUND, Cursor, Limit, PlanPathId
from services.gateway.routers.routing import Router
from services.gateway.routers.tasks import unit_filter

router = Router(prefix="/api/v1/plans/{plan_id}/reports", tags=["reports"],
                responses=AUTH_RESPONSES)
ReportStatus = Literal["submitted", "accepted", "returned"]


@router.get("", response_model=ReportPage, responses=NOT_FOUND,
            summary="A plan's reports across its tasks (the review queue)",
            description="In a stable order, by cursor; `status=submitted` is what awaits review. "
                        "Outlet editors and local officers get only their units' reports.")
async def list_plan_reports(plan_id: PlanPathId, rpc: RpcDep, principal: CanReadReports,
                            cursor: Cursor = None, limit: Limit = 50,
                            unit_id: Annotated[str | None, Query(max_length=100)] = None,
                            status_: Annotated[ReportStatus | None,
                                               Query(alias="status")] = None) -> Any:
    await rpc.call(plans_rpc.GET_PLAN, plan_id=plan_id)  # an unknown plan is 404, not []
    page = await rpc.call(plans_rpc.LIST_REPORTS, plan_id=plan_id, after=cursor, limit=limit,
                          unit_id=unit_filter(principal, unit_id), status=status_)
    page.items = [report for report in page.items if can_see(principal, report)]
    return page
