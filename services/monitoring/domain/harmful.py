"""Harmful-information ("thông tin xấu độc") score from data-driven signals."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .query import Node, QuerySyntaxError, compiled, parse_query
from .text import NormalisedText, PhraseMatch, PhraseMatcher, fold_phrase, normalise_phrase

__all__ = ["HarmfulScore", "HarmfulScorer", "Reason"]

# starts with a literal class so the regex engine can skip ahead quickly
_PHONE = re.compile(r"[0+](?:84 ?)?[1-9](?:[ .\-]?\d){7,9}(?!\d)")
_LINK = re.compile(r"(?:zalo\.me|t\.me|telegram\.me|bit\.ly|tinyurl\.com|m\.me)/\S+", re.IGNORECASE)
_LINK_HINTS = (".me/", ".ly/", "tinyurl.com/")
_EXCLAIM = re.compile(r"!{2,}|\?!|!\?")


@dataclass(frozen=True, slots=True)
class Reason:
    signal: str  # signal id from the data file, or a built-in pattern id
    kind: str  # rumour | incitement | defamation | recruitment | lure | style | reporting
    evidence: str
    weight: float


@dataclass(frozen=True, slots=True)
class HarmfulScore:
    score: float
    harmful: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class _Signal:
    id: str
    kind: str
    weight: float


# kinds of matcher payload that do not raise the score themselves
_REPORTING, _EXCLUDE, _HEARSAY, _CONTEXT, _PHRASE = (
    "reporting", "exclude", "hearsay", "context", "phrase")
_NOT_RAISING = frozenset((_REPORTING, _EXCLUDE, _HEARSAY, _CONTEXT, _PHRASE))


def _phrases(spec: Mapping[str, Any]) -> list[str]:
    return [str(p) for p in spec.get("phrases") or ()]


class HarmfulScorer:
    """Noisy-OR of raising signals, then multiplied down by factual-reporting markers (unless
    the post frames itself as hearsay) and by contexts such as a debunk or fiction."""

    def __init__(
        self,
        signals: list[tuple[_Signal, list[str]]],
        *,
        threshold: float = 0.5,
        reporting_factor: float = 0.35,
        pattern_weights: Mapping[str, float] | None = None,
        folded_factor: float = 0.8,
        queries: Sequence[tuple[_Signal, str]] = (),
        context_minimum: Mapping[str, int] | None = None,
        folded_full_length: int = 3,
    ) -> None:
        self.threshold = threshold
        self.reporting_factor = reporting_factor
        self.folded_factor = folded_factor
        self.folded_full_length = folded_full_length
        self.context_minimum = dict(context_minimum or {})
        self.pattern_weights = dict(
            pattern_weights or {"phone": 0.35, "link": 0.4, "exclamation": 0.15, "caps": 0.15}
        )
        self._exact: PhraseMatcher[_Signal] = PhraseMatcher()
        self._folded: PhraseMatcher[_Signal] = PhraseMatcher()
        for signal, phrases in signals:
            for phrase in phrases:
                self._exact.add(normalise_phrase(phrase), signal)
                self._folded.add(fold_phrase(phrase), signal)
        # saved queries (NEAR ...): their phrases are matched once, then the queries evaluated
        self._queries: dict[bool, list[tuple[_Signal, Node]]] = {False: [], True: []}
        for signal, query in queries:
            try:
                node = parse_query(query)
            except QuerySyntaxError as exc:
                raise ValueError(f"signal {signal.id}: {exc}") from exc
            for raw in node.phrases():
                exact, fold = normalise_phrase(" ".join(raw)), fold_phrase(" ".join(raw))
                self._exact.add(exact, _Signal(" ".join(exact), _PHRASE, 0.0))
                self._folded.add(fold, _Signal(" ".join(fold), _PHRASE, 0.0))
            self._queries[False].append(
                (signal, compiled(node, lambda raw: " ".join(normalise_phrase(" ".join(raw))))))
            self._queries[True].append(
                (signal, compiled(node, lambda raw: " ".join(fold_phrase(" ".join(raw))))))

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> HarmfulScorer:
        signals: list[tuple[_Signal, list[str]]] = []
        queries: list[tuple[_Signal, str]] = []
        for sid, spec in (data.get("signals") or {}).items():
            kind = str(spec.get("kind", "rumour"))
            weight = float(spec.get("weight", 0.5))
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"signal {sid}: weight must be in [0, 1]")
            signal = _Signal(str(sid), kind, weight)
            signals.append((signal, _phrases(spec)))
            queries.extend((signal, str(q)) for q in spec.get("queries") or ())
        reporting = data.get("reporting") or {}
        if reporting:
            signals.append((_Signal("reporting", _REPORTING, 0.0), _phrases(reporting)))
        excluded = [str(p) for p in data.get("exclude") or ()]
        signals.append((_Signal("exclude", _EXCLUDE, 0.0), excluded))
        hearsay = data.get("hearsay") or {}
        hearsay_signal = _Signal("hearsay", _HEARSAY, 0.0)
        signals.append((hearsay_signal, _phrases(hearsay)))
        queries.extend((hearsay_signal, str(q)) for q in hearsay.get("queries") or ())
        minimum: dict[str, int] = {}
        for cid, spec in (data.get("contexts") or {}).items():
            factor = float(spec.get("factor", 0.5))
            if not 0.0 <= factor <= 1.0:
                raise ValueError(f"context {cid}: factor must be in [0, 1]")
            signals.append((_Signal(str(cid), _CONTEXT, factor), _phrases(spec)))
            minimum[str(cid)] = int(spec.get("min_distinct", 1))
        return cls(
            signals,
            threshold=float(data.get("threshold", 0.5)),
            reporting_factor=float(reporting.get("factor", 0.35)),
            pattern_weights=data.get("patterns"),
            folded_factor=float(data.get("folded_factor", 0.8)),
            queries=queries,
            context_minimum=minimum,
            folded_full_length=int(data.get("folded_full_length", 3)),
        )

    def matchers(self) -> tuple[PhraseMatcher[_Signal], PhraseMatcher[_Signal]]:
        """(exact, accent-folded) phrase matchers, for merging into a shared matcher."""
        return self._exact, self._folded

    def score(
        self,
        doc: NormalisedText,
        raw_text: str = "",
        *,
        matches: list[PhraseMatch[_Signal]] | None = None,
    ) -> HarmfulScore:
        """Score in [0, 1] with the reasons; ``raw_text`` enables the pattern detectors."""
        folded = doc.lacks_diacritics
        tokens, token_set = doc.view(folded)
        if matches is None:
            matches = (self._folded if folded else self._exact).find(tokens, token_set)
        evidence_by_signal: dict[_Signal, list[tuple[str, ...]]] = {}
        marks: dict[_Signal, list[tuple[str, ...]]] = {}  # reporting, hearsay, contexts
        excluded: list[tuple[int, int]] = []
        spans: dict[str, list[tuple[int, int]]] = {}
        raising: list[tuple[int, int, _Signal]] = []
        for start, end, signal in matches:  # in document order already
            kind = signal.kind
            if kind not in _NOT_RAISING:
                raising.append((start, end, signal))
            elif kind == _PHRASE:
                spans.setdefault(signal.id, []).append((start, end))
            elif kind == _EXCLUDE:
                excluded.append((start, end))
            else:
                found = marks.setdefault(signal, [])
                if tokens[start:end] not in found:
                    found.append(tokens[start:end])
        full_weight: set[_Signal] = set()
        for start, end, signal in raising:
            if any(s < end and start < e for s, e in excluded):
                continue  # a false friend (e.g. "nhận cuộc gọi" read without accents)
            found = evidence_by_signal.setdefault(signal, [])
            if tokens[start:end] not in found:
                found.append(tokens[start:end])
            if end - start >= self.folded_full_length:
                full_weight.add(signal)  # long phrases stay unambiguous without accents
        if spans:
            for signal, node in self._queries[folded]:
                hit = node.evaluate(spans, " ".join)
                if hit:
                    start, end = hit[0]
                    target = marks if signal.kind == _HEARSAY else evidence_by_signal
                    target.setdefault(signal, []).append(tokens[start:end][:12])
                    full_weight.add(signal)
        reasons: list[Reason] = []
        for signal, found in evidence_by_signal.items():
            factor = self.folded_factor if folded and signal not in full_weight else 1.0
            # further distinct phrases of one signal add evidence with diminishing returns
            weight = 1.0 - (1.0 - signal.weight * factor) ** (1.0 + 0.5 * (len(found) - 1))
            reasons.append(Reason(signal.id, signal.kind, _text(found), round(weight, 4)))
        if raw_text:
            reasons.extend(self._patterns(raw_text))
        miss = 1.0
        for reason in reasons:
            miss *= 1.0 - reason.weight
        score = 1.0 - miss
        hearsay = next((f for s, f in marks.items() if s.kind == _HEARSAY), None)
        for signal, found in marks.items():
            if score <= 0:
                break
            if signal.kind == _HEARSAY:
                reasons.append(Reason("hearsay", _HEARSAY, _text(found), 0.0))
                continue
            if signal.kind == _REPORTING:
                if hearsay:
                    continue  # a rumour naming a police unit is still a rumour
                # more reporting markers, stronger damping (two or more: full factor)
                factor = self.reporting_factor
                damp = factor if len(found) >= 2 else (1 + factor) / 2
            elif len(found) >= self.context_minimum.get(signal.id, 1):
                damp = signal.weight
            else:
                continue
            score *= damp
            reasons.append(Reason(signal.id, signal.kind, _text(found), round(damp - 1.0, 4)))
        score = round(min(max(score, 0.0), 1.0), 4)
        return HarmfulScore(score, score >= self.threshold, tuple(reasons))

    def _patterns(self, raw: str) -> list[Reason]:
        out: list[Reason] = []
        weights = self.pattern_weights
        if weights.get("phone"):
            for phone in _PHONE.finditer(raw):
                start = phone.start()
                if start == 0 or not raw[start - 1].isdigit():
                    out.append(Reason("phone", "lure", phone.group(0), weights["phone"]))
                    break
        lowered = raw.lower()
        link = _LINK.search(raw) if any(s in lowered for s in _LINK_HINTS) else None
        if link and weights.get("link"):
            out.append(Reason("link", "lure", link.group(0), weights["link"]))
        bangs = _EXCLAIM.findall(raw) if "!" in raw else ()  # every form has a "!"
        if len(bangs) >= 2 and weights.get("exclamation"):
            out.append(Reason("exclamation", "style", f"{len(bangs)}x", weights["exclamation"]))
        split = raw[:600].split()  # style is judged on the opening (headline, lead)
        # filter() tries isupper at C speed: most words fail it
        upper = [w for w in filter(str.isupper, split) if len(w) >= 3 and w.isalpha()]
        words = max(1, len(split))
        if len(upper) >= 4 and len(upper) / words > 0.2 and weights.get("caps"):
            out.append(Reason("caps", "style", " ".join(upper[:4]), weights["caps"]))
        return out


def _text(found: list[tuple[str, ...]]) -> str:
    return ", ".join(" ".join(e) for e in found[:3])
