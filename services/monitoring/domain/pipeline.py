"""normalise → dedup → classify → places → harmful, as one pure call per item."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .dedup import DedupIndex, DuplicateMatch, exact_key
from .harmful import HarmfulScore, HarmfulScorer
from .places import Gazetteer, PlaceMention
from .text import BOUNDARY, NormalisedText, PhraseMatcher, normalise
from .topics import TopicClassifier, TopicMatch

__all__ = ["DATA_DIR", "Analysis", "Item", "Pipeline", "Prepared", "RawItem", "load_data_file"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


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


@dataclass(frozen=True, slots=True)
class Analysis:
    item_id: str
    text: NormalisedText
    duplicate: DuplicateMatch
    topics: tuple[TopicMatch, ...]
    places: tuple[PlaceMention, ...]
    place_ids: tuple[str, ...]  # mentioned places plus their ancestors
    harmful: HarmfulScore

    @property
    def cluster_id(self) -> str:
        return self.duplicate.original_id or self.item_id

    def topic_confidences(self) -> dict[str, float]:
        return {t.topic: t.confidence for t in self.topics}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (e.g. the payload of ``monitoring.item_classified``)."""
        return {
            "item_id": self.item_id,
            "cluster_id": self.cluster_id,
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
            "places": [
                {"place_id": m.place_id, "surface": m.surface, "folded": m.folded}
                for m in self.places
            ],
            "place_ids": list(self.place_ids),
            "harmful": {
                "score": self.harmful.score,
                "harmful": self.harmful.harmful,
                "reasons": [
                    {"signal": r.signal, "kind": r.kind, "evidence": r.evidence, "weight": r.weight}
                    for r in self.harmful.reasons
                ],
            },
            "lacks_diacritics": self.text.lacks_diacritics,
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

    def decided(self, duplicate: DuplicateMatch) -> Analysis:
        return Analysis(self.item.id, self.text, duplicate, self.topics, self.places,
                        self.place_ids, self.harmful)


class Pipeline:
    """Holds the compiled data and the dedup index (the only mutable state)."""

    def __init__(
        self,
        classifier: TopicClassifier,
        gazetteer: Gazetteer,
        scorer: HarmfulScorer,
        dedup: DedupIndex | None = None,
    ) -> None:
        self.classifier = classifier
        self.gazetteer = gazetteer
        self.scorer = scorer
        self.dedup = dedup or DedupIndex()
        # one shared matcher per form, so each document is scanned once for all components
        self._shared: tuple[PhraseMatcher[tuple[int, Any]], PhraseMatcher[tuple[int, Any]]] = (
            PhraseMatcher(),
            PhraseMatcher(),
        )
        sources: tuple[tuple[PhraseMatcher[Any], PhraseMatcher[Any]], ...] = (
            classifier.matchers(),
            gazetteer.matchers(),
            scorer.matchers(),
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
    ) -> Pipeline:
        return cls(
            TopicClassifier.from_data(topics),
            Gazetteer.from_data(places),
            HarmfulScorer.from_data(harmful),
            dedup,
        )

    @classmethod
    def from_directory(
        cls, directory: str | Path = DATA_DIR, dedup: DedupIndex | None = None
    ) -> Pipeline:
        base = Path(directory)

        def pick(stem: str) -> dict[str, Any]:
            for suffix in (".yaml", ".yml", ".json"):
                if (base / f"{stem}{suffix}").exists():
                    return load_data_file(base / f"{stem}{suffix}")
            raise FileNotFoundError(f"{base}/{stem}.yaml")

        return cls.from_data(pick("topics"), pick("places"), pick("harmful"), dedup)

    def analyse(self, item: Item) -> Analysis:
        prepared = self.prepare(item)
        return prepared.decided(self.dedup.register(
            item.id, prepared.exact_keys, item.seen_at, signature=prepared.signature))

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
        split: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        for start, end, (tag, payload) in self._shared[int(folded)].find(tokens, token_set):
            split[tag].append((start, end, payload))
        topics = tuple(self.classifier.classify(doc, matches=split[0]))
        day = item.published.date() if item.published else None
        places = tuple(self.gazetteer.find(doc, matches=split[1]))
        ids: dict[str, None] = {}
        for mention in places:
            ids[mention.place_id] = None
            for ancestor in self.gazetteer.ancestors(mention.place_id, day):
                ids[ancestor] = None
        harmful = self.scorer.score(doc, f"{item.title}\n{item.body}", matches=split[2])
        return Prepared(item, doc, signature, exact_keys, topics, places, tuple(ids), harmful)
