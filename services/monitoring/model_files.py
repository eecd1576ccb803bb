"""The labelled sets shipped in data/eval and the model trained from them.

``.venv/bin/python -m services.monitoring.model_files`` trains the shipped model
(data/model.npz, a few hundred kB) from the labelled files, so a fresh install has a model
without training at start-up; retrain it when the labelled files change.
"""

from __future__ import annotations

from pathlib import Path

from services.monitoring.domain.eval_files import EVAL_DIR, labelled_files
from services.monitoring.domain.pipeline import SHIPPED_MODEL
from services.monitoring.domain.training import (
    Labelled,
    held_out_split,
    labelled_from_record,
    train_model,
)

SHIPPED_VERSION = "shipped-2"


def eval_sets(directory: Path = EVAL_DIR) -> list[Labelled]:
    """Every item of the labelled files, each tagged with its file's stem."""
    return [labelled_from_record(record, stem)
            for stem, records in labelled_files(directory).items() for record in records]


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
