"""The operator methods every service serves (services/runtime/nameko_ext/base.py)."""

from __future__ import annotations

from typing import Any

from services.contracts import operations as o
from services.contracts.rpc import RpcMethod

SERVICES = ("plans", "notifications", "monitoring")

PING: dict[str, RpcMethod[Any, Any]] = {
    service: RpcMethod(service, "ops_ping", o.PingRequest, dict[str, str]) for service in SERVICES}
DEAD_LETTERS: dict[str, RpcMethod[Any, Any]] = {
    service: RpcMethod(service, "ops_dead_letters", o.DeadLettersRequest,
                       list[o.DeadLetterView]) for service in SERVICES}
REPLAY_DEAD_LETTERS: dict[str, RpcMethod[Any, Any]] = {
    service: RpcMethod(service, "ops_replay_dead_letters", o.ReplayDeadLettersRequest,
                       dict[str, str]) for service in SERVICES}
EVENT_STATUS: dict[str, RpcMethod[Any, Any]] = {
    service: RpcMethod(service, "ops_event_status", o.EventStatusRequest,
                       list[dict[str, Any]],
                       internal="an operator's diagnosis from the command line (ops_cli)")
    for service in SERVICES}
