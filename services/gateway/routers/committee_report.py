"""The report the Department sends to the Provincial People's Committee on a plan, as DOCX or
PDF in the layout of Decree 30/2020/NĐ-CP.

Its coverage per topic is monitoring's statistic: the gateway asks monitoring for it (RPC) and
hands it to plans, which owns the figures on tasks and renders the document. Plans could have
counted the `monitoring.coverage_matched` events it consumes, but those are only the items
matched to a task's KPI target; the report gives what monitoring counted on each topic, and
one count kept by one service cannot drift from a second copy."""

from __future__ import annotations

import base64
import logging
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Response

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.deps import Rpc, RpcDep
from services.gateway.permissions import CanReadCoverage, CanReadPlans
from services.gateway.routers.bodies import IsoDate
from services.gateway.routers.common import AUTH_RESPONSES, NOT_FOUND, PlanPathId
from services.gateway.routers.routing import Router

log = logging.getLogger(__name__)
router = Router(prefix="/api/v1/plans", tags=["plans"], responses=AUTH_RESPONSES)
RENDER_TIMEOUT = 60.0
COVERAGE_TIMEOUT = 20.0
COVERAGE_ROWS = 10_000
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf"}


async def _coverage(rpc: Rpc, date_from: date, date_to: date) -> list[dict[str, Any]] | None:
    """Items per topic and outlet in the window, summed over months; None if monitoring cannot
    answer (the report then says its figures are missing instead of failing)."""
    try:
        reply = await rpc.call(monitoring_rpc.COVERAGE, rpc_timeout=COVERAGE_TIMEOUT,
                               period="month", date_from=date_from.isoformat(),
                               date_to=date_to.isoformat(), limit=COVERAGE_ROWS)
    except ServiceError as exc:
        log.warning("coverage unavailable for the upward report", extra={"code": exc.code})
        return None
    totals: dict[tuple[str, str], int] = {}
    for row in reply.get("rows", []):
        key = (row["topic"], row["outlet_unit_id"])
        totals[key] = totals.get(key, 0) + int(row["items"])
    return [{"topic": topic, "outlet_unit_id": outlet, "items": items}
            for (topic, outlet), items in sorted(totals.items())]


@router.get(
    "/{plan_id}/report", response_class=Response,
    summary="The report to the Provincial People's Committee (DOCX or PDF)",
    description="The Department's report on the plan, addressed to the Provincial People's "
                "Committee (UBND tỉnh, the plan's first recipient), in the layout of Decree "
                "30/2020/NĐ-CP: national name and motto, issuing body, number, place and date, "
                "title, body, recipients and signature. Figures as of `as_of` (default today): "
                "tasks by status overall, per task group and per lead unit, overdue tasks by "
                "name, articles per topic as counted by monitoring since the plan date, and a "
                "chart. Officers, viewers and admins: it covers every unit.",
    responses={**NOT_FOUND, 200: {"content": {MEDIA["docx"]: {}, MEDIA["pdf"]: {}},
                                  "description": "The report file."},
               403: {"description": "a unit-scoped caller: the report covers every unit"},
               422: {"description": "a format other than docx or pdf, or a bad date"}})
async def upward_report(
        plan_id: PlanPathId, rpc: RpcDep, principal: CanReadPlans, _: CanReadCoverage,
        format: Annotated[Literal["docx", "pdf"], Query(description="docx or pdf")] = "pdf",
        as_of: Annotated[IsoDate | None, Query(examples=["2021-07-01"])] = None) -> Response:
    if principal.unit_scoped:
        raise ServiceError(ErrorCode.FORBIDDEN, "the report to the Provincial People's "
                           "Committee covers every unit: the Department's officers issue it")
    plan = await rpc.call(plans_rpc.GET_PLAN, plan_id=plan_id)
    day = as_of or date.today()
    since = plan.issued_on or day
    coverage = await _coverage(rpc, min(since, day), day)
    file = await rpc.call(
        plans_rpc.UPWARD_REPORT, rpc_timeout=RENDER_TIMEOUT, plan_id=plan_id, format=format,
        as_of=day.isoformat(), coverage=coverage, coverage_from=min(since, day).isoformat(),
        coverage_to=day.isoformat())
    return Response(base64.b64decode(file.content_base64), media_type=file.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
