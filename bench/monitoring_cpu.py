"""Monitoring analysis CPU per item, this tree against a base tree (issue 20's target: at most
1.5x the cost before issue 20, commit 9dc02c8).

Each measurement is a fresh process in the tree measured (its working directory, put first on
sys.path, so its own `services` and `bench` are imported, not this tree's): the corpus of
`bench.monitoring.corpus(2000)`, a pipeline made as `bench.monitoring.pure()` makes it
(`Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))`: near-copies and, where the
tree has them, stories and the model), 200 items through a throwaway pipeline to warm the
caches, then `time.process_time()` over `analyse` of all 2000 items on a fresh pipeline
(normalise, classify, places, harm, dedup, stories). Runs alternate base and this tree, so
that the machine's drift (shared, 2 cores) hits both alike; the figure is the median.

    .venv/bin/python -m bench.monitoring_cpu            # base: /tmp/base20 or BENCH_BASE_TREE
    git worktree add --detach /tmp/base20 9dc02c8   # the base tree (before issue 20), once

Without a base tree it measures this tree alone; BENCH_MONITORING_CPU_TREES=name=path,...
adds other trees to the same run (a branch point, say). Writes
bench/results/monitoring_cpu.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE_TREE = Path(os.environ.get("BENCH_BASE_TREE", "/tmp/base20"))
ITEMS = int(os.environ.get("BENCH_MONITORING_CPU_ITEMS", "2000"))
WARM_UP = 200
REPETITIONS = int(os.environ.get("BENCH_MONITORING_CPU_REPETITIONS", "5"))
TARGET_RATIO = 1.5


def measure_here(items_count: int = ITEMS) -> dict[str, Any]:
    """One measurement of the tree in the working directory (run in a fresh process)."""
    import time

    sys.path.insert(0, ".")  # this tree's packages before the installed (editable) ones
    from bench.monitoring import corpus
    from services.monitoring import domain
    from services.monitoring.domain import DedupIndex, Item, Pipeline

    items = corpus(items_count)
    now = time.time()

    def fresh() -> Any:
        return Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))

    warm = fresh()
    for n, it in enumerate(items[:WARM_UP]):
        warm.analyse(Item(f"warm-{n}", it["title"], it["body"], url=it["url"], seen_at=now))
    pipeline = fresh()
    started = time.process_time()
    for n, it in enumerate(items):
        pipeline.analyse(Item(f"it-{n}", it["title"], it["body"], url=it["url"], seen_at=now))
    cpu = time.process_time() - started
    return {"tree": str(Path(domain.__file__).resolve().parents[3]), "items": len(items),
            "cpu_ms_per_item": round(cpu * 1000 / len(items), 4)}


def _run(tree: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--here"], cwd=tree,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"measuring {tree} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(figures["tree"]) != tree.resolve():
        raise RuntimeError(f"measured {figures['tree']}, not {tree}")
    return figures


def main() -> dict[str, Any]:
    from bench.common import write_results

    trees = {"base": BASE_TREE} if (BASE_TREE / "services" / "monitoring").is_dir() else {}
    for pair in filter(None, os.environ.get("BENCH_MONITORING_CPU_TREES", "").split(",")):
        name, _, path = pair.partition("=")  # more trees in the same run: name=path,...
        trees[name.strip()] = Path(path.strip())
    trees["now"] = ROOT
    runs: dict[str, list[float]] = {name: [] for name in trees}
    for repetition in range(REPETITIONS):
        order = list(trees.items())
        if repetition % 2:  # A B B A: neither side always runs first
            order.reverse()
        for name, tree in order:
            runs[name].append(_run(tree)["cpu_ms_per_item"])
    medians = {name: round(statistics.median(v), 4) for name, v in runs.items()}
    figures: dict[str, Any] = {
        "items": ITEMS, "warm_up": WARM_UP, "repetitions": REPETITIONS,
        "trees": {name: str(tree) for name, tree in trees.items()},
        "cpu_ms_per_item": runs, "median_cpu_ms_per_item": medians,
        "target_ratio": TARGET_RATIO}
    print(f"monitoring analysis CPU per item, {ITEMS} items, {REPETITIONS} interleaved runs")
    for name in trees:
        print(f"  {name:6} ({trees[name]}): median {medians[name]:.3f} ms/item, runs "
              f"{', '.join(f'{v:.3f}' for v in runs[name])}")
    if "base" in medians:
        ratio = round(medians["now"] / medians["base"], 3)
        figures["ratio_to_base"] = ratio
        figures["ratios_to_base"] = {name: round(m / medians["base"], 3)
                                     for name, m in medians.items() if name != "base"}
        for name, other in figures["ratios_to_base"].items():
            print(f"  ratio {name}/base: {other}" + (f" (target <= {TARGET_RATIO})"
                                                     if name == "now" else ""))
    print("results:", write_results("monitoring_cpu", figures))
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["--here"]:
        # run as a file from another tree: not this script's folder, but the tree measured
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
        print(json.dumps(measure_here()))
    else:
        main()
