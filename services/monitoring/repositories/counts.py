"""Daily counters (`counts`): one document per day with nested `$inc` counters, `topic.<id>`
and `place.<id>` for spike detection and `coverage.<outlet>|<topic>` for coverage. A batch
touches one document per distinct day, not one per counter (single upserts are what a
database pays most); weeks and months are summed at query time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database

from services.runtime.mongo_unit_of_work import collection
from services.runtime.unit_of_work import Repository

COUNTS = "counts"
KINDS = ("topic", "place")


def field_key(value: str) -> str:
    """A value usable as a field name ('.' and a leading '$' are path syntax)."""
    return value.replace(".", "\uff0e").replace("$", "\uff04")


def value_of(key: str) -> str:
    return key.replace("\uff0e", ".").replace("\uff04", "$")


class CountsRepository(Repository):
    def __init__(self, db: Database[dict[str, Any]]) -> None:
        super().__init__()
        self.db = db

    @staticmethod
    def ensure_indexes(db: Database[dict[str, Any]]) -> None:
        db[COUNTS].create_index("day", name="day")

    def add(self, items: Iterable[dict[str, Any]]) -> None:
        """Count stored items (their day, topics, places and outlet), at once: the
        ingestion writes them while it evaluates the alert rules."""
        per_day: dict[str, dict[str, int]] = {}
        for item in items:
            counters = per_day.setdefault(item["day"], {})
            names = [f"topic.{field_key(t)}" for t in item["topic_ids"]]
            names += [f"place.{field_key(p)}" for p in item["place_ids"]]
            outlet = item.get("outlet_unit_id")
            if outlet:
                names += [f"coverage.{field_key(outlet)}|{field_key(t)}"
                          for t in item["topic_ids"]]
            for name in names:
                counters[name] = counters.get(name, 0) + 1
        writes = [UpdateOne({"_id": f"day|{day}"},
                            {"$inc": counters, "$setOnInsert": {"day": day}}, upsert=True)
                  for day, counters in per_day.items() if counters]
        if writes:
            collection(self.db, COUNTS).bulk_write(writes, ordered=False)

    def series(self, days: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Per day, per kind (topic, place), the count of each value."""
        found = {d["day"]: d for d in collection(self.db, COUNTS).find(
            {"_id": {"$in": [f"day|{day}" for day in days]}})}
        return {day: {kind: {value_of(k): int(n) for k, n in (doc.get(kind) or {}).items()}
                      for kind in KINDS}
                for day, doc in found.items()}

    def coverage(self, date_from: str | None, date_to: str | None
                 ) -> Iterator[tuple[str, str, str, int]]:
        """(day, outlet, topic, items) within the dates (ISO, inclusive)."""
        bounds = {k: v for k, v in (("$gte", date_from), ("$lte", date_to)) if v}
        query = {"day": bounds} if bounds else {}
        for doc in collection(self.db, COUNTS).find(query, {"day": 1, "coverage": 1}):
            for pair, count in (doc.get("coverage") or {}).items():
                outlet, topic = (value_of(x) for x in pair.split("|", 1))
                yield doc["day"], outlet, topic, int(count)
