"""Organisation units and unit groups."""

from __future__ import annotations

from typing import Any

from services.plans.domain import NotFound
from services.plans.repositories.base import UNITS_STAMP, StoreBase, now


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

    def save_unit(self, doc: dict[str, Any]) -> None:
        self.units.replace_one({"_id": doc["_id"]}, {**doc, "updated_at": now()}, upsert=True)
        self._touch(UNITS_STAMP, [{"unit": doc["_id"]}])

    def save_group(self, doc: dict[str, Any]) -> None:
        self.groups.replace_one({"_id": doc["_id"]}, {**doc, "updated_at": now()}, upsert=True)

    def get_group(self, group_id: str) -> dict[str, Any] | None:
        return self.groups.find_one({"_id": group_id})

