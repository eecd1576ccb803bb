"""Alerts (rule matches, spikes, silent sources): list, acknowledge, resolve. The actor is
the caller; each action is kept in the alert's history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel

from services.contracts import monitoring
from services.contracts.rpc_catalogue import monitoring as monitoring_rpc
from services.gateway.access import Principal
from services.gateway.deps import RpcDep
from services.gateway.permissions import CanReadAlerts, CanWriteAlerts
from services.gateway.routers.bodies import body_of, rpc_kwargs
from services.gateway.routers.common import NOT_FOUND, Cursor, Limit, page_of
from services.gateway.routers.routing import Router

router = Router(prefix="/api/v1/alerts", tags=["alerts"])
AlertActionBody = body_of(monitoring.AlertActionRequest, "AlertActionBody",
                          ("alert_id", "action", "actor"), strict=True)
AlertId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")]
CONFLICTS: dict[int | str, dict[str, str]] = {
    **NOT_FOUND, 409: {"description": "the alert's status does not allow the action"}}

AlertPage = page_of(monitoring.AlertReply, "AlertPage")


@router.get("", response_model=AlertPage, summary="List alerts (newest first)")
async def list_alerts(rpc: RpcDep, _: CanReadAlerts, cursor: Cursor = None, limit: Limit = 50,
                      status_: Annotated[monitoring.AlertStatus | None,
                                         Query(alias="status")] = None,
                      kind: Annotated[monitoring.AlertKind | None, Query()] = None) -> Any:
    """Pages through alerts, newest first, filtered by status or kind."""
    filters: dict[str, Any] = {k: v for k, v in {"status": status_, "kind": kind}.items()
                               if v is not None}
    return await rpc.call(monitoring_rpc.LIST_ALERTS, after=cursor, limit=limit, **filters)


async def _act(rpc: RpcDep, alert_id: str, action: str, body: BaseModel | None,
               principal: Principal) -> Any:
    return await rpc.call(monitoring_rpc.ACT_ON_ALERT, **rpc_kwargs(
        body, alert_id=alert_id, action=action, actor=principal.id))


@router.post("/{alert_id}/acknowledge", response_model=monitoring.AlertReply, responses=CONFLICTS,
             summary="Acknowledge an alert (someone is on it)")
async def acknowledge_alert(alert_id: AlertId, rpc: RpcDep, principal: CanWriteAlerts,
                            body: AlertActionBody | None = None  # type: ignore[valid-type]
                            ) -> Any:
    """Acknowledges an open alert (someone is on it), with an optional note; the caller is
    recorded in its history. An alert in another status answers 409."""
    return await _act(rpc, alert_id, "acknowledge", body, principal)


@router.post("/{alert_id}/resolve", response_model=monitoring.AlertReply, responses=CONFLICTS,
             summary="Resolve an alert")
async def resolve_alert(alert_id: AlertId, rpc: RpcDep, principal: CanWriteAlerts,
                        body: AlertActionBody | None = None  # type: ignore[valid-type]
                        ) -> Any:
    """Resolves an alert, with an optional note; the caller is recorded in its history. A
    resolved alert answers 409."""
    return await _act(rpc, alert_id, "resolve", body, principal)
