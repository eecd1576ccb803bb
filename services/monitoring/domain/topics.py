"""Topic classification driven by editable data (terms, exclusions, saved queries)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .query import And, Near, Node, Not, Or, QuerySyntaxError, compiled, parse_query
from .text import NormalisedText, PhraseMatch, PhraseMatcher, fold_phrase, normalise_phrase

__all__ = [
    "TOPIC_IDS",
    "Rule",
    "Topic",
    "TopicClassifier",
    "TopicDataError",
    "TopicMatch",
]

TOPIC_IDS = (
    "drugs",
    "human_trafficking",
    "loan_sharking",
    "high_tech_crime",
    "child_abuse",
    "weapons_gangs",
    "murder",
    "robbery",
    "resisting_officers",
    "youth_crime",
    "cross_border_crime",
    "gambling",
)


class TopicDataError(ValueError):
    """The topic data file is invalid."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    query: str
    node: Node
    weight: float


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: str
    threshold: float
    terms: Mapping[str, float]
    exclude: tuple[str, ...]
    veto: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic that fired: evidence, confidence in [0, 1], and whether folding was used."""

    topic: str
    confidence: float
    terms: tuple[str, ...]
    rules: tuple[str, ...]
    folded: bool
    dampened_by: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Frame:
    """Words that change what a term right after them means: a negation ("không phải ma
    túy") cancels it (factor 0), a motive ("để có tiền cá độ") weakens it. An item-wide frame
    changes the phrase everywhere in the item: a story that ends "không phải ma túy" has
    called it "nghi ma túy" before."""

    id: str
    factor: float
    window: int
    phrases: tuple[str, ...]
    item_wide: bool = False


@dataclass(frozen=True, slots=True)
class Context:
    """A kind of text (fiction: a film or novel review) whose crime words are not events:
    every topic is multiplied by ``factor`` when ``min_distinct`` of its phrases occur and
    none of ``unless`` (words of a real event: an arrest, a charge) does."""

    id: str
    factor: float
    min_distinct: int
    phrases: tuple[str, ...]
    unless: tuple[str, ...]


def _phrase_key(raw: tuple[str, ...]) -> tuple[str, ...]:
    return normalise_phrase(" ".join(raw))


def _resolver(keys: Mapping[tuple[str, ...], str]) -> Callable[[tuple[str, ...]], str]:
    return lambda raw: keys.get(raw) or " ".join(raw)


def _fold_key(raw: tuple[str, ...]) -> tuple[str, ...]:
    return fold_phrase(" ".join(raw))


def _as_float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TopicDataError(f"{where}: expected a number, got {value!r}")
    return float(value)


def parse_topics(data: Mapping[str, Any]) -> list[Topic]:
    """Validate the decoded topics document (YAML or JSON)."""
    defaults = data.get("defaults") or {}
    default_threshold = _as_float(defaults.get("threshold", 0.5), "defaults.threshold")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, Mapping):
        raise TopicDataError("'topics' must be a mapping of topic id to definition")
    topics: list[Topic] = []
    for topic_id, spec in raw_topics.items():
        if not isinstance(spec, Mapping):
            raise TopicDataError(f"topic {topic_id}: definition must be a mapping")
        terms_raw = spec.get("terms") or {}
        if not isinstance(terms_raw, Mapping):
            raise TopicDataError(f"topic {topic_id}: terms must map phrase to weight")
        terms: dict[str, float] = {}
        for phrase, weight in terms_raw.items():
            w = _as_float(weight, f"{topic_id}.terms[{phrase}]")
            if not -1.0 <= w <= 1.0:
                raise TopicDataError(f"{topic_id}.terms[{phrase}]: weight must be in [-1, 1]")
            terms[str(phrase)] = w
        rules: list[Rule] = []
        for index, rule in enumerate(spec.get("rules") or []):
            rule_id = str(rule.get("id") or f"{topic_id}#{index}")
            query = str(rule.get("query", ""))
            try:
                node = parse_query(query)
            except QuerySyntaxError as exc:
                raise TopicDataError(f"{topic_id}.rules[{rule_id}]: {exc}") from exc
            weight = _as_float(rule.get("weight", 0.8), f"{rule_id}.weight")
            rules.append(Rule(rule_id, query, node, weight))
        topics.append(
            Topic(
                id=str(topic_id),
                label=str(spec.get("label", topic_id)),
                threshold=_as_float(
                    spec.get("threshold", default_threshold), f"{topic_id}.threshold"
                ),
                terms=terms,
                exclude=tuple(str(x) for x in spec.get("exclude") or ()),
                veto=tuple(str(x) for x in spec.get("veto") or ()),
                rules=tuple(rules),
            )
        )
    return topics


def _fraction(spec: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = _as_float(spec.get(key, default), f"{where}.{key}")
    if not 0.0 <= value <= 1.0:
        raise TopicDataError(f"{where}.{key} must be in [0, 1]")
    return value


def _strings(spec: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(p) for p in spec.get(key) or ())


def parse_frames(data: Mapping[str, Any]) -> list[Frame]:
    """The document's ``frames`` (id -> factor, window, phrases)."""
    return [
        Frame(str(fid), _fraction(spec, "factor", 0.0, f"frames.{fid}"),
              int(spec.get("window", 2)), _strings(spec, "phrases"),
              spec.get("scope", "term") == "item")
        for fid, spec in (data.get("frames") or {}).items()
    ]


def parse_contexts(data: Mapping[str, Any]) -> list[Context]:
    """The document's ``contexts`` (id -> factor, min_distinct, phrases, unless)."""
    return [
        Context(str(cid), _fraction(spec, "factor", 0.5, f"contexts.{cid}"),
                int(spec.get("min_distinct", 1)), _strings(spec, "phrases"),
                _strings(spec, "unless"))
        for cid, spec in (data.get("contexts") or {}).items()
    ]


def _has_not(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And | Or):
        return any(_has_not(c) for c in node.children)
    if isinstance(node, Near):
        return _has_not(node.left) or _has_not(node.right)
    return False


Payload = tuple[int, str, str]


def _requirements(node: Node) -> list[frozenset[tuple[str, ...]]]:
    """Groups of phrases (for NOT-free queries) of which at least one each must occur."""
    if isinstance(node, And):
        return [g for c in node.children for g in _requirements(c)]
    if isinstance(node, Near):
        return _requirements(node.left) + _requirements(node.right)
    return [frozenset(node.phrases())]


# payload kinds for the shared matchers
_TERM, _EXCLUDE, _VETO, _RULE, _FRAME, _CONTEXT, _UNLESS = 0, 1, 2, 3, 4, 5, 6


class TopicClassifier:
    """Classifies normalised text into topics; accent-folded matching for undiacritised text."""

    def __init__(
        self,
        topics: list[Topic],
        folded_factor: float = 0.75,
        *,
        frames: list[Frame] | None = None,
        contexts: list[Context] | None = None,
        folded_full_length: int = 3,
        folded_ambiguous: tuple[str, ...] = (),
        folded_ambiguous_factor: float = 0.5,
    ) -> None:
        self.topics = {t.id: t for t in topics}
        self.folded_factor = folded_factor
        self.frames = {f.id: f for f in frames or ()}
        self.contexts = {c.id: c for c in contexts or ()}
        # without accents, a long phrase is still unambiguous; a listed short one is not
        # ("co bac" is "cờ bạc" or "cô bác")
        self.folded_full_length = folded_full_length
        ambiguous = {normalise_phrase(p) for p in folded_ambiguous}
        # a saved query does not read an ambiguous phrase in text without diacritics
        self._ambiguous_folded_keys = frozenset(" ".join(fold_phrase(p)) for p in folded_ambiguous)
        self._ambiguous_raw = frozenset(
            phrase for t in topics for phrase in t.terms if normalise_phrase(phrase) in ambiguous
        )
        self.folded_ambiguous_factor = folded_ambiguous_factor
        self._exact: PhraseMatcher[Payload] = PhraseMatcher()
        self._folded: PhraseMatcher[Payload] = PhraseMatcher()
        self._exact_keys: dict[tuple[str, ...], str] = {}
        self._folded_keys: dict[tuple[str, ...], str] = {}
        self._rule_needs: dict[bool, dict[str, tuple[frozenset[str], ...]]] = {
            False: {},
            True: {},
        }
        for topic in topics:
            for phrase in topic.terms:
                self._add((_TERM, topic.id, phrase), phrase)
            for phrase in topic.exclude:
                self._add((_EXCLUDE, topic.id, phrase), phrase)
            for phrase in topic.veto:
                self._add((_VETO, topic.id, phrase), phrase)
        for frame in self.frames.values():
            for phrase in frame.phrases:
                self._add((_FRAME, frame.id, phrase), phrase)
        for context in self.contexts.values():
            for phrase in context.phrases:
                self._add((_CONTEXT, context.id, phrase), phrase)
            for phrase in context.unless:
                self._add((_UNLESS, context.id, phrase), phrase)
        for topic in topics:
            for rule in topic.rules:
                if not _has_not(rule.node):  # each group needs one of its phrases present
                    groups = _requirements(rule.node)
                    self._rule_needs[False][rule.id] = tuple(
                        frozenset(" ".join(_phrase_key(r)) for r in g) for g in groups
                    )
                    self._rule_needs[True][rule.id] = tuple(
                        frozenset(" ".join(_fold_key(r)) for r in g) for g in groups
                    )
                for raw in rule.node.phrases():
                    exact, fold = _phrase_key(raw), _fold_key(raw)
                    self._exact_keys[raw] = " ".join(exact)
                    self._folded_keys[raw] = " ".join(fold)
                    self._exact.add(exact, (_RULE, "", " ".join(exact)))
                    self._folded.add(fold, (_RULE, "", " ".join(fold)))
        self._compiled: dict[bool, dict[str, Node]] = {
            folded: {
                rule.id: compiled(rule.node, _resolver(keys))
                for topic in topics
                for rule in topic.rules
            }
            for folded, keys in ((False, self._exact_keys), (True, self._folded_keys))
        }

    def _folded_factor(self, phrase: str, length: int) -> float:
        if phrase in self._ambiguous_raw:
            return self.folded_ambiguous_factor
        return 1.0 if length >= self.folded_full_length else self.folded_factor

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TopicClassifier:
        defaults = data.get("defaults") or {}
        factor = _as_float(defaults.get("folded_factor", 0.75), "defaults.folded_factor")
        return cls(
            parse_topics(data),
            folded_factor=factor,
            frames=parse_frames(data),
            contexts=parse_contexts(data),
            folded_full_length=int(defaults.get("folded_full_length", 3)),
            folded_ambiguous=tuple(str(p) for p in defaults.get("folded_ambiguous") or ()),
            folded_ambiguous_factor=_as_float(
                defaults.get("folded_ambiguous_factor", 0.5), "defaults.folded_ambiguous_factor"
            ),
        )

    def _add(self, payload: Payload, phrase: str) -> None:
        self._exact.add(normalise_phrase(phrase), payload)
        self._folded.add(fold_phrase(phrase), payload)

    def matchers(self) -> tuple[PhraseMatcher[Payload], PhraseMatcher[Payload]]:
        """(exact, accent-folded) phrase matchers, for merging into a shared matcher."""
        return self._exact, self._folded

    def classify(
        self,
        doc: NormalisedText,
        *,
        min_confidence: float | None = None,
        matches: list[PhraseMatch[Payload]] | None = None,
    ) -> list[TopicMatch]:
        """Topics whose confidence reaches their threshold (or ``min_confidence`` if given).

        ``matches`` may carry this classifier's phrase matches precomputed by a shared matcher.
        """
        folded = doc.lacks_diacritics
        if matches is None:
            tokens, token_set = doc.view(folded)
            matches = (self._folded if folded else self._exact).find(tokens, token_set)
        if not matches:
            return []
        excluded: dict[str, list[tuple[int, int]]] = {}
        vetoed: set[str] = set()
        rule_spans: dict[str, list[tuple[int, int]]] = {}
        kept: dict[str, list[tuple[int, int, str]]] = {}
        framed: list[tuple[int, Frame]] = []  # (end of the frame's phrase, frame)
        context_seen: dict[str, set[str]] = {}
        unless: set[str] = set()
        for start, end, (kind, topic_id, phrase) in matches:
            if kind == _TERM:
                kept.setdefault(topic_id, []).append((start, end, phrase))
            elif kind == _RULE:
                rule_spans.setdefault(phrase, []).append((start, end))
            elif kind == _EXCLUDE:
                excluded.setdefault(topic_id, []).append((start, end))
            elif kind == _VETO:
                vetoed.add(topic_id)
            elif kind == _FRAME:
                framed.append((end, self.frames[topic_id]))
            elif kind == _CONTEXT:
                context_seen.setdefault(topic_id, set()).add(phrase)
            else:
                unless.add(topic_id)
        if folded and rule_spans:
            for ambiguous in self._ambiguous_folded_keys.intersection(rule_spans):
                del rule_spans[ambiguous]
        hits: dict[str, dict[str, float]] = {}
        item_wide: dict[str, float] = {}
        for topic_id, found in kept.items():
            if topic_id in vetoed:
                continue
            spans = excluded.get(topic_id)
            if spans:
                found = [f for f in found if not any(s < f[1] and f[0] < e for s, e in spans)]
            weights = self.topics[topic_id].terms
            chosen = hits.setdefault(topic_id, {})
            # a term inside a longer term of the same topic adds no evidence: sweep by start
            found.sort(key=lambda f: (f[0], -f[1]))
            max_start, max_end = -1, -1
            for start, end, phrase in found:
                contained = max_end >= end and (max_start, max_end) != (start, end)
                if end > max_end:
                    max_start, max_end = start, end
                weight = weights[phrase]
                if contained or weight == 0.0:
                    continue
                if weight > 0:
                    if folded:
                        weight *= self._folded_factor(phrase, end - start)
                    for frame_end, frame in framed:
                        if frame_end <= start <= frame_end + frame.window:
                            weight *= frame.factor
                            if frame.item_wide:
                                item_wide[phrase] = min(item_wide.get(phrase, 1.0), frame.factor)
                # one phrase counts once, by its strongest occurrence
                if weight > chosen.get(phrase, -1.0):
                    chosen[phrase] = weight
            for phrase, frame_factor in item_wide.items():
                if phrase in chosen:
                    chosen[phrase] *= frame_factor
        factor = self.folded_factor if folded else 1.0
        damp_all = 1.0
        for context_id, seen in context_seen.items():
            context = self.contexts[context_id]
            if len(seen) >= context.min_distinct and context_id not in unless:
                damp_all *= context.factor
        out: list[TopicMatch] = []
        queries = self._compiled[folded]
        spans_by_key = rule_spans
        for topic in self.topics.values():
            if topic.id in vetoed:
                continue
            fired_rules: list[str] = []
            if topic.rules and spans_by_key:
                disjoint = spans_by_key.keys().isdisjoint
                for rule in topic.rules:
                    needed = self._rule_needs[folded].get(rule.id)
                    # map() calls isdisjoint at C speed, without a generator frame per rule
                    if needed is not None and any(map(disjoint, needed)):
                        continue
                    if queries[rule.id].evaluate(spans_by_key, " ".join):
                        fired_rules.append(rule.id)
            terms = hits.get(topic.id)
            if not terms and not fired_rules:
                continue
            miss = 1.0
            damp = 1.0
            fired_terms: list[str] = []
            dampeners: list[str] = []
            for phrase, weight in (terms or {}).items():
                if weight > 0:
                    miss *= 1.0 - weight
                    fired_terms.append(phrase)
                elif weight == 0:
                    continue  # cancelled by a frame (a negation)
                else:
                    damp *= 1.0 + weight
                    dampeners.append(phrase)
            for rule in topic.rules:
                if rule.id in fired_rules:
                    miss *= 1.0 - rule.weight * factor
            confidence = round((1.0 - miss) * damp * damp_all, 4)
            threshold = topic.threshold if min_confidence is None else min_confidence
            if confidence >= threshold and confidence > 0:
                out.append(
                    TopicMatch(
                        topic=topic.id,
                        confidence=confidence,
                        terms=tuple(fired_terms),
                        rules=tuple(fired_rules),
                        folded=folded,
                        dampened_by=tuple(dampeners),
                    )
                )
        out.sort(key=lambda t: -t.confidence)
        return out
