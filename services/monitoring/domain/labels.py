"""Operators' labels on items: an officer's judgement of an item's topics, places, harmful
flag and duplicate link, beside what the machine said. The latest judgement wins, the earlier
ones are kept with who and when; people's precision per topic is counted from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.contracts.events.monitoring import ItemLabelled

__all__ = ["ItemLabel", "LabelCounts", "count_labels"]


@dataclass
class ItemLabel:
    """`labels`: the latest judgement (judged fields, `judged`, `note`, `by`, `at`);
    `machine`: the machine's verdict then (`topics`, `place_ids`, `harmful`, `harmful_score`,
    `duplicate_of`); `history`: earlier judgements, oldest first."""

    item_id: str
    outlet_unit_id: str | None
    title: str
    machine: dict[str, Any]
    labels: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def first(cls, item_id: str, outlet_unit_id: str | None, title: str,
              machine: dict[str, Any], labels: dict[str, Any]) -> ItemLabel:
        """An item's first label, with the event announcing it."""
        label = cls(item_id, outlet_unit_id, title, machine, labels)
        label.events.append(label.announced())
        return label

    def announced(self) -> ItemLabelled:
        confirmed, rejected, added = self.topic_review()
        labels = self.labels
        return ItemLabelled(
            item_id=self.item_id, outlet_unit_id=self.outlet_unit_id,
            judged=list(labels.get("judged") or []), topics=labels.get("topics"),
            places=labels.get("places"), harmful=labels.get("harmful"),
            duplicate_of=labels.get("duplicate_of"),
            machine_topics=list(self.machine.get("topics") or []),
            confirmed_topics=confirmed, rejected_topics=rejected, added_topics=added,
            labelled_by=labels["by"], labelled_at=labels["at"])

    @property
    def labelled_at(self) -> datetime:
        at: datetime = self.labels["at"]
        return at

    def relabel(self, labels: dict[str, Any], machine: dict[str, Any]) -> None:
        """A new judgement wins; the one it replaces joins the history."""
        self.history = [*self.history, self.labels]
        self.labels = labels
        self.machine = machine
        self.events.append(self.announced())

    def topic_review(self) -> tuple[list[str], list[str], list[str]]:
        """(confirmed, rejected, added) topics when the officer judged topics, else empty."""
        judged = self.labels.get("topics")
        if judged is None:
            return [], [], []
        machine = list(self.machine.get("topics") or [])
        return ([t for t in machine if t in judged], [t for t in machine if t not in judged],
                [t for t in judged if t not in machine])

    def disagrees(self) -> bool:
        _, rejected, added = self.topic_review()
        labels, machine = self.labels, self.machine
        return bool(rejected or added) or (
            labels.get("harmful") is not None and labels["harmful"] != machine.get("harmful")
        ) or ("duplicate_of" in labels.get("judged", ())
              and labels.get("duplicate_of") != machine.get("duplicate_of"))


@dataclass
class LabelCounts:
    """Per topic: machine assignments reviewed, confirmed, and topics people added; the same
    for the harmful flag (`harmful` key)."""

    reviewed: dict[str, int] = field(default_factory=dict)
    confirmed: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)

    def precision(self, topic: str) -> float | None:
        reviewed = self.reviewed.get(topic, 0)
        return round(self.confirmed.get(topic, 0) / reviewed, 4) if reviewed else None

    def topics(self) -> list[str]:
        return sorted(set(self.reviewed) | set(self.added))


def _bump(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def count_labels(labels: Iterable[ItemLabel]) -> LabelCounts:
    """People's precision of the machine: of machine-assigned topics an officer reviewed, the
    ones kept; the harmful flag counted as the topic `harmful`."""
    counts = LabelCounts()
    for label in labels:
        confirmed, rejected, added = label.topic_review()
        for topic in confirmed:
            _bump(counts.reviewed, topic)
            _bump(counts.confirmed, topic)
        for topic in rejected:
            _bump(counts.reviewed, topic)
        for topic in added:
            _bump(counts.added, topic)
        harmful = label.labels.get("harmful")
        if harmful is not None:
            if label.machine.get("harmful"):
                _bump(counts.reviewed, "harmful")
                if harmful:
                    _bump(counts.confirmed, "harmful")
            elif harmful:
                _bump(counts.added, "harmful")
    return counts
