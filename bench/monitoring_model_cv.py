"""Cross-validation of the learned model by labelled set: each measured file of
services/monitoring/data/eval is judged by a model trained on every other file there (it never
saw that one), rules alone against rules + model in several settings, by channel (press, portal,
social). Writes bench/results/monitoring_model_cv.json.

The held-out sets under data/eval/measured/ play no part: they are measured through the API
(bench/monitoring_blind.py), never used to choose a setting.

    .venv/bin/python -m bench.monitoring_model_cv            # the sets with social posts
    .venv/bin/python -m bench.monitoring_model_cv blind5 ...  # these sets instead

Read the rules' figures with care: the term lists learned from the blind sets 1-6 after their
first look, so "rules alone" is optimistic on those.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.monitoring_eval import prf
from services.monitoring.domain import DedupIndex, Pipeline
from services.monitoring.domain.eval_files import labelled_files
from services.monitoring.domain.training import judge, labelled_from_record, train_model

RESULTS = Path(__file__).resolve().parent / "results" / "monitoring_model_cv.json"
# Sets written with social posts in them: what the settings were chosen on.
MEASURED = ("blind6", "train_a", "train_b", "train_c", "train_d", "train_e", "train_f", "train_g",
            "train_h")
CHANNELS = ("press", "portal", "social")


@dataclass(frozen=True)
class Arm:
    """One setting of the model (None: the rules alone)."""

    name: str
    c: float | None = None
    topic_threshold: float = 0.5
    harmful_threshold: float = 0.6


ARMS = (
    Arm("rules alone"),
    Arm("C 4, topics 0.6, harm 0.6", 4.0, 0.6, 0.6),
    Arm("C 8, topics 0.5, harm 0.6 (shipped)", 8.0, 0.5, 0.6),
    Arm("C 8, topics 0.5, harm 0.55", 8.0, 0.5, 0.55),
    Arm("C 16, topics 0.5, harm 0.6", 16.0, 0.5, 0.6),
)


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


def run(measured: tuple[str, ...]) -> dict[str, Any]:
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None), with_model=False)
    sets = labelled_files()
    total = {(arm.name, channel): Tally() for arm in ARMS for channel in CHANNELS}
    out: dict[str, Any] = {"measured": list(measured), "by_set": {}}
    for name in measured:
        train = [labelled_from_record(r, other) for other, rows in sets.items()
                 if other != name for r in rows]
        per_set = {arm.name: Tally() for arm in ARMS}
        for arm in ARMS:
            model = None if arm.c is None else train_model(
                train, f"cv-{name}", c=arm.c, threshold=arm.topic_threshold,
                harmful_threshold=arm.harmful_threshold)
            for rec in sets[name]:
                got, h_got = judge(pipeline.classifier, pipeline.scorer, model, rec["title"],
                                   rec["body"], pipeline.thresholds)
                want, h_want = set(rec["topics"]), bool(rec["harmful"])
                channel = rec.get("channel") or "press"
                for tally in (per_set[arm.name], total[(arm.name, channel)]):
                    tally.add(got, want, h_got, h_want)
        out["by_set"][name] = {arm: tally.figures() for arm, tally in per_set.items()}
        print(f"== {name} ({len(sets[name])} items; trained on the other {len(train)})",
              flush=True)
        for arm_name, tally in per_set.items():
            _line(arm_name, tally.figures())
    print(f"== all of {', '.join(measured)}, each judged by a model that did not see it")
    out["by_channel"] = {}
    for (arm_name, channel), tally in total.items():
        if sum(tally.topics) + sum(tally.harmful):
            out["by_channel"][f"{arm_name} / {channel}"] = tally.figures()
            _line(f"{arm_name} / {channel}", tally.figures())
    return out


def _line(label: str, f: dict[str, Any]) -> None:
    t, h = f["topics_micro"], f["harmful"]
    print(f"  {label:<44} topics P {t['precision']:.3f} R {t['recall']:.3f} F1 {t['f1']:.3f}"
          f" | harmful P {h['precision']:.3f} R {h['recall']:.3f} F1 {h['f1']:.3f}")


def main() -> None:
    result = run(tuple(sys.argv[1:]) or MEASURED)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print("results:", RESULTS)


if __name__ == "__main__":
    main()
