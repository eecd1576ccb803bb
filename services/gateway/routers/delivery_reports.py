"""Delivery reports of SMS and Zalo providers, and the commune loudspeaker bulletins."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query, Response

from services.contracts import notifications
from services.contracts import notifications_deliveries as deliveries
from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.rpc_catalogue import notifications as notifications_rpc
from services.gateway.deps import RpcDep, not_found
from services.gateway.permissions import CanReadNotices, CanWriteDeliveryReports
from services.gateway.routers.bodies import IsoDate, body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, PathId
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1", tags=["notices"])
DeliveryReportBody = body_of(deliveries.DeliveryReportRequest, "DeliveryReportBody", ("channel",))
TEXT_RESPONSE: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND, 200: {"content": {"application/json": {}, "text/plain": {}},
                       "description": "The bulletin, or (format=text) its script as a file."}}


@router.post("/delivery-reports/{channel}", response_model=deliveries.DeliveryReportResult,
             responses=NOT_FOUND, summary="A provider's delivery report (SMS, Zalo)")
async def report_delivery(channel: Annotated[notifications.ChannelName, Path(examples=["sms"])],
                          body: DeliveryReportBody,  # type: ignore[valid-type]
                          rpc: RpcDep, _: CanWriteDeliveryReports) -> Any:
    """Called by an SMS or Zalo provider (an API key with `delivery_reports:write`) when it
    knows whether a message it accepted reached the handset: the delivery becomes `delivered`
    or `failed` (then the unit's next channel is tried). A repeated report changes nothing
    (`changed: false`); an unknown message id answers 404."""
    return await rpc.call(notifications_rpc.DELIVERY_REPORT, **rpc_kwargs(body,
                                                                         channel=channel))


@router.get("/bulletins/{commune_id}", response_model=deliveries.BulletinView,
            responses=TEXT_RESPONSE, summary="A commune's loudspeaker bulletin for a period")
async def export_bulletin(commune_id: PathId, rpc: RpcDep, principal: CanReadNotices,
                          period_start: Annotated[IsoDate, Query(examples=["2021-03-01"])],
                          period_end: Annotated[IsoDate, Query(examples=["2021-03-07"])],
                          format: Annotated[str, Query(pattern="^(json|text)$")] = "json"
                          ) -> Any:
    """The plain-text script the commune radio reads out: the notices sent to the commune in
    the period, in Vietnamese and in each approved translation its audience reads (Jrai,
    Bahnar). `format=text` answers the script as a `.txt` file. Local officers export their
    own communes'."""
    if principal.unit_scoped and commune_id not in principal.visible_units:
        raise not_found("commune", commune_id)
    if period_end < period_start:
        raise ServiceError(ErrorCode.VALIDATION_FAILED, "period_end is before period_start", {
            "errors": [{"loc": ["query", "period_end"], "msg": "before period_start",
                        "type": "value_error"}]})
    bulletin = await rpc.call(notifications_rpc.EXPORT_BULLETIN, commune_id=commune_id,
                              period_start=_iso(period_start), period_end=_iso(period_end))
    if format == "text":
        return Response(bulletin.text, media_type="text/plain; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{bulletin.filename}"'})
    return bulletin


def _iso(day: date) -> str:
    return day.isoformat()
