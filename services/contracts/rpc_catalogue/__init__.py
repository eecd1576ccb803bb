"""The typed RPC catalogue: every RPC method of every service, declared once
(`services.contracts.rpc.RpcMethod`), one module per service; `ops` holds the operator methods
every service serves."""

from __future__ import annotations

from typing import Any

from services.contracts.rpc import CATALOGUE, RpcMethod
from services.contracts.rpc_catalogue import monitoring, notifications, ops, plans

__all__ = ["monitoring", "notifications", "ops", "plans"]


def declared(service: str | None = None) -> list[RpcMethod[Any, Any]]:
    """Every declared method, or those of one service."""
    return [m for m in CATALOGUE.values() if service is None or m.service == service]
