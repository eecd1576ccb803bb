"""Rules and the learned model together: the rules keep precision, the model adds recall.

The model's probability is put on the rules' scale: its own (higher) threshold lands on
``ANCHOR``, the default rule threshold. A topic's score is then the larger of the rule
confidence and the model's mapped probability, judged against the topic's threshold as set
(so an officer who raises a threshold raises it for both sides); the harmful score likewise.
Both sides give reasons: matched terms and rules, and the model's strongest features.

Negation and prevention are handled here, explicitly, for the model's side (the rules have
their own exclusions and reporting markers): a denial ("tin đồn thất thiệt", "bác bỏ",
"không phải") never lets the model raise a topic or the harmful score, and an awareness
message ("tuyên truyền phòng chống") keeps the model's topics but never its harm.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .harmful import HarmfulScore, Reason
from .model import HARMFUL_LABEL, ModelScores
from .text import NormalisedText, PhraseMatch, PhraseMatcher, fold_phrase, normalise_phrase
from .topics import TopicMatch

__all__ = ["ANCHOR", "CUES", "Cues", "combine", "cue_matchers", "find_cues", "on_rule_scale"]

# Where the model's own threshold lands on the rules' scale: the default topic and harmful
# threshold (data/topics.yaml, data/harmful.yaml).
ANCHOR = 0.5

# Phrases that deny what a text reports, or that warn against it (accent-folded matching).
CUES: dict[str, tuple[str, ...]] = {
    "denial": (
        "tin đồn thất thiệt", "thông tin sai sự thật", "thông tin thất thiệt", "bác bỏ",
        "không có chuyện", "không phải", "không hề có", "không có việc", "đính chính",
        "xác minh là sai", "hoàn toàn sai", "không đúng sự thật", "bịa đặt",
    ),
    "prevention": (
        "tuyên truyền", "phòng chống", "phòng, chống", "nâng cao nhận thức", "khuyến cáo",
        "cảnh giác", "tập huấn", "hội nghị", "ra quân", "ký cam kết", "phổ biến pháp luật",
    ),
}


@dataclass(frozen=True, slots=True)
class Cues:
    denial: tuple[str, ...] = ()
    prevention: tuple[str, ...] = ()


def cue_matchers() -> tuple[PhraseMatcher[str], PhraseMatcher[str]]:
    """(exact, accent-folded) matchers of the cue phrases, for merging into a shared one."""
    exact: PhraseMatcher[str] = PhraseMatcher()
    folded: PhraseMatcher[str] = PhraseMatcher()
    for kind, phrases in CUES.items():
        for phrase in phrases:
            exact.add(normalise_phrase(phrase), kind)
            folded.add(fold_phrase(phrase), kind)
    return exact, folded


_MATCHERS = cue_matchers()


def find_cues(doc: NormalisedText, matches: list[PhraseMatch[str]] | None = None) -> Cues:
    """Denial and prevention phrases present in a text; ``matches`` may carry them found by
    a shared matcher already."""
    tokens, token_set = doc.view(doc.lacks_diacritics)
    if matches is None:
        matches = _MATCHERS[int(doc.lacks_diacritics)].find(tokens, token_set)
    found: dict[str, list[str]] = {"denial": [], "prevention": []}
    for start, end, kind in matches:
        phrase = " ".join(tokens[start:end])
        if phrase not in found[kind]:
            found[kind].append(phrase)
    return Cues(tuple(found["denial"]), tuple(found["prevention"]))


def on_rule_scale(probability: float, model_threshold: float, rule_threshold: float) -> float:
    """Piecewise-linear map of a probability so that the model threshold lands on the rule
    threshold and 0 and 1 stay put (monotone: one order of evidence on both sides)."""
    m, t = model_threshold, rule_threshold
    if probability <= m:
        return round(probability * t / m, 4) if m > 0 else t
    return round(t + (probability - m) * (1.0 - t) / (1.0 - m), 4) if m < 1 else 1.0


def combine(
    scored: Iterable[TopicMatch],
    rule_harmful: HarmfulScore,
    scores: ModelScores | None,
    thresholds: Mapping[str, float],
    harmful_threshold: float,
    cues: Cues,
    folded: bool = False,
    floor: float = 0.2,
) -> tuple[tuple[TopicMatch, ...], tuple[TopicMatch, ...], HarmfulScore]:
    """(assigned topics, candidates, harmful score) of rules and model together.

    ``scored`` are the rules' topics down to ``floor``; ``thresholds`` the topics' thresholds
    in force. A topic whose score the model raises keeps the rules' terms and rules."""
    topics = {t.topic: t for t in scored}
    harmful = rule_harmful
    if scores is not None and not cues.denial:
        for label, score in scores.labels.items():
            if label == HARMFUL_LABEL or label not in thresholds:
                continue
            mapped = on_rule_scale(score.probability, score.threshold, ANCHOR)
            current = topics.get(label)
            if mapped < floor or (current is not None and mapped <= current.confidence):
                continue
            topics[label] = (TopicMatch(label, mapped, (), (), folded, ()) if current is None
                             else TopicMatch(label, mapped, current.terms, current.rules,
                                             current.folded, current.dampened_by))
        model = scores.get(HARMFUL_LABEL)
        if model is not None and not cues.prevention:
            # Full weight on text without diacritics too: the model reads accent-folded
            # n-grams and learned from posts typed that way (a 0.8 weight, the rules'
            # folded_factor, cost 6 points of social harmful recall in CV for 2 of precision).
            mapped = on_rule_scale(model.probability, model.threshold, ANCHOR)
            if mapped >= ANCHOR and mapped > rule_harmful.score:  # below its threshold: silent
                reason = Reason("model", "model", ", ".join(model.reasons), mapped)
                harmful = HarmfulScore(mapped, mapped >= harmful_threshold,
                                       (*rule_harmful.reasons, reason))
    ranked = sorted(topics.values(), key=lambda t: -t.confidence)
    assigned = tuple(t for t in ranked if t.confidence >= thresholds.get(t.topic, ANCHOR))
    return assigned, tuple(t for t in ranked if t not in assigned), harmful
