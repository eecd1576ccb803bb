"""normalise → dedup → classify → places → harmful, as one pure call per item."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .dedup import DedupIndex, DuplicateMatch
from .harmful import HarmfulScore, HarmfulScorer
from .places import Gazetteer, PlaceMention
from .text import BOUNDARY, NormalisedText, normalise
from .topics import TopicClassifier, TopicMatch

__all__ = ["DATA_DIR", "Analysis", "Item", "Pipeline", "load_data_file"]

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


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    title: str
    body: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    seen_at: float = 0.0  # epoch seconds, drives dedup eviction


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
    def from_directory(cls, directory: str | Path = DATA_DIR, dedup: DedupIndex | None = None) -> Pipeline:
        base = Path(directory)

        def pick(stem: str) -> dict[str, Any]:
            for suffix in (".yaml", ".yml", ".json"):
                if (base / f"{stem}{suffix}").exists():
                    return load_data_file(base / f"{stem}{suffix}")
            raise FileNotFoundError(f"{base}/{stem}.yaml")

        return cls.from_data(pick("topics"), pick("places"), pick("harmful"), dedup)

    def analyse(self, item: Item) -> Analysis:
        doc = normalise(item.title, item.body)
        body_tokens = doc.tokens[doc.tokens.index(BOUNDARY) + 1 :]
        duplicate = self.dedup.add(
            item.id, body_tokens, url=item.url, guid=item.guid, seen_at=item.seen_at
        )
        topics = tuple(self.classifier.classify(doc))
        day = item.published.date() if item.published else None
        places = tuple(self.gazetteer.find(doc))
        ids: dict[str, None] = {}
        for mention in places:
            ids[mention.place_id] = None
            for ancestor in self.gazetteer.ancestors(mention.place_id, day):
                ids[ancestor] = None
        harmful = self.scorer.score(doc, f"{item.title}\n{item.body}")
        return Analysis(item.id, doc, duplicate, topics, places, tuple(ids), harmful)
