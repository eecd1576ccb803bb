"""Which units a unit-scoped caller may see: its own unit, and for local officers every unit
below it (the hierarchy comes from the plans service, cached briefly)."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from pydantic import ValidationError

from services.contracts.errors import ServiceError
from services.contracts.gateway import Role
from services.contracts.rpc_catalogue import plans as plans_rpc
from services.gateway.access import Principal, child_closure

log = logging.getLogger(__name__)


class UnitDirectory:
    def __init__(self, rpc: Any, ttl_seconds: float = 60.0) -> None:
        self.rpc = rpc
        self.ttl_seconds = ttl_seconds
        self._parents: dict[str, str | None] = {}
        self._loaded_at = float("-inf")

    async def scope(self, principal: Principal) -> Principal:
        if not principal.unit_scoped:
            return principal
        if not principal.unit_id:
            return dataclasses.replace(principal, visible_units=frozenset())
        if principal.role is Role.LOCAL_OFFICER:
            units = child_closure(principal.unit_id, await self._hierarchy())
        else:
            units = frozenset({principal.unit_id})
        return dataclasses.replace(principal, visible_units=units)

    async def _hierarchy(self) -> dict[str, str | None]:
        if time.monotonic() - self._loaded_at < self.ttl_seconds:
            return self._parents
        parents: dict[str, str | None] = {}
        cursor: str | None = None
        try:
            for _ in range(100):
                page = plans_rpc.LIST_UNITS.parse_reply(await self.rpc.call(
                    plans_rpc.LIST_UNITS.service, plans_rpc.LIST_UNITS.name, after=cursor,
                    limit=200, timeout=2.0))
                for unit in page.items:
                    parents[unit.id] = unit.parent_id
                cursor = page.next_cursor
                if not cursor:
                    break
        except (ServiceError, ValidationError) as exc:
            log.warning("unit hierarchy unavailable; local officers see their own unit only",
                        extra={"error": str(exc)[:200]})
            self._loaded_at = time.monotonic() - self.ttl_seconds + 10  # retry in 10 s
            return self._parents
        self._parents = parents
        self._loaded_at = time.monotonic()
        return parents
