"""`make bench-docs`: the current table of docs/benchmarks.md and its plots of the same-run
ratios, from whatever bench/results/*.json holds. A benchmark not run, or a file cut short,
is said to be so: a figure that is not in a results file is never written."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
PLOTS = ROOT / "docs" / "benchmarks"
BEGIN = "<!-- bench/report.py: begin -->"
END = "<!-- bench/report.py: end -->"
# What each kind of ratio means, and its plot's file name.
KINDS = {
    "throughput": ("ours / same-run baseline, throughput (higher is better)",
                   "throughput-ratios.png"),
    "time": ("ours / same-run pure domain code, time (lower is better)", "time-ratios.png"),
}


@dataclass(frozen=True)
class Row:
    benchmark: str
    measure: str
    figure: str
    baseline: str = "-"
    ratio: float | None = None
    kind: str | None = None  # a key of KINDS when there is a ratio
    target: str = "-"


def dig(data: Any, *keys: str) -> Any:
    """`data[k1][k2]...`, or None where a partial file stops."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def met(flag: Any) -> str:
    return "" if flag is None else (": **met**" if flag else ": **missed**")


def rpc_roundtrip(data: dict[str, Any]) -> list[Row]:
    rows = []
    for key, row in sorted((dig(data, "results") or {}).items()):
        ours, raw = dig(row, "nameko_rpc", "calls_per_s"), dig(row, "raw_amqp", "calls_per_s")
        if ours is None or raw is None:
            continue
        rows.append(Row("rpc_roundtrip", f"nameko RPC `plans.ops_ping`, {key[10:]} in flight",
                        f"{ours} calls/s, p99 {dig(row, 'nameko_rpc', 'p99_ms')} ms",
                        f"raw AMQP echo {raw} calls/s", round(ours / raw, 3), "throughput"))
    return rows


def gateway(data: dict[str, Any]) -> list[Row]:
    rows = []
    closed, raw = dig(data, "closed_loop", "calls_per_s"), \
        dig(data, "raw_amqp_echo", "in_flight_32", "calls_per_s")
    if closed is not None:
        connections = dig(data, "closed_loop", "connections")
        rows.append(Row(
            "gateway", f"`GET /units/{{id}}`, closed loop, {connections} connections",
            f"{closed} req/s, p99 {dig(data, 'closed_loop', 'p99_ms')} ms",
            "-" if raw is None else f"raw AMQP echo, 32 in flight: {raw} calls/s",
            None if raw is None else round(closed / raw, 3), None if raw is None else "throughput",
            f"1,000 req/s{met(dig(data, 'met', 'throughput'))}"))
    achieved = dig(data, "open_loop", "calls_per_s")
    if achieved is not None:
        rows.append(Row(
            "gateway", f"same, open loop at {dig(data, 'open_loop', 'rate_per_s')} req/s",
            f"achieved {achieved} req/s, p99 {dig(data, 'open_loop', 'p99_ms')} ms",
            target=f"p99 25 ms{met(dig(data, 'met', 'p99_at_500'))}"))
    return rows


def monitoring(data: dict[str, Any]) -> list[Row]:
    rows = []
    ours, pure = dig(data, "end_to_end", "items_per_s"), dig(data, "pure_items_per_s_mean")
    ratio = dig(data, "ratio_end_to_end_to_pure")
    if ours is not None:
        targets = dig(data, "targets") or {}
        wanted = [f"{targets['items_per_s']:,} items/s{met(ours >= targets['items_per_s'])}"
                  ] if "items_per_s" in targets else []
        if "ratio" in targets:
            wanted.append(f"ratio {targets['ratio']}"
                          + ("" if ratio is None else met(ratio >= targets["ratio"])))
        items = dig(data, "items")
        rows.append(Row(
            "monitoring", f"{items:,} items ingested end to end" if isinstance(items, int)
            else "items ingested end to end",
            f"{ours} items/s; service CPU {dig(data, 'end_to_end', 'service_cpu_ms_per_item')} "
            "ms per item", "-" if pure is None else f"pure pipeline {pure} items/s (mean of "
            "before and after)", ratio, None if ratio is None else "throughput",
            "; ".join(wanted) or "-"))
    dedup = dig(data, "pure", "dedup_bytes_per_item")
    if dedup is not None:
        rows.append(Row("monitoring", "dedup index memory", f"{dedup} bytes per item",
                        f"estimate {dig(data, 'pure', 'dedup_bytes_per_item_estimate')}"))
    return rows


def plans(data: dict[str, Any]) -> list[Row]:
    rows = []
    targets = dig(data, "targets") or {}
    for part, measure, ours, pure, unit, target in (
            ("import", "import of a plan", "end_to_end_s", "pure_domain_s", "s", "import_s"),
            ("summary", "progress summary, p50", "end_to_end_p50_ms", "pure_domain_ms", "ms",
             "summary_ms"),
            ("scan", "deadline scan, steady tick", "steady_tick_s", "pure_domain_s", "s",
             "scan_s")):
        figure, baseline = dig(data, part, ours), dig(data, part, pure)
        if figure is None:
            continue
        ratio = dig(data, part, "ratio")
        shown = f"{figure} {unit}"
        if part == "scan" and dig(data, part, "first_tick_s") is not None:
            shown += (f"; first tick {dig(data, part, 'first_tick_s')} s, next day "
                      f"{dig(data, part, 'next_day_tick_s')} s")
        limit = f"{targets[target]} {unit}" if target in targets else "target"
        rows.append(Row("plans", measure, shown,
                        "-" if baseline is None else f"pure domain {baseline} {unit}",
                        ratio, None if ratio is None else "time",
                        limit + (" (every tick)" if part == "scan" else "")
                        + met(dig(data, part, "meets_target"))))
    return rows


def notifications(data: dict[str, Any]) -> list[Row]:
    rows = []
    seconds = dig(data, "directive_500", "seconds_to_all_delivered")
    raw = max(((name, dig(row, "seconds")) for name, row in
               (dig(data, "baseline_raw_signed_posts") or {}).items()
               if name.startswith("concurrent")), default=(None, None), key=lambda r: r[0])
    if seconds is not None:
        rows.append(Row(
            "notifications", "`plan.issued` -> 500 webhook recipients delivered", f"{seconds} s",
            "-" if raw[1] is None else f"500 raw signed POSTs ({raw[0]}) {raw[1]} s",
            None if raw[1] is None else round(seconds / raw[1], 2),
            None if raw[1] is None else "time", f"3 s{met(dig(data, 'directive_500', 'met'))}"))
    drained = dig(data, "queued_5000", "deliveries_per_s")
    if drained is not None:
        rows.append(Row("notifications", "5,000 queued deliveries drained",
                        f"{drained} deliveries/s; RSS peak "
                        f"{dig(data, 'queued_5000', 'rss_peak_mib')} MiB"))
    return rows


def console(data: dict[str, Any]) -> list[Row]:
    rows = []
    cold = dig(data, "first_screen_cold_s", "median")
    if cold is not None:
        rows.append(Row("console", "first screen after sign-in, cold, median", f"{cold} s",
                        target=f"{dig(data, 'targets', 'first_screen_s')} s"))
    script = dig(data, "first_screen_js_kb")
    if script is not None:
        rows.append(Row("console", "JavaScript of the first screen (gzip)", f"{script} KB",
                        target=f"{dig(data, 'targets', 'first_screen_js_kb')} KB"))
    return rows


def monitoring_eval(data: dict[str, Any]) -> list[Row]:
    rows = []
    for key, name in (("topics_micro", "own labelled set"), ("holdout", "hold-out"),
                      *((f"blind{n}", f"blind set {n or 1}") for n in ("", 2, 3, 4, 5))):
        part = dig(data, key)
        f1 = dig(part, "f1") if key == "topics_micro" else dig(part, "topics_micro", "f1")
        if f1 is not None:
            rows.append(Row("monitoring_eval", f"classifier topics micro-F1, {name}", str(f1)))
    return rows


def monitoring_cpu(data: dict[str, Any]) -> list[Row]:
    now = dig(data, "median_cpu_ms_per_item", "now")
    if now is None:
        return []
    base, ratio = dig(data, "median_cpu_ms_per_item", "base"), dig(data, "ratio_to_base")
    target = dig(data, "target_ratio")
    return [Row(
        "monitoring_cpu", f"analysis CPU per item, {dig(data, 'items')} items (median of "
        f"{dig(data, 'repetitions')} runs)", f"{now} ms",
        "-" if base is None else f"the code before issue 20: {base} ms", ratio, None,
        "-" if target is None else f"ratio <= {target}"
        + ("" if ratio is None else met(ratio <= target)))]


READERS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "rpc_roundtrip": rpc_roundtrip, "notifications": notifications, "plans": plans,
    "gateway": gateway, "monitoring": monitoring, "monitoring_cpu": monitoring_cpu,
    "monitoring_eval": monitoring_eval, "console": console}


def read_results(results: Path) -> tuple[list[Row], dict[str, str], list[str]]:
    """The rows found, each benchmark's time of measure (or why it has none), and notes."""
    rows: list[Row] = []
    when: dict[str, str] = {}
    notes: list[str] = []
    for name, reader in READERS.items():
        path = results / f"{name}.json"
        if not path.is_file():
            notes.append(f"`{name}`: no results here (`.venv/bin/python -m bench {name}`)")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            notes.append(f"`{name}`: `{path.name}` unreadable ({type(error).__name__})")
            continue
        found = reader(data) if isinstance(data, dict) else []
        if not found:
            notes.append(f"`{name}`: `{path.name}` holds none of the figures this report reads")
        rows += found
        stamp = data.get("at") if isinstance(data, dict) else None
        when[name] = stamp or _modified(path)
    return rows, when, notes


def _modified(path: Path) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ (file time)", time.gmtime(path.stat().st_mtime))


def table(rows: list[Row], when: dict[str, str]) -> list[str]:
    lines = ["| benchmark | measure | figure | baseline in the same run | ratio | target | "
             "measured |", "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.benchmark} | {r.measure} | {r.figure} | {r.baseline} | "
              f"{'-' if r.ratio is None else r.ratio} | {r.target} | {when[r.benchmark]} |"
              for r in rows]
    return lines


def plot(rows: list[Row], kind: str, path: Path) -> bool:
    """A bar per ratio of this kind; False (and no file) when there is none."""
    chosen = [r for r in rows if r.kind == kind and r.ratio is not None]
    if not chosen:
        path.unlink(missing_ok=True)
        return False
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    title, _ = KINDS[kind]
    figure, axes = plt.subplots(figsize=(8, 0.5 * len(chosen) + 1.2))
    labels = [f"{r.benchmark}: {r.measure}".replace("`", "") for r in chosen]
    values = [float(r.ratio) for r in chosen if r.ratio is not None]
    axes.barh(labels, values, color="#2b6cb0")
    axes.axvline(1.0, color="#444444", linewidth=0.8)
    for y, value in enumerate(values):
        axes.text(value, y, f" {value:g}", va="center", fontsize=8)
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)
    return True


def render(results: Path, plots: Path, doc: Path) -> str:
    rows, when, notes = read_results(results)
    lines = [BEGIN, "", "## Current figures", "",
             "Generated by `make bench-docs` from `bench/results/*.json`; each row says when its "
             "benchmark ran (machine: see each file's `machine`)."]
    if rows:
        lines += ["", *table(rows, when)]
    else:
        lines += ["", "No results to show: no benchmark has run on this machine."]
    for kind, (title, name) in KINDS.items():
        if plot(rows, kind, plots / name):
            link = os.path.relpath(plots / name, doc.parent)
            lines += ["", f"![{title}]({link})"]
    if notes:
        lines += ["", "Not in this table:", "", *(f"- {note}" for note in notes)]
    if any(r.benchmark == "monitoring_eval" for r in rows):
        lines += ["", "The classifier's blind sets 1-4 each taught the term lists after their "
                  "first look (first-look figures: `services/monitoring/data/README.md`); set 5 "
                  "was never tuned on."]
    return "\n".join([*lines, "", END])


def update(results: Path = RESULTS, plots: Path = PLOTS, doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{doc}: the markers {BEGIN} ... {END} are missing")
    doc.write_text(text[:start] + render(results, plots, doc) + text[end + len(END):],
                   encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--plots", type=Path, default=PLOTS)
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    update(args.results, args.plots, args.doc)
    print(f"written {args.doc}")


if __name__ == "__main__":
    main()
