"""Cross-validation of the learned model by labelled set: for each file of
services/monitoring/data/eval, train on the other files and measure on that one (the model
never saw it), rules alone against rules + model. Writes bench/results/monitoring_model_cv.json.

Read the rules' figures on the blind sets 1-4 with care: the term lists learned from those sets
after their first look; blind5 was never tuned on, so it is the fairest comparison.

    .venv/bin/python -m bench.monitoring_model_cv [threshold ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.monitoring_eval import prf
from services.contracts.monitoring import CANDIDATE_FLOOR
from services.monitoring.domain import DATA_DIR, TOPIC_IDS, DedupIndex, Pipeline
from services.monitoring.domain.combined import Cues, combine, find_cues
from services.monitoring.domain.model import ModelScores, TextModel
from services.monitoring.domain.text import normalise
from services.monitoring.domain.training import Labelled, labelled_from_record, train_model

RESULTS = Path(__file__).resolve().parent / "results" / "monitoring_model_cv.json"
FILES = ("items", "holdout", "blind", "blind2", "blind3", "blind4", "blind5", "blind6")


def load(name: str) -> list[dict[str, Any]]:
    path = DATA_DIR / "eval" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class Tally:
    def __init__(self) -> None:
        self.topics = [0, 0, 0]
        self.harmful = [0, 0, 0]

    def add(self, got: set[str], want: set[str], h_got: bool, h_want: bool) -> None:
        self.topics[0] += len(got & want)
        self.topics[1] += len(got - want)
        self.topics[2] += len(want - got)
        if h_got or h_want:
            self.harmful[0 if h_got and h_want else 1 if h_got else 2] += 1

    def figures(self) -> dict[str, Any]:
        return {"topics_micro": prf(*self.topics), "harmful": prf(*self.harmful)}


def judge(pipeline: Pipeline, model: TextModel | None, rec: dict[str, Any],
          use_cues: bool = True) -> tuple[set[str], bool]:
    doc = normalise(rec["title"], rec["body"])
    text = f"{rec['title']}\n{rec['body']}"
    scored = pipeline.classifier.classify(doc, min_confidence=CANDIDATE_FLOOR)
    harmful = pipeline.scorer.score(doc, text)
    scores: ModelScores | None = model.scores(doc) if model else None
    cues = find_cues(doc) if use_cues else Cues()
    both, _, harm = combine(scored, harmful, scores, pipeline.thresholds,
                            pipeline.scorer.threshold, cues, doc.lacks_diacritics)
    return {t.topic for t in both}, harm.harmful


def run(thresholds: list[float]) -> dict[str, Any]:
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None), with_model=False)
    sets = {name: load(name) for name in FILES}
    arms = ["rules", *(f"rules+model@{t}" for t in thresholds),
            *(f"rules+model@{t} no cues" for t in thresholds[:1]),
            *(f"model@{t}" for t in thresholds[:1])]
    total = {arm: Tally() for arm in arms}
    by_style = {(arm, style): Tally() for arm in arms for style in ("diacritics", "folded")}
    out: dict[str, Any] = {}
    for name, records in sets.items():
        train: list[Labelled] = [labelled_from_record(r, other)
                                 for other, rows in sets.items() if other != name
                                 for r in rows]
        models = {t: train_model(train, f"cv-{name}", threshold=t) for t in thresholds}
        tallies = {arm: Tally() for arm in arms}
        for rec in records:
            want, h_want = set(rec["topics"]), bool(rec["harmful"])
            style = "folded" if rec.get("variant") == "no_diacritics" else "diacritics"
            results = {"rules": judge(pipeline, None, rec)}
            for t, model in models.items():
                results[f"rules+model@{t}"] = judge(pipeline, model, rec)
            first = thresholds[0]
            results[f"rules+model@{first} no cues"] = judge(pipeline, models[first], rec, False)
            scores = models[first].scores(normalise(rec["title"], rec["body"]))
            results[f"model@{first}"] = (
                {k for k, v in scores.labels.items() if v.assigned and k in TOPIC_IDS},
                scores.labels["harmful"].assigned)
            for arm, (got, h_got) in results.items():
                for tally in (tallies[arm], total[arm], by_style[(arm, style)]):
                    tally.add(got, want, h_got, h_want)
        out[name] = {arm: tally.figures() for arm, tally in tallies.items()}
        print(f"== {name} ({len(records)} items; model trained on the other "
              f"{len(train)})")
        for arm, tally in tallies.items():
            _line(arm, tally.figures())
    out["all"] = {arm: t.figures() for arm, t in total.items()}
    out["by_style"] = {f"{arm} / {style}": t.figures() for (arm, style), t in by_style.items()}
    print("== all sets, each measured by a model that did not see it")
    for arm, tally in total.items():
        _line(arm, tally.figures())
    for key, tally in by_style.items():
        _line(" / ".join(key), tally.figures())
    return out


def _line(arm: str, f: dict[str, Any]) -> None:
    t, h = f["topics_micro"], f["harmful"]
    print(f"  {arm:<30} topics P {t['precision']:.3f} R {t['recall']:.3f} F1 {t['f1']:.3f}"
          f" | harmful P {h['precision']:.3f} R {h['recall']:.3f} F1 {h['f1']:.3f}")


def main() -> None:
    thresholds = [float(a) for a in sys.argv[1:]] or [0.6, 0.5, 0.7]
    result = run(thresholds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print("results:", RESULTS)


if __name__ == "__main__":
    main()
