"""Reference data of the analysis: the gazetteer and harmful scorer (data files), and what
the database holds and officers edit at run time (topics, alert rules, spike settings, the
assignments learnt from plans). Reloaded when a version counter moves, so an edit through RPC
(or in another replica) applies to the next batch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.monitoring.domain import (
    DATA_DIR,
    SHIPPED_MODEL,
    AlertRule,
    Assignment,
    DedupIndex,
    Gazetteer,
    HarmfulScorer,
    Pipeline,
    TopicClassifier,
    load_data_file,
    load_places,
    normalise,
    parse_alert_rules,
    shipped_model,
)
from services.monitoring.domain.model import TextModel
from services.monitoring.repositories import MonitoringUnitOfWork

WATCHED = ("topics", "harmful", "model", "rules", "assignments")


class ReferenceData:
    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.data_dir = data_dir
        self.gazetteer = Gazetteer.from_data(load_places(data_dir / "places.yaml"))
        self.harmful_data = load_data_file(data_dir / "harmful.yaml")
        self.scorer = HarmfulScorer.from_data(self.harmful_data)
        self.classifier: TopicClassifier | None = None
        self.model = shipped_model(data_dir / SHIPPED_MODEL.name)
        self.versions: dict[str, int] = {}
        self.pipeline: Pipeline | None = None
        self.rules: list[AlertRule] = []
        self.spike: dict[str, Any] = {}
        self.assignments: list[Assignment] = []
        self._plan_of: dict[str, str] | None = None
        self._plan_of_version = -1

    def seed(self, stores: MonitoringUnitOfWork) -> None:
        """Topics and rules from the data files, once: the database is the truth after."""
        stores.topics.seed(load_data_file(self.data_dir / "topics.yaml"))
        stores.rules.seed(load_data_file(self.data_dir / "alert_rules.yaml"))
        if self.model is not None:
            meta = self.model.meta
            stores.models.seed(self.model.version, self.model.to_bytes(), {
                "created_at": datetime.now(UTC), "trained_by": str(meta.get("trained_by")),
                "training_set": str(meta.get("training_set")),
                "training_items": int(meta.get("items") or 0),
                "held_out_items": int(meta.get("held_out_items") or 0)})
        stores.state.note_harmful_default(self.scorer.threshold)

    def refresh(self, stores: MonitoringUnitOfWork, dedup: DedupIndex,
                force: bool = False) -> None:
        """Reload what changed since the last batch (one read of the version counters)."""
        versions = stores.state.versions()
        changed = {name for name in WATCHED
                   if force or versions.get(name, 0) != self.versions.get(name, 0)}
        if "topics" in changed:
            self.classifier = TopicClassifier.from_data(stores.topics.taxonomy())
        if "harmful" in changed:
            # the threshold officers set at run time, over the data file's
            threshold = stores.state.thresholds().get("harmful")
            self.scorer = HarmfulScorer.from_data(self.harmful_data if threshold is None
                                                  else {**self.harmful_data,
                                                        "threshold": threshold})
        if "model" in changed:
            # the active version trained through POST /models/train, else the shipped file
            active = stores.models.active()
            self.model = (TextModel.from_bytes(active[1]) if active
                          else shipped_model(self.data_dir / SHIPPED_MODEL.name))
        if self.classifier is not None and changed & {"topics", "harmful", "model"}:
            current = self.pipeline.dedup if self.pipeline is not None else dedup
            # the vectoriser's document frequencies outlive a change of the topics
            learnt = self.pipeline.vectoriser if self.pipeline is not None else None
            self.pipeline = Pipeline(self.classifier, self.gazetteer, self.scorer, current,
                                     vectoriser=learnt, model=self.model)
        if "rules" in changed:
            # keywords are matched on normalised text: normalise them the same way
            self.rules = parse_alert_rules({"rules": [
                {**rule.model_dump(), "keywords": [normalise(k).text for k in rule.keywords]}
                for rule in stores.rules.all() if rule.enabled]})
            self.spike = stores.state.spike_settings()
        if "assignments" in changed:
            self.assignments = stores.plans.active()
        self.versions = versions

    def plan_of(self, stores: MonitoringUnitOfWork) -> dict[str, str]:
        """The plan of each actively assigned task (read again when assignments change)."""
        version = self.versions.get("assignments", 0)
        if self._plan_of is None or self._plan_of_version != version:
            self._plan_of = stores.plans.plans_of_active_tasks()
            self._plan_of_version = version
        return self._plan_of
