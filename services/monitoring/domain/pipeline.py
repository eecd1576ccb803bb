"""normalise → dedup → classify → places → harmful, as one pure call per item."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from services.contracts.monitoring import CANDIDATE_FLOOR

from .combined import combine, cue_matchers, find_cues
from .dedup import DedupIndex, DuplicateMatch, exact_key
from .harmful import HarmfulScore, HarmfulScorer
from .model import ModelScores, TextModel
from .places import Gazetteer, PlaceMention, load_places
from .stories import (
    LEAD_CHARS,
    LEAD_SYLLABLES,
    LOCAL_UNITS,
    StoryFeatures,
    StoryIndex,
    StoryMatch,
    StoryVectoriser,
    anchors_of,
)
from .text import BOUNDARY, NormalisedText, PhraseMatcher, normalise
from .topics import TopicClassifier, TopicMatch

__all__ = ["CANDIDATE_FLOOR", "DATA_DIR", "SHIPPED_MODEL", "Analysis", "Item", "Pipeline",
           "Prepared", "RawItem", "load_data_file", "shipped_model"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The model a fresh install starts with (services/monitoring/model_files.py trains it from the
# labelled sets in data/eval); a version trained through POST /models/train replaces it.
SHIPPED_MODEL = DATA_DIR / "model.npz"


def shipped_model(path: Path = SHIPPED_MODEL) -> TextModel | None:
    """The model file shipped with the repository, or None where there is none."""
    return TextModel.from_bytes(path.read_bytes()) if path.exists() else None


def load_data_file(path: str | Path) -> dict[str, Any]:
    """Load a YAML (.yaml/.yml) or JSON data file into a dict."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: top level must be a mapping")
    return data


@dataclass
class RawItem:
    """An item from a feed, a page or a push, before analysis."""

    title: str
    body: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    source_id: str | None = None
    source_kind: str = "push"
    outlet_unit_id: str | None = None
    channel: str | None = None  # press, portal, social (the source's, or pushed)
    default_place: str | None = None  # a gazetteer place id (the source's, or pushed)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str
    body: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    seen_at: float = 0.0  # epoch seconds, drives dedup eviction
    exact_keys: tuple[str, ...] | None = None  # exact_key(url, guid), when known already
    default_place: str | None = None  # the source's place: context for shared names


@dataclass(frozen=True, slots=True)
class Analysis:
    item_id: str
    text: NormalisedText
    duplicate: DuplicateMatch
    topics: tuple[TopicMatch, ...]
    places: tuple[PlaceMention, ...]
    place_ids: tuple[str, ...]  # mentioned places plus their ancestors
    harmful: HarmfulScore
    # topics scoring at least CANDIDATE_FLOOR but below their threshold: shown, not assigned
    candidates: tuple[TopicMatch, ...] = ()
    # the threshold of each topic in `topics` and `candidates`, as in force when analysed
    thresholds: Mapping[str, float] = field(default_factory=dict)
    harmful_threshold: float = 0.5
    story: StoryMatch | None = None
    model: ModelScores | None = None

    @property
    def cluster_id(self) -> str:
        """The item's story: its origin's id (its own when it is the first to tell it)."""
        if self.story is not None:
            return self.story.cluster_id
        return self.duplicate.original_id or self.item_id

    def topic_confidences(self) -> dict[str, float]:
        return {t.topic: t.confidence for t in self.topics}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (e.g. the payload of ``monitoring.item_classified``)."""
        return {
            "item_id": self.item_id,
            "cluster_id": self.cluster_id,
            "story_of": self.story.origin if self.story else None,
            "story_reasons": list(self.story.reasons) if self.story else [],
            "duplicate_of": self.duplicate.original_id,
            "duplicate_exact": self.duplicate.exact,
            "jaccard": self.duplicate.jaccard,
            "topics": [
                {
                    "topic": t.topic,
                    "confidence": t.confidence,
                    "terms": list(t.terms),
                    "rules": list(t.rules),
                    "folded": t.folded,
                }
                for t in self.topics
            ],
            "candidates": [
                {"topic": t.topic, "confidence": t.confidence, "terms": list(t.terms),
                 "rules": list(t.rules), "threshold": self.thresholds.get(t.topic)}
                for t in self.candidates
            ],
            "thresholds": dict(self.thresholds),
            "places": [
                {"place_id": m.place_id, "surface": m.surface, "folded": m.folded}
                for m in self.places
            ],
            "place_ids": list(self.place_ids),
            "harmful": {
                "score": self.harmful.score,
                "harmful": self.harmful.harmful,
                "threshold": self.harmful_threshold,
                "reasons": [
                    {"signal": r.signal, "kind": r.kind, "evidence": r.evidence, "weight": r.weight}
                    for r in self.harmful.reasons
                ],
            },
            "lacks_diacritics": self.text.lacks_diacritics,
            "model": None if self.model is None else {
                "version": self.model.version,
                "labels": {label: {"probability": s.probability, "threshold": s.threshold,
                                   "features": list(s.reasons)}
                           for label, s in self.model.labels.items() if s.reasons},
            },
        }


@dataclass(frozen=True, slots=True)
class Prepared:
    """An item analysed but for its duplicate decision, which is the dedup index's to take
    (in turns, when replicas share the index)."""

    item: Item
    text: NormalisedText
    signature: npt.NDArray[np.uint32]  # MinHash of the body
    exact_keys: tuple[str, ...]
    topics: tuple[TopicMatch, ...]
    places: tuple[PlaceMention, ...]
    place_ids: tuple[str, ...]
    harmful: HarmfulScore
    candidates: tuple[TopicMatch, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)
    harmful_threshold: float = 0.5
    story: StoryFeatures | None = None  # None: stories are not told apart
    model: ModelScores | None = None

    def decided(self, duplicate: DuplicateMatch, story: StoryMatch | None = None) -> Analysis:
        return Analysis(self.item.id, self.text, duplicate, self.topics, self.places,
                        self.place_ids, self.harmful, self.candidates, self.thresholds,
                        self.harmful_threshold, story, self.model)


class Pipeline:
    """Holds the compiled data, the dedup and story indexes and the story vectoriser's
    document frequencies (the mutable state). `stories=False`: no story clusters (an item's
    cluster is its near-copy cluster, as before stories were told apart)."""

    def __init__(
        self,
        classifier: TopicClassifier,
        gazetteer: Gazetteer,
        scorer: HarmfulScorer,
        dedup: DedupIndex | None = None,
        stories: StoryIndex | bool = True,
        vectoriser: StoryVectoriser | None = None,
        model: TextModel | None = None,
    ) -> None:
        self.classifier = classifier
        self.gazetteer = gazetteer
        self.scorer = scorer
        self.dedup = dedup or DedupIndex()
        self.thresholds = {t.id: t.threshold for t in classifier.topics.values()}
        # one classification down to the candidate floor (or a lower topic threshold)
        self._floor = min([CANDIDATE_FLOOR, *self.thresholds.values()])
        self.stories: StoryIndex | None = (
            stories if isinstance(stories, StoryIndex) else StoryIndex() if stories else None)
        self.vectoriser = vectoriser or (
            StoryVectoriser.with_background() if self.stories is not None else None)
        self.model = model
        # one shared matcher per form, so each document is scanned once for all components
        self._shared: tuple[PhraseMatcher[tuple[int, Any]], PhraseMatcher[tuple[int, Any]]] = (
            PhraseMatcher(),
            PhraseMatcher(),
        )
        sources: tuple[tuple[PhraseMatcher[Any], PhraseMatcher[Any]], ...] = (
            classifier.matchers(),
            gazetteer.matchers(),
            scorer.matchers(),
            cue_matchers(),
        )
        for tag, pair in enumerate(sources):
            for form, source in enumerate(pair):
                for phrase, payload in source.items():
                    self._shared[form].add(phrase, (tag, payload))

    @classmethod
    def from_data(
        cls,
        topics: Mapping[str, Any],
        places: Mapping[str, Any],
        harmful: Mapping[str, Any],
        dedup: DedupIndex | None = None,
        stories: StoryIndex | bool = True,
        model: TextModel | None = None,
    ) -> Pipeline:
        return cls(
            TopicClassifier.from_data(topics),
            Gazetteer.from_data(places),
            HarmfulScorer.from_data(harmful),
            dedup,
            stories,
            model=model,
        )

    @classmethod
    def from_directory(
        cls, directory: str | Path = DATA_DIR, dedup: DedupIndex | None = None,
        stories: StoryIndex | bool = True,
        with_model: bool = True,
    ) -> Pipeline:
        """The data files of ``directory``, with its shipped model unless ``with_model`` is
        false (rules alone)."""
        base = Path(directory)

        def pick(stem: str) -> dict[str, Any]:
            for suffix in (".yaml", ".yml", ".json"):
                if (base / f"{stem}{suffix}").exists():
                    return load_data_file(base / f"{stem}{suffix}")
            raise FileNotFoundError(f"{base}/{stem}.yaml")

        model = shipped_model(base / SHIPPED_MODEL.name) if with_model else None
        return cls.from_data(pick("topics"), load_places(base / "places.yaml"), pick("harmful"),
                             dedup, stories, model)

    def analyse(self, item: Item) -> Analysis:
        prepared = self.prepare(item)
        duplicate = self.dedup.register(item.id, prepared.exact_keys, item.seen_at,
                                        signature=prepared.signature)
        if self.stories is None or duplicate.exact:
            return prepared.decided(duplicate)
        return prepared.decided(duplicate, self.stories.register(
            item.id, prepared.story, item.seen_at, duplicate.original_id))

    def prepare(self, item: Item) -> Prepared:
        """Everything but the duplicate decision: normalise, sign, classify, places, harm."""
        doc = normalise(item.title, item.body)
        body_tokens = doc.tokens[doc.tokens.index(BOUNDARY) + 1 :]
        signature = self.dedup.signature(body_tokens)
        # URL normalisation is a tenth of the pipeline's time: once per item, not per lookup
        exact_keys = (item.exact_keys if item.exact_keys is not None
                      else tuple(exact_key(url=item.url, guid=item.guid)))
        folded = doc.lacks_diacritics
        tokens, token_set = doc.view(folded)
        split: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])
        for start, end, (tag, payload) in self._shared[int(folded)].find(tokens, token_set):
            split[tag].append((start, end, payload))
        scored = self.classifier.classify(doc, min_confidence=self._floor, matches=split[0])
        limits = self.thresholds
        topics = tuple(t for t in scored if t.confidence >= limits.get(t.topic, 0.0))
        candidates = tuple(t for t in scored if t.confidence < limits.get(t.topic, 0.0))
        day = item.published.date() if item.published else None
        default = item.default_place
        places = tuple(self.gazetteer.find(doc, matches=split[1], day=day,
                                           context=(default,) if default else ()))
        named = [m.place_id for m in places]
        if default and self.gazetteer.default_applies(default, places):
            named.append(default)
        ids: dict[str, None] = {}
        around: set[str] = set()  # places a mentioned place lies within
        for place_id in named:
            ids[place_id] = None
            for ancestor in self.gazetteer.ancestors(place_id, day):
                ids[ancestor] = None
                around.add(ancestor)
        harmful = self.scorer.score(doc, f"{item.title}\n{item.body}", matches=split[2])
        scores = None
        if self.model is not None:
            scores = self.model.scores(doc)
            topics, candidates, harmful = combine(
                scored, harmful, scores, limits, self.scorer.threshold,
                find_cues(doc, split[3]), folded, self._floor)
        story = None
        if self.vectoriser is not None:
            precise = sorted({m.place_id for m in places} - around)
            anchors = anchors_of(item.title, item.body[:LEAD_CHARS], precise,
                                 year=item.published.year if item.published else None,
                                 local=[p for p in precise if self.gazetteer.places[p].type
                                        in LOCAL_UNITS])
            overlap = [other for place_id in named
                       for other in self.gazetteer.across_reform(place_id)]
            story = self.vectoriser.features(doc.folded[:LEAD_SYLLABLES], anchors,
                                             [*ids, *overlap])
        return Prepared(item, doc, signature, exact_keys, topics, places, tuple(ids), harmful,
                        candidates, limits, self.scorer.threshold, story, scores)
