"""The labelled sets shipped in data/eval: JSON records, one per line, one file per author.

Only the folder's top level is read: its subfolders hold sets kept apart (`measured/`, never
trained on; `stories/`, story pairs), which the model and the story statistics must not see.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["EVAL_DIR", "labelled_files"]

EVAL_DIR = Path(__file__).resolve().parent.parent / "data" / "eval"


def labelled_files(directory: Path = EVAL_DIR) -> dict[str, list[dict[str, Any]]]:
    """Each file's records by its stem, files in name order."""
    return {path.stem: [json.loads(line) for line in
                        path.read_text(encoding="utf-8").splitlines() if line.strip()]
            for path in sorted(directory.glob("*.jsonl"))}
