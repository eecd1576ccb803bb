"""Harmful-information ("thông tin xấu độc") score from data-driven signals."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


class HarmfulScorer:
    """Noisy-OR of raising signals, then multiplied down by factual-reporting markers."""

    def __init__(
        self,
        signals: list[tuple[_Signal, list[str]]],
        *,
        threshold: float = 0.5,
        reporting_factor: float = 0.35,
        pattern_weights: Mapping[str, float] | None = None,
        folded_factor: float = 0.8,
    ) -> None:
        self.threshold = threshold
        self.reporting_factor = reporting_factor
        self.folded_factor = folded_factor
        self.pattern_weights = dict(
            pattern_weights or {"phone": 0.35, "link": 0.4, "exclamation": 0.15, "caps": 0.15}
        )
        self._exact: PhraseMatcher[_Signal] = PhraseMatcher()
        self._folded: PhraseMatcher[_Signal] = PhraseMatcher()
        for signal, phrases in signals:
            for phrase in phrases:
                self._exact.add(normalise_phrase(phrase), signal)
                self._folded.add(fold_phrase(phrase), signal)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> HarmfulScorer:
        signals: list[tuple[_Signal, list[str]]] = []
        for sid, spec in (data.get("signals") or {}).items():
            kind = str(spec.get("kind", "rumour"))
            weight = float(spec.get("weight", 0.5))
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"signal {sid}: weight must be in [0, 1]")
            signals.append(
                (_Signal(str(sid), kind, weight), [str(p) for p in spec.get("phrases", [])])
            )
        reporting = data.get("reporting") or {}
        if reporting:
            signals.append(
                (
                    _Signal("reporting", "reporting", 0.0),
                    [str(p) for p in reporting.get("phrases", [])],
                )
            )
        return cls(
            signals,
            threshold=float(data.get("threshold", 0.5)),
            reporting_factor=float(reporting.get("factor", 0.35)),
            pattern_weights=data.get("patterns"),
            folded_factor=float(data.get("folded_factor", 0.8)),
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
        reasons: list[Reason] = []
        evidence_by_signal: dict[_Signal, list[tuple[str, ...]]] = {}
        reporting: list[tuple[str, ...]] = []
        factor = self.folded_factor if folded else 1.0
        for start, end, signal in sorted(matches, key=lambda m: m[0]):
            evidence = tokens[start:end]
            if signal.kind == "reporting":
                if evidence not in reporting:
                    reporting.append(evidence)
                continue
            found = evidence_by_signal.setdefault(signal, [])
            if evidence not in found:
                found.append(evidence)
        for signal, found in evidence_by_signal.items():
            # further distinct phrases of one signal add evidence with diminishing returns
            weight = 1.0 - (1.0 - signal.weight * factor) ** (1.0 + 0.5 * (len(found) - 1))
            text = ", ".join(" ".join(e) for e in found[:3])
            reasons.append(Reason(signal.id, signal.kind, text, round(weight, 4)))
        if raw_text:
            reasons.extend(self._patterns(raw_text))
        miss = 1.0
        for reason in reasons:
            miss *= 1.0 - reason.weight
        score = 1.0 - miss
        if reporting and score > 0:
            # more reporting markers, stronger damping (two or more: full factor)
            damp = self.reporting_factor if len(reporting) >= 2 else (1 + self.reporting_factor) / 2
            score *= damp
            text = ", ".join(" ".join(e) for e in reporting[:3])
            reasons.append(Reason("reporting", "reporting", text, round(damp - 1.0, 4)))
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
        bangs = _EXCLAIM.findall(raw)
        if len(bangs) >= 2 and weights.get("exclamation"):
            out.append(Reason("exclamation", "style", f"{len(bangs)}x", weights["exclamation"]))
        split = raw[:600].split()  # style is judged on the opening (headline, lead)
        upper = [w for w in split if len(w) >= 3 and w.isupper() and w.isalpha()]
        words = max(1, len(split))
        if len(upper) >= 4 and len(upper) / words > 0.2 and weights.get("caps"):
            out.append(Reason("caps", "style", " ".join(upper[:4]), weights["caps"]))
        return out
