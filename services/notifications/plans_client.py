"""The plans service as notifications reads it: organisation units, groups on a date, plans.
Over nameko RPC through the typed catalogue's entries, with a deadline; a missing unit or plan
answers None. The deadline is kept by the `Workers` the edge hands in (green threads under
nameko), so this adapter imports no framework."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.plans_documents import PlanRef
from services.contracts.plans_units import GetUnitRequest, ResolveGroupRequest
from services.contracts.rpc import RpcMethod
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.runtime.concurrency import Workers


class PlansUnits:
    """`context.RemoteUnits` over nameko RPC to plans."""

    def __init__(self, proxy: Any, timeout: float, workers: Workers) -> None:
        self.proxy = proxy
        self.timeout = timeout
        self.workers = workers

    def _call(self, method: RpcMethod[Any, Any], request: BaseModel) -> Any:
        reply = getattr(self.proxy, method.name).call_async(
            **method.request_kwargs(request, {}))
        try:
            return self.workers.within(self.timeout, reply.result)
        except TimeoutError:
            raise TimeoutError(f"{method.routing_key} did not answer in {self.timeout} s"
                               ) from None

    def _found(self, method: RpcMethod[Any, Any], request: BaseModel) -> dict[str, Any] | None:
        try:
            found = self._call(method, request)
        except ServiceError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return None
            raise
        return found if isinstance(found, dict) else None

    def get_unit(self, unit_id: str) -> dict[str, Any] | None:
        return self._found(plans_rpc.GET_UNIT, GetUnitRequest(unit_id=unit_id))

    def resolve_group(self, group: str, as_of: date) -> list[str]:
        found = self._found(plans_rpc.RESOLVE_GROUP,
                            ResolveGroupRequest(group_id=group, as_of=as_of))
        return [str(u) for u in (found or {}).get("unit_ids") or []]

    def get_plan(self, plan_id: str) -> dict[str, Any] | None:
        return self._found(plans_rpc.GET_PLAN, PlanRef(plan_id=plan_id))
