"""Alert rules, spike detection, and alert deduplication / rate limiting (pure state)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

__all__ = [
    "AlertCandidate",
    "AlertGate",
    "AlertRule",
    "DailyCounts",
    "Spike",
    "counted_in",
    "detect_spike",
    "evaluate_rules",
    "parse_alert_rules",
]


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Fires when an item matches any topic/keyword, any place, and the minimum scores."""

    id: str
    topics: tuple[str, ...] = ()  # empty: any topic (or none needed if keywords given)
    keywords: tuple[str, ...] = ()  # matched against evidence terms / normalised text
    places: tuple[str, ...] = ()  # empty: anywhere
    min_topic_confidence: float = 0.5
    min_harmful: float = 0.0
    severity: str = "warning"
    max_per_hour: int = 5
    count: str = "items"  # one alert per item and its near-copies, or per story ("stories")


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    rule_id: str
    item_id: str
    cluster_id: str
    severity: str
    reasons: tuple[str, ...]


def parse_alert_rules(data: Mapping[str, Any]) -> list[AlertRule]:
    rules = []
    for spec in data.get("rules") or []:
        rules.append(
            AlertRule(
                id=str(spec["id"]),
                topics=tuple(spec.get("topics") or ()),
                keywords=tuple(spec.get("keywords") or ()),
                places=tuple(spec.get("places") or ()),
                min_topic_confidence=float(spec.get("min_topic_confidence", 0.5)),
                min_harmful=float(spec.get("min_harmful", 0.0)),
                severity=str(spec.get("severity", "warning")),
                max_per_hour=int(spec.get("max_per_hour", 5)),
                count=counted_in(spec.get("count", "items")),
            )
        )
    return rules


def counted_in(value: object) -> str:
    """What a rule or the spikes count: `items` (an item and its near-copies) or `stories`."""
    if value not in ("items", "stories"):
        raise ValueError(f"count must be items or stories, not {value!r}")
    return str(value)


def evaluate_rules(
    rules: Iterable[AlertRule],
    *,
    item_id: str,
    cluster_id: str,
    topics: Mapping[str, float],
    places: Iterable[str],
    harmful: float,
    text: str = "",
    story_id: str | None = None,
) -> list[AlertCandidate]:
    """Rules an analysed item satisfies. ``topics`` maps topic id to confidence; ``text`` is
    the normalised text (space-joined syllables) for keyword rules. ``cluster_id``: the item
    and its near-copies; ``story_id``: its story, which a ``count: stories`` rule alerts on."""
    place_set = set(places)
    padded = f" {text} "
    out: list[AlertCandidate] = []
    for rule in rules:
        reasons: list[str] = []
        if rule.topics:
            hit = [t for t in rule.topics if topics.get(t, 0.0) >= rule.min_topic_confidence]
            if not hit:
                continue
            reasons.extend(f"topic:{t}" for t in hit)
        if rule.keywords:
            words = [k for k in rule.keywords if f" {k} " in padded]
            if not words:
                continue
            reasons.extend(f"keyword:{k}" for k in words)
        if rule.places:
            where = [p for p in rule.places if p in place_set]
            if not where:
                continue
            reasons.extend(f"place:{p}" for p in where)
        if harmful < rule.min_harmful:
            continue
        if rule.min_harmful > 0:
            reasons.append(f"harmful:{harmful:.2f}")
        if not reasons:
            continue
        about = story_id if rule.count == "stories" and story_id else cluster_id
        out.append(AlertCandidate(rule.id, item_id, about, rule.severity, tuple(reasons)))
    return out


@dataclass(slots=True)
class AlertGate:
    """Deduplicates (rule, story cluster) and rate-limits alerts per rule per hour.

    Plain state (dicts of floats) so the service can persist it with :meth:`to_dict`.
    """

    dedup_window: float = 48 * 3600.0
    seen: dict[str, float] = field(default_factory=dict)  # "rule|cluster" -> first alert ts
    sent: dict[str, list[float]] = field(default_factory=dict)  # rule -> timestamps (1 h)

    def admit(self, candidate: AlertCandidate, now: float, max_per_hour: int) -> str | None:
        """None if the alert may be raised (and records it), else the reason it is held."""
        key = f"{candidate.rule_id}|{candidate.cluster_id}"
        first = self.seen.get(key)
        if first is not None and now - first < self.dedup_window:
            return "duplicate_story"
        recent = [t for t in self.sent.get(candidate.rule_id, []) if now - t < 3600.0]
        if len(recent) >= max_per_hour:
            self.sent[candidate.rule_id] = recent
            return "rate_limited"
        recent.append(now)
        self.sent[candidate.rule_id] = recent
        self.seen[key] = now
        return None

    def prune(self, now: float) -> None:
        self.seen = {k: t for k, t in self.seen.items() if now - t < self.dedup_window}
        self.sent = {r: [t for t in ts if now - t < 3600.0] for r, ts in self.sent.items()}
        self.sent = {r: ts for r, ts in self.sent.items() if ts}

    def to_dict(self) -> dict[str, Any]:
        return {"dedup_window": self.dedup_window, "seen": dict(self.seen), "sent": dict(self.sent)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AlertGate:
        return cls(
            dedup_window=float(data.get("dedup_window", 48 * 3600.0)),
            seen={str(k): float(v) for k, v in (data.get("seen") or {}).items()},
            sent={str(k): [float(x) for x in v] for k, v in (data.get("sent") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class Spike:
    key: str
    today: int
    mean: float
    stdev: float
    limit: float
    is_spike: bool


def detect_spike(
    key: str,
    today: int,
    previous: Sequence[int],
    *,
    k: float = 3.0,
    min_count: int = 5,
    min_days: int = 3,
) -> Spike:
    """Spike when today > mean + k·σ of the previous days and today ≥ ``min_count``.

    ``previous`` are the daily counts of the N previous days (missing days as 0). With fewer
    than ``min_days`` days of history no spike is declared.
    """
    n = len(previous)
    mean = sum(previous) / n if n else 0.0
    var = sum((x - mean) ** 2 for x in previous) / (n - 1) if n > 1 else 0.0
    stdev = math.sqrt(var)
    limit = mean + k * max(stdev, 1.0)
    spike = n >= min_days and today >= min_count and today > limit
    return Spike(key, today, round(mean, 4), round(stdev, 4), round(limit, 4), spike)


@dataclass(slots=True)
class DailyCounts:
    """Per-key daily counts (topic or place id -> ISO day -> count), pure persisted state."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    keep_days: int = 60

    def add(self, key: str, day: date, n: int = 1) -> int:
        per_day = self.counts.setdefault(key, {})
        iso = day.isoformat()
        per_day[iso] = per_day.get(iso, 0) + n
        return per_day[iso]

    def history(self, key: str, day: date, days: int) -> list[int]:
        """Counts of the ``days`` days before ``day`` (oldest first, missing days as 0)."""
        per_day = self.counts.get(key, {})
        return [per_day.get((day - timedelta(days=d)).isoformat(), 0) for d in range(days, 0, -1)]

    def spike(
        self,
        key: str,
        day: date,
        *,
        days: int = 14,
        k: float = 3.0,
        min_count: int = 5,
        min_days: int = 3,
    ) -> Spike:
        today = self.counts.get(key, {}).get(day.isoformat(), 0)
        # only days since the key was first seen count as history
        first = min(self.counts.get(key, {day.isoformat(): 0}))
        known = max(0, min(days, (day - date.fromisoformat(first)).days))
        previous = self.history(key, day, known)
        return detect_spike(key, today, previous, k=k, min_count=min_count, min_days=min_days)

    def prune(self, today: date) -> None:
        limit = (today - timedelta(days=self.keep_days)).isoformat()
        for key in list(self.counts):
            kept = {d: c for d, c in self.counts[key].items() if d >= limit}
            if kept:
                self.counts[key] = kept
            else:
                del self.counts[key]

    def to_dict(self) -> dict[str, Any]:
        return {"keep_days": self.keep_days, "counts": {k: dict(v) for k, v in self.counts.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DailyCounts:
        counts = {
            str(k): {str(d): int(c) for d, c in v.items()}
            for k, v in (data.get("counts") or {}).items()
        }
        return cls(counts=counts, keep_days=int(data.get("keep_days", 60)))
