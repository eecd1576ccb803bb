"""Organisation units and unit groups."""

from __future__ import annotations

from typing import Any

from services.plans.domain import NotFound
from services.plans.repositories.base import StoreBase


class UnitStore(StoreBase):
    def get_unit(self, unit_id: str) -> dict[str, Any]:
        found = self.units.find_one({"_id": unit_id})
        if found is None:
            raise NotFound(f"unit {unit_id} not found", {"unit_id": unit_id})
        return found

    def unit_names(self) -> dict[str, str]:
        """Every unit's name by id: the whole directory (hundreds) in one read is faster than
        `$in` of the ids a summary needs."""
        return {d["_id"]: d["name"] for d in self.units.find({}, {"name": 1})}
