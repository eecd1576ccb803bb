"""Progress reports by id: read, and review (accept or return) by officers."""

from __future__ import annotations

from typing import Any

from fastapi import status

from services.contracts.plans_changes import CorrectReportRequest
from services.contracts.plans_reports import ReportDetail, ReviewReportRequest
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.access import can_see
from services.gateway.deps import RpcDep, not_found
from services.gateway.permissions import CanReadReports, CanReviewReports, CanWriteReports
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, PathId
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/reports", tags=["reports"])
ReviewBody = body_of(ReviewReportRequest, "ReviewReportBody", ("actor", "report_id"))
CorrectionBody = body_of(CorrectReportRequest, "ReportCorrectionBody", ("actor", "report_id"))


@router.get("/{report_id}", response_model=ReportDetail, summary="Read a report",
            responses=NOT_FOUND)
async def get_report(report_id: PathId, rpc: RpcDep, principal: CanReadReports) -> Any:
    """One progress report. Unit-scoped roles see their units' reports only (404 otherwise)."""
    report = await rpc.call(plans_rpc.GET_REPORT, report_id=report_id)
    if not can_see(principal, report):
        raise not_found("report", report_id)
    return report


@router.post("/{report_id}/review", response_model=ReportDetail, summary="Accept or return "
             "a report", responses={**NOT_FOUND, 409: {"description": "already reviewed"}})
async def review_report(report_id: PathId, body: ReviewBody, rpc: RpcDep,  # type: ignore[valid-type]
                        principal: CanReviewReports) -> Any:
    """Accepts a report, or returns it to the unit with a reason (`report.reviewed`). A report
    already reviewed answers 409."""
    return await rpc.call(plans_rpc.REVIEW_REPORT, **rpc_kwargs(body, report_id=report_id,
                                                                actor=principal.id))


@router.post(
    "/{report_id}/corrections", status_code=status.HTTP_201_CREATED,
    response_model=ReportDetail, summary="Correct an accepted report",
    description="Submits a correction of an accepted report, with the reason and the whole "
                "corrected content. It is reviewed like any report (`POST /reports/{id}/review` "
                "on the correction); once accepted it supersedes the original, which stays on "
                "record with `superseded_by`, and progress counts the correction. Both are in "
                "the audit journal. A report that is not accepted (submitted: review it; "
                "returned: submit a new version) answers 409, as does one already superseded or "
                "with a correction awaiting review.",
    responses={**NOT_FOUND, 409: {"description": "the report is not accepted, was superseded, "
                                                 "or a correction awaits review"},
               422: {"description": "no reason, or invalid counts or links"}})
async def correct_report(report_id: PathId, body: CorrectionBody, rpc: RpcDep,  # type: ignore[valid-type]
                         principal: CanWriteReports) -> Any:
    original = await rpc.call(plans_rpc.GET_REPORT, report_id=report_id)
    if not can_see(principal, original):
        raise not_found("report", report_id)
    return await rpc.call(plans_rpc.CORRECT_REPORT, **rpc_kwargs(
        body, report_id=report_id, actor=principal.id))
