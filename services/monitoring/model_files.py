"""The labelled sets shipped in data/eval and the model trained from them.

``.venv/bin/python -m services.monitoring.model_files`` trains the shipped model
(data/model.npz, a few hundred kB) from the labelled files, so a fresh install has a model
without training at start-up; retrain it when the labelled files change.
"""

from __future__ import annotations

import json
from pathlib import Path

from services.monitoring.domain.pipeline import DATA_DIR, SHIPPED_MODEL
from services.monitoring.domain.training import (
    Labelled,
    held_out_split,
    labelled_from_record,
    train_model,
)

SHIPPED_VERSION = "shipped-2"
EVAL_DIR = DATA_DIR / "eval"


def eval_sets(directory: Path = EVAL_DIR) -> list[Labelled]:
    """Every item of the labelled files, each tagged with its file's stem."""
    out: list[Labelled] = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(labelled_from_record(json.loads(line), path.stem))
    return out


def main() -> None:
    # the held-out fifth stays out, as for every version: the first trained version is then
    # compared with this one on items neither has seen
    items, held_out = held_out_split(eval_sets())
    model = train_model(items, SHIPPED_VERSION, meta={
        "trained_by": "services/monitoring/model_files.py",
        "training_set": f"data/eval/*.jsonl: {len(items)} items trained on, {len(held_out)} "
                        f"held out (a stable fifth of the stories)",
        "held_out_items": len(held_out)})
    SHIPPED_MODEL.write_bytes(model.to_bytes())
    print(f"{SHIPPED_MODEL}: {SHIPPED_MODEL.stat().st_size} bytes, "
          f"{len(model.keys)} features, {len(items)} items")


if __name__ == "__main__":
    main()
