"""Liveness, readiness and metrics. /healthz is cheap; /readyz names what is down."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from pydantic import BaseModel, Field

from services.contracts.errors import ServiceError
from services.contracts.rpc_catalogue import ops
from services.gateway.metrics import RPC_CAPACITY, RPC_IN_FLIGHT
from services.gateway.routers.routing import Router

router = Router(tags=["operations"])

BACKEND_SERVICES = ("plans", "notifications", "monitoring")


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(description="`ok`, or why it is down, per dependency.",
                                   examples=[{"broker": "ok", "plans": "ok",
                                              "notifications": "down: timeout",
                                              "monitoring": "ok"}])


@router.get("/healthz", summary="Liveness: the process answers")
async def get_health() -> dict[str, str]:
    """Answers 200 while the process runs; it checks nothing else, so a restart is the only cure
    when it fails."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: broker and every backend service answer",
            response_model=Readiness,
            responses={503: {"model": Readiness, "description": "a dependency is down"}})
async def get_readiness(request: Request) -> JSONResponse:
    """Checks the broker and pings every backend service (plans, notifications, monitoring). 200
    when all answer; 503 with `Retry-After` and the state of each check otherwise, so a load
    balancer stops sending traffic."""
    rpc = request.app.state.rpc
    timeout = request.app.state.settings.readiness_timeout_seconds
    checks: dict[str, str] = {"broker": "ok" if rpc.connected else "down"}

    async def ping(service: str) -> tuple[str, str]:
        try:
            await rpc.call(service, ops.PING[service].name, timeout=timeout)
            return service, "ok"
        except ServiceError as exc:
            return service, f"down: {exc.message}"

    if rpc.connected:
        checks.update(dict(await asyncio.gather(*(ping(s) for s in BACKEND_SERVICES))))
    else:
        checks.update({s: "unknown: broker down" for s in BACKEND_SERVICES})
    ok = all(v == "ok" for v in checks.values())
    body: dict[str, Any] = {"status": "ok" if ok else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503,
                        headers=None if ok else {"Retry-After": "5"})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def get_metrics(request: Request) -> Response:
    """Prometheus text exposition of the gateway's metrics (requests per route template, RPC
    pool, authentication failures, webhooks, SSE clients)."""
    rpc = request.app.state.rpc
    RPC_IN_FLIGHT.set(rpc.in_flight)
    RPC_CAPACITY.set(rpc.max_in_flight)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
