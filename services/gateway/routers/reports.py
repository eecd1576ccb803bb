"""Progress reports by id: read, and review (accept or return) by officers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.contracts import plans as c
from services.gateway.access import Principal, can_see
from services.gateway.deps import RpcDep, not_found, require
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import AUTH_RESPONSES, NOT_FOUND, PathId

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=AUTH_RESPONSES)
Reader = Annotated[Principal, Depends(require("reports:read"))]
Reviewer = Annotated[Principal, Depends(require("reports:review"))]
ReviewBody = body_of(c.ReviewReportRequest, "ReviewReportBody", ("actor", "report_id"))


@router.get("/{report_id}", response_model=c.ReportDetail, summary="Read a report",
            responses=NOT_FOUND)
async def get_report(report_id: PathId, rpc: RpcDep, principal: Reader) -> Any:
    report = await rpc("plans", "get_report", report_id=report_id)
    if not can_see(principal, report):
        raise not_found("report", report_id)
    return report


@router.post("/{report_id}/review", response_model=c.ReportDetail, summary="Accept or return "
             "a report", responses={**NOT_FOUND, 409: {"description": "already reviewed"}})
async def review_report(report_id: PathId, body: ReviewBody, rpc: RpcDep,  # type: ignore[valid-type]
                        principal: Reviewer) -> Any:
    return await rpc("plans", "review_report", **rpc_kwargs(body, report_id=report_id,
                                                            actor=principal.id))
