"""Coverage statistics: items per outlet, topic and period, as JSON or a CSV download.
Outlet editors and local officers see only their units' outlets."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Response

from services.contracts import monitoring
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.access import Principal, can_see
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadCoverage
from services.gateway.routers.bodies import IsoDate
from services.gateway.routers.routing import Router
from services.gateway.routers.tasks import unit_filter

router = Router(prefix="/api/v1/coverage", tags=["coverage"])
REPORT_TIMEOUT = 30.0
INVALID_RANGE: dict[int | str, dict[str, str]] = {
    422: {"description": "invalid filters (e.g. date_from after date_to)"}}


def _filters(principal: Principal, period: str, outlet_unit_id: str | None,
             topic: str | None, date_from: date | None, date_to: date | None
             ) -> dict[str, Any]:
    return {k: v for k, v in {
        "period": period, "outlet_unit_id": unit_filter(principal, outlet_unit_id),
        "topic": topic, "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None}.items() if v is not None}


Period = Annotated[monitoring.Period, Query(description="day, week (ISO) or month")]
Outlet = Annotated[str | None, Query(max_length=100, examples=["bao-gia-lai"])]
Topic = Annotated[str | None, Query(max_length=60, examples=["drugs"])]
DateFrom = Annotated[IsoDate | None, Query(examples=["2021-03-01"])]
DateTo = Annotated[IsoDate | None, Query(examples=["2021-03-31"])]


@router.get("", response_model=monitoring.CoverageReply, responses=INVALID_RANGE,
            summary="Items per outlet, topic and period")
async def get_coverage(rpc: RpcDep, principal: CanReadCoverage, period: Period = "day",
                       outlet_unit_id: Outlet = None, topic: Topic = None,
                       date_from: DateFrom = None, date_to: DateTo = None) -> Any:
    """Counts items per outlet, topic and period (day, ISO week or month) over a date range.
    Unit-scoped roles see their outlets only; `date_from` after `date_to` answers 422."""
    reply = await rpc.call(monitoring_rpc.COVERAGE, rpc_timeout=REPORT_TIMEOUT, **_filters(
        principal, period, outlet_unit_id, topic, date_from, date_to))
    reply["rows"] = [row for row in reply.get("rows", []) if can_see(principal, row)]
    return reply


@router.get("/export", response_class=Response, responses={
    **INVALID_RANGE, 200: {"content": {"text/csv": {}},
                           "description": "The coverage table (UTF-8 CSV)."}},
    summary="Download coverage as CSV")
async def export_coverage(rpc: RpcDep, principal: CanReadCoverage,
                          format: Annotated[Literal["csv"], Query()] = "csv",
                          period: Period = "day", outlet_unit_id: Outlet = None,
                          topic: Topic = None, date_from: DateFrom = None,
                          date_to: DateTo = None) -> Response:
    """The coverage table as a UTF-8 CSV download, with the same filters."""
    file = await rpc.call(monitoring_rpc.EXPORT_COVERAGE_CSV, rpc_timeout=REPORT_TIMEOUT,
                          **_filters(principal, period, outlet_unit_id, topic, date_from,
                                     date_to))
    return Response(file.content, media_type=file.content_type or "text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
