"""Organisation units and unit groups."""

from __future__ import annotations

from services.plans.repositories.base import StoreBase


class UnitStore(StoreBase):
    def unit_names(self) -> dict[str, str]:
        """Every unit's name by id: the whole directory (hundreds) in one read is faster than
        `$in` of the ids a summary needs."""
        return {d["_id"]: d["name"] for d in self.units.find({}, {"name": 1})}
