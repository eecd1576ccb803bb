"""The plans service as notifications reads it: organisation units, groups on a date, plans.
Over nameko RPC with a deadline; a missing unit or plan answers None."""

from __future__ import annotations

from datetime import date
from typing import Any

import eventlet

from services.contracts.errors import ErrorCode, ServiceError


class PlansUnits:
    """`directory.RemoteUnits` over nameko RPC to plans."""

    def __init__(self, proxy: Any, timeout: float) -> None:
        self.proxy = proxy
        self.timeout = timeout

    def _call(self, method: str, **kwargs: Any) -> Any:
        reply = getattr(self.proxy, method).call_async(**kwargs)
        try:
            with eventlet.Timeout(self.timeout):
                return reply.result()
        except eventlet.Timeout:
            # eventlet's Timeout is no Exception: callers that treat a silent plans as
            # "unknown" would not catch it, and the whole call would fail.
            raise TimeoutError(f"plans.{method} did not answer in {self.timeout} s") from None

    def _found(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        try:
            found = self._call(method, **kwargs)
        except ServiceError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return None
            raise
        return found if isinstance(found, dict) else None

    def get_unit(self, unit_id: str) -> dict[str, Any] | None:
        return self._found("get_unit", unit_id=unit_id)

    def resolve_group(self, group: str, as_of: date) -> list[str]:
        found = self._found("resolve_group", group_id=group, as_of=as_of.isoformat())
        return [str(u) for u in (found or {}).get("unit_ids") or []]

    def get_plan(self, plan_id: str) -> dict[str, Any] | None:
        return self._found("get_plan", plan_id=plan_id)
