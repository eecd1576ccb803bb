"""Delivery and acknowledgement status of a notice per recipient, an officer's resend to one
recipient, and a unit's read receipt. Outlet editors and local officers see only their own
units' rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.contracts import notifications
from services.contracts import notifications_deliveries as deliveries
from services.contracts.rpc_catalogue import notifications as notifications_rpc
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanAckNotices, CanReadNotices, CanWriteNotices
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, PathId
from services.gateway.routers.notices import (
    AckBody,
    scope_units,
    unit_acting_on,
    visible_notice,
)
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/notices/{notice_id}", tags=["notices"])


@router.get("/deliveries", response_model=deliveries.NoticeDeliveryPage, responses=NOT_FOUND,
            summary="Delivery and acknowledgement status per recipient")
async def list_deliveries(
        notice_id: PathId, rpc: RpcDep, principal: CanReadNotices, cursor: Cursor = None,
        limit: Limit = 100,
        unit_id: Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9._:-]+$",
                                             examples=["pvhtt-ia-grai"])] = None,
        channel: Annotated[notifications.ChannelName | None, Query()] = None,
        status: Annotated[deliveries.DeliveryStatusName | None, Query()] = None,
        language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$",
                                              examples=["jra"])] = None) -> Any:
    """One row per unit, channel and language: the contact used (masked), the status (`held`
    while a translation is awaited, with `hold_reason`), attempts and the last error, when it
    was delivered, read and acknowledged and by whom. Filters combine; `next_cursor` pages on.
    An outlet editor or local officer sees only its own units' rows."""
    await visible_notice(rpc, principal, notice_id)
    filters: dict[str, Any] = {k: v for k, v in {
        "unit_id": unit_id, "channel": channel, "status": status, "language": language,
        "unit_ids": scope_units(principal)}.items() if v is not None}
    return await rpc.call(notifications_rpc.LIST_DELIVERIES, notice_id=notice_id, after=cursor,
                          limit=limit, **filters)


@router.post("/deliveries/{delivery_id}/resend", response_model=deliveries.DeliveryView,
             responses={**NOT_FOUND, 409: {"description": "held for a translation, or still "
                                                          "being sent"}},
             summary="Send one delivery once more (officers)")
async def resend_delivery(notice_id: PathId, delivery_id: PathId, rpc: RpcDep,
                          principal: CanWriteNotices) -> Any:
    """For a recipient that says it got nothing: a delivery that is over (sent, delivered,
    failed, expired) goes out again now, under a new message id so webhook receivers and
    providers do not drop it as a duplicate; its ack deadline no longer cuts it off. The row
    records who asked and when. A held or in-flight delivery answers 409."""
    await visible_notice(rpc, principal, notice_id)
    return await rpc.call(notifications_rpc.RESEND_DELIVERY, notice_id=notice_id,
                          delivery_id=delivery_id, actor=principal.id)


@router.post("/read", response_model=deliveries.ReadView, responses=NOT_FOUND,
             summary="Record that a unit opened the notice")
async def mark_read(notice_id: PathId, rpc: RpcDep, principal: CanAckNotices,
                    body: AckBody | None = None) -> Any:
    """The first read of the notice by the unit (the caller's by default) is recorded with the
    reader; later calls answer it (`created: false`). It shows as `read_at`/`read_by` in
    `GET /notices/{id}/deliveries` and the inbox."""
    unit_id = await unit_acting_on(rpc, principal, notice_id, body)
    return await rpc.call(notifications_rpc.MARK_READ, notice_id=notice_id, unit_id=unit_id,
                          actor=principal.id)
