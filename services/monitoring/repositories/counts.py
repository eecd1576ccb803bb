"""Daily counters (`counts`): one document per day with nested `$inc` counters, `topic.<id>`
and `place.<id>` for spike detection (`story_topic.<id>`, `story_place.<id>`: the stories whose
first item came that day, for spikes counted in stories), `coverage.<outlet>|<topic>` for
coverage, beside the
set of stories (cluster ids) each `<outlet>|<topic>` told that day (`stories.`, `$addToSet`:
a story told on two days counts once in their week). A batch touches one document per
distinct day, not one per counter (single upserts are what a database pays most); weeks and
months are summed (stories: united) at query time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pymongo import ASCENDING, UpdateOne

from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import Repository

COUNTS = "counts"
KINDS = ("topic", "place", "story_topic", "story_place")  # story_: stories begun that day


def field_key(value: str) -> str:
    """A value usable as a field name ('.' and a leading '$' are path syntax)."""
    return value.replace(".", "\uff0e").replace("$", "\uff04")


def value_of(key: str) -> str:
    return key.replace("\uff0e", ".").replace("\uff04", "$")


class CountsRepository(InDatabase, Repository):
    stored_in = COUNTS
    indexes = (Index(COUNTS, "day", (("day", ASCENDING),)),)

    def add(self, items: Iterable[dict[str, Any]]) -> None:
        """Count stored items (their day, topics, places and outlet), at once: the
        ingestion writes them while it evaluates the alert rules."""
        per_day: dict[str, dict[str, int]] = {}
        stories: dict[str, dict[str, set[str]]] = {}
        for item in items:
            counters = per_day.setdefault(item["day"], {})
            told = stories.setdefault(item["day"], {})
            names = [f"topic.{field_key(t)}" for t in item["topic_ids"]]
            names += [f"place.{field_key(p)}" for p in item["place_ids"]]
            if item.get("cluster_id", item["_id"]) == item["_id"]:  # a story's first item
                names += [f"story_{name}" for name in names]
            outlet = item.get("outlet_unit_id")
            if outlet:
                names += [f"coverage.{field_key(outlet)}|{field_key(t)}"
                          for t in item["topic_ids"]]
                for t in item["topic_ids"]:
                    told.setdefault(f"stories.{field_key(outlet)}|{field_key(t)}", set()).add(
                        item["cluster_id"])
            for name in names:
                counters[name] = counters.get(name, 0) + 1
        writes = [UpdateOne({"_id": f"day|{day}"}, {
            "$inc": counters, "$setOnInsert": {"day": day},
            **({"$addToSet": {k: {"$each": sorted(v)} for k, v in stories[day].items()}}
               if stories[day] else {})}, upsert=True)
                  for day, counters in per_day.items() if counters]
        if writes:
            self._records.bulk_write(writes, ordered=False)

    def series(self, days: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Per day, per kind (topic, place, and their stories), the count of each value."""
        found = {d["day"]: d for d in self._records.find(
            {"_id": {"$in": [f"day|{day}" for day in days]}})}
        return {day: {kind: {value_of(k): int(n) for k, n in (doc.get(kind) or {}).items()}
                      for kind in KINDS}
                for day, doc in found.items()}

    def coverage(self, date_from: str | None, date_to: str | None
                 ) -> Iterator[tuple[str, str, str, int, list[str]]]:
        """(day, outlet, topic, items, stories) within the dates (ISO, inclusive)."""
        bounds = {k: v for k, v in (("$gte", date_from), ("$lte", date_to)) if v}
        query = {"day": bounds} if bounds else {}
        for doc in self._records.find(query, {"day": 1, "coverage": 1, "stories": 1}):
            told = doc.get("stories") or {}
            for pair, count in (doc.get("coverage") or {}).items():
                outlet, topic = (value_of(x) for x in pair.split("|", 1))
                yield doc["day"], outlet, topic, int(count), list(told.get(pair) or [])
