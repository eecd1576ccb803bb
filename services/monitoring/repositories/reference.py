"""Reference data as data in the database: topics (`topics`), alert rules (`alert_rules`) and
the service's state (`state`: version counters, taxonomy defaults, spike settings, when
counting began, the alert gate). Topics and rules are seeded from the data files on first
start; the database is the truth afterwards, and an edit bumps a version counter that every
replica reads before its next batch."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from pymongo.errors import DuplicateKeyError

from services.contracts import monitoring
from services.runtime.mongo_repository import InDatabase
from services.runtime.unit_of_work import DocumentWrite, Repository

TOPICS = "topics"
ALERT_RULES = "alert_rules"
STATE = "state"
THRESHOLD_HISTORY = 500
EDITED = ("updated_at", "updated_by")
TOPIC_FIELDS = tuple(name for name in monitoring.TopicModel.model_fields if name != "id")


class ReferenceRepository(InDatabase, Repository):
    """Reference data officers edit (topics, alert rules): seeded from a data file once, each
    edit announced by its version counter (`StateRepository.bump`)."""

    label: ClassVar[str]  # what one document is, to name it in an error
    version: ClassVar[str]  # its version counter in `state`

    def exists(self, key: str) -> bool:
        return self._records.find_one({"_id": key}, {"_id": 1}) is not None

    def delete(self, key: str) -> None:
        self.queue(DocumentWrite(self.stored_in, key, delete=True))

    def _seed(self, state_key: str, state: dict[str, Any],
              documents: Iterable[dict[str, Any]]) -> None:
        """The documents of the data file and the state beside them, once: the database is
        the truth afterwards."""
        if self._records.estimated_document_count() > 0:
            return
        self._collection(STATE).update_one({"_id": state_key}, {"$setOnInsert": state},
                                           upsert=True)
        for document in documents:
            with contextlib.suppress(DuplicateKeyError):
                self._records.insert_one(document)


class TopicsRepository(ReferenceRepository):
    stored_in = TOPICS
    label = "topic"
    version = "topics"

    def all(self) -> list[monitoring.TopicModel]:
        return [monitoring.TopicModel.model_validate(
            {**{k: v for k, v in d.items() if k not in ("_id", *EDITED)}, "id": d["_id"]})
            for d in self._records.find().sort("_id", 1)]

    def taxonomy(self) -> dict[str, Any]:
        """The definitions the classifier compiles: defaults and topics by id."""
        state = self._collection(STATE).find_one({"_id": "taxonomy"}) or {}
        topics = {}
        for doc in self._records.find().sort("_id", 1):
            topics[doc["_id"]] = {k: v for k, v in doc.items() if k != "_id" and v is not None}
        return {"defaults": state.get("defaults") or {}, "topics": topics}

    def save(self, topic: monitoring.TopicModel, actor: str, now: datetime) -> None:
        spec = topic.model_dump(exclude={"id"}, exclude_none=True)
        absent = {name: "" for name in TOPIC_FIELDS if name not in spec}
        update: dict[str, dict[str, Any]] = {"$set": {**spec, "updated_at": now,
                                                      "updated_by": actor}}
        if absent:
            update["$unset"] = absent
        self.queue(DocumentWrite(TOPICS, topic.id, update=update, upsert=True))

    def set_threshold(self, topic_id: str, threshold: float, actor: str, now: datetime) -> None:
        self.queue(DocumentWrite(TOPICS, topic_id, update={"$set": {
            "threshold": threshold, "updated_at": now, "updated_by": actor}}))

    def seed(self, data: Mapping[str, Any]) -> None:
        """The topics of data/topics.yaml, once."""
        self._seed("taxonomy", {"defaults": data.get("defaults") or {}, "version": 1},
                   ({"_id": topic_id, **spec}
                    for topic_id, spec in (data.get("topics") or {}).items()))


class AlertRulesRepository(ReferenceRepository):
    stored_in = ALERT_RULES
    label = "alert rule"
    version = "rules"

    def all(self) -> list[monitoring.AlertRuleModel]:
        rows = self._records.find({}, dict.fromkeys(EDITED, 0)).sort("_id", 1)
        return [monitoring.AlertRuleModel.model_validate(
            {"id": d["_id"], **{k: v for k, v in d.items() if k != "_id"}}) for d in rows]

    def save(self, rule: monitoring.AlertRuleModel, actor: str, now: datetime) -> None:
        self.queue(DocumentWrite(ALERT_RULES, rule.id, update={"$set": {
            **rule.model_dump(exclude={"id"}), "updated_at": now, "updated_by": actor}},
            upsert=True))

    def seed(self, data: Mapping[str, Any]) -> None:
        """The rules and spike settings of data/alert_rules.yaml, once."""
        rules = (monitoring.AlertRuleModel.model_validate(spec)
                 for spec in data.get("rules") or [])
        self._seed("spike", dict(data.get("spike") or {}),
                   ({"_id": rule.id, **rule.model_dump(exclude={"id"})} for rule in rules))


class StateRepository(InDatabase, Repository):
    stored_in = STATE

    def versions(self) -> dict[str, int]:
        """The version counter of each kind of reference data (topics, rules,
        assignments): one read tells a replica what it must reload."""
        found = self._records.find_one({"_id": "versions"}) or {}
        return {k: int(v) for k, v in found.items() if k != "_id"}

    def bump(self, what: str) -> None:
        self.queue(DocumentWrite(STATE, "versions", update={"$inc": {what: 1}}, upsert=True))

    def thresholds(self) -> dict[str, Any]:
        """The harmful threshold set at run time (`harmful`, absent: the data file's,
        `harmful_default`) and the history of threshold changes (`history`, oldest first)."""
        return self._records.find_one({"_id": "thresholds"}) or {}

    def note_harmful_default(self, threshold: float) -> None:
        """The data file's harmful threshold, noted at every start (the file may change)."""
        self._records.update_one({"_id": "thresholds"},
                                 {"$set": {"harmful_default": threshold}}, upsert=True)

    def set_harmful_threshold(self, threshold: float) -> None:
        self.queue(DocumentWrite(STATE, "thresholds", update={"$set": {"harmful": threshold}},
                                 upsert=True))

    def record_threshold_changes(self, changes: list[dict[str, Any]]) -> None:
        """Who set which threshold when, from what to what (the last THRESHOLD_HISTORY)."""
        self.queue(DocumentWrite(STATE, "thresholds", update={"$push": {"history": {
            "$each": changes, "$slice": -THRESHOLD_HISTORY}}}, upsert=True))

    def spike_settings(self) -> dict[str, Any]:
        return self._records.find_one({"_id": "spike"}) or {}

    def counting_since(self, today: date) -> date:
        """The first day counters were kept (days before are unknown, not zero)."""
        state = self._records
        state.update_one({"_id": "counting"}, {"$setOnInsert": {"since": today.isoformat()}},
                         upsert=True)
        started = state.find_one({"_id": "counting"}) or {}
        return date.fromisoformat(started.get("since") or today.isoformat())

    def alert_gate(self) -> dict[str, Any] | None:
        stored = self._records.find_one({"_id": "alert_gate"})
        return None if not stored else dict(stored.get("gate") or {})

    def save_alert_gate(self, gate: dict[str, Any]) -> None:
        self.queue(DocumentWrite(STATE, "alert_gate", update={"$set": {"gate": gate}},
                                 upsert=True))
