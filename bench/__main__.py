"""`make bench`: every benchmark, each printing its figures and writing bench/results/*.json."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["bench.rpc_roundtrip", "bench.notifications", "bench.plans", "bench.gateway",
              "bench.monitoring", "bench.monitoring_cpu", "bench.monitoring_eval",
              "bench.console"]


def main() -> int:
    chosen = sys.argv[1:] or BENCHMARKS
    for name in chosen:
        print(f"\n=== {name}", flush=True)
        importlib.import_module(name if name.startswith("bench.") else f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
