"""Training the text model with scikit-learn (imported here only: inference needs numpy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .combined import combine, find_cues
from .harmful import HarmfulScorer
from .model import HARMFUL_LABEL, Syllables, TextModel, split_of
from .text import normalise
from .topics import TOPIC_IDS, TopicClassifier

__all__ = ["LABELS", "Labelled", "TrainingError", "evaluate", "held_out_split", "judge",
           "labelled_from_record", "no_worse", "train_model"]

LABELS = (*TOPIC_IDS, HARMFUL_LABEL)
# The model adds recall beside the rules, which keep precision: a label needs a clear
# probability before the model alone may assign it. Chosen by leave-one-set-out CV
# (bench/monitoring_model_cv.py, data/README.md): topics gain recall down to 0.5 at little
# precision, the harmful flag loses precision below 0.6.
DEFAULT_THRESHOLD = 0.5
DEFAULT_HARMFUL_THRESHOLD = 0.6
MIN_POSITIVES = 2


class TrainingError(ValueError):
    """The labelled items cannot train a model (too few, or a label without examples)."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled item: its text, its topics, whether it is harmful, and its story key
    (a copy shares its original's key, so a split never separates them)."""

    id: str
    title: str
    body: str
    topics: frozenset[str]
    harmful: bool
    story: str
    origin: str = ""  # the set it came from (file stem, or "operators")


def labelled_from_record(rec: dict[str, Any], origin: str = "") -> Labelled:
    """A labelled item from an evaluation-file record (``data/eval/*.jsonl`` schema)."""
    return Labelled(str(rec["id"]), str(rec.get("title") or ""), str(rec.get("body") or ""),
                    frozenset(rec.get("topics") or ()), bool(rec.get("harmful")),
                    str(rec.get("dup_of") or rec["id"]), origin)


def held_out_split(items: Sequence[Labelled], folds: int = 5,
                   ) -> tuple[list[Labelled], list[Labelled]]:
    """(train, held out): a stable fifth of the stories is held out, the same for every
    version trained on the same items, so versions are compared on one set."""
    train = [i for i in items if split_of(i.story, folds) != 0]
    test = [i for i in items if split_of(i.story, folds) == 0]
    return train, test


def train_model(items: Sequence[Labelled], version: str, *, c: float = 8.0,
                threshold: float = DEFAULT_THRESHOLD,
                harmful_threshold: float = DEFAULT_HARMFUL_THRESHOLD, min_df: int = 2,
                prune: float = 0.05,
                progress: Callable[[float, str], None] | None = None,
                meta: dict[str, Any] | None = None) -> TextModel:
    """One logistic regression per label (balanced class weights) on binary, L2-normalised
    n-gram features; ``progress(fraction, stage)`` is called along the way. ``c`` (inverse
    regularisation) 8 rather than 4 kept topics as they were and lifted harmful precision in
    leave-one-set-out CV."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    if len(items) < 10:
        raise TrainingError(f"{len(items)} labelled items: at least 10 are needed")
    report = progress or (lambda fraction, stage: None)
    report(0.0, "features")
    docs = [normalise(i.title, i.body) for i in items]
    syllables = Syllables.of(docs)
    grams = [syllables.keys(d) for d in docs]
    known, df = np.unique(np.concatenate(grams), return_counts=True)
    keys = known[df >= min_df]
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float64]] = []
    for r, doc in enumerate(grams):
        ids = np.searchsorted(keys, doc)
        ids = ids[(ids < len(keys)) & (keys[np.minimum(ids, len(keys) - 1)] == doc)]
        rows.append(np.full(len(ids), r))
        cols.append(ids)
        values.append(np.full(len(ids), 1.0 / np.sqrt(max(1, len(doc)))))
    x = csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                   shape=(len(items), len(keys)))
    coef = np.zeros((len(LABELS), len(keys)), dtype=np.float32)
    intercept = np.full(len(LABELS), -6.0, dtype=np.float32)  # a label never seen: never
    for k, label in enumerate(LABELS):
        report(0.1 + 0.9 * k / len(LABELS), f"label {label}")
        y = np.array([(i.harmful if label == HARMFUL_LABEL else label in i.topics)
                      for i in items], dtype=np.int8)
        if y.sum() < MIN_POSITIVES or y.sum() == len(y):
            continue
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        clf.fit(x, y)
        coef[k] = clf.coef_[0]
        intercept[k] = clf.intercept_[0]
    # features no label leans on are dropped: a smaller file, the same scores
    keep = np.abs(coef).max(axis=0) >= prune
    report(1.0, "done")
    return TextModel(version, LABELS, syllables, keys[keep], coef[:, keep], intercept,
                     [harmful_threshold if label == HARMFUL_LABEL else threshold
                      for label in LABELS],
                     {"items": len(items), "features": int(keep.sum()), "c": c,
                      "min_df": min_df, **(meta or {})})


def judge(classifier: TopicClassifier, scorer: HarmfulScorer, model: TextModel | None,
          title: str, body: str, thresholds: Mapping[str, float] | None = None,
          ) -> tuple[set[str], bool]:
    """The topics and harmful flag rules (and model) give a labelled text, as the pipeline
    decides them; ``thresholds``: each topic's (default: the taxonomy's)."""
    doc = normalise(title, body)
    scored = classifier.classify(doc, min_confidence=0.2)
    limits = thresholds if thresholds is not None else {
        t.id: t.threshold for t in classifier.topics.values()}
    topics, _, harmful = combine(scored, scorer.score(doc, f"{title}\n{body}"),
                                 model.scores(doc, 0) if model else None, limits,
                                 scorer.threshold, find_cues(doc), doc.lacks_diacritics)
    return {t.topic for t in topics}, harmful.harmful


def evaluate(classifier: TopicClassifier, scorer: HarmfulScorer, model: TextModel | None,
             items: Sequence[Labelled]) -> dict[str, float]:
    """Rules and model together on labelled items: topic micro P/R/F1, harmful P/R."""
    thresholds = {t.id: t.threshold for t in classifier.topics.values()}
    tp = fp = fn = htp = hfp = hfn = 0
    for item in items:
        got, flagged = judge(classifier, scorer, model, item.title, item.body, thresholds)
        tp, fp, fn = tp + len(got & item.topics), fp + len(got - item.topics), \
            fn + len(item.topics - got)
        htp += flagged and item.harmful
        hfp += flagged and not item.harmful
        hfn += item.harmful and not flagged
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"topics_micro_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "topics_precision": round(p, 4), "topics_recall": round(r, 4),
            "harmful_precision": round(htp / (htp + hfp), 4) if htp + hfp else 0.0,
            "harmful_recall": round(htp / (htp + hfn), 4) if htp + hfn else 1.0,
            "items": len(items)}


def no_worse(candidate: Mapping[str, float], active: Mapping[str, float]) -> bool:
    """Whether a new version may become active: topic micro-F1 and harmful recall on the
    same held-out set do not drop."""
    return (candidate["topics_micro_f1"] >= active["topics_micro_f1"]
            and candidate["harmful_recall"] >= active["harmful_recall"])
