"""Organisation units and unit groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from services.plans.domain import NotFound
from services.plans.repositories.base import UNITS, StoreBase, now


class UnitStore(StoreBase):
    def all_units(self) -> list[dict[str, Any]]:
        return list(self.units.find())

    def all_groups(self) -> list[dict[str, Any]]:
        return list(self.groups.find())

    def get_unit(self, unit_id: str) -> dict[str, Any]:
        found = self.units.find_one({"_id": unit_id})
        if found is None:
            raise NotFound(f"unit {unit_id} not found", {"unit_id": unit_id})
        return found

    def units_page(self, *, unit_type: str | None = None, parent_id: str | None = None,
                   valid_on: date | None = None, after: str | None = None,
                   limit: int) -> list[dict[str, Any]]:
        """Units in `_id` order after the cursor, of a type, under a parent, valid on a day."""
        query: dict[str, Any] = {}
        if unit_type:
            query["type"] = unit_type
        if parent_id:
            query["parent_id"] = parent_id
        if valid_on:
            # The unit directory is small (hundreds): a range and `$or` here cost nothing.
            day = valid_on.isoformat()
            query["valid_from"] = {"$lte": day}
            query["$or"] = [{"valid_to": None}, {"valid_to": {"$gte": day}}]
        return self.page(UNITS, query, after, limit)

    def unit_names(self) -> dict[str, str]:
        """Every unit's name by id: the whole directory (hundreds) in one read is faster than
        `$in` of the ids a summary needs."""
        return {d["_id"]: d["name"] for d in self.units.find({}, {"name": 1})}

    def units_by_ids(self, unit_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The units with these ids that exist, in no particular order."""
        return list(self.units.find({"_id": {"$in": list(unit_ids)}}))

    def save_group(self, doc: dict[str, Any]) -> None:
        self.groups.replace_one({"_id": doc["_id"]}, {**doc, "updated_at": now()}, upsert=True)
