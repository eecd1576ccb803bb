"""Scrolling a virtualised list of the console in Chromium, frame by frame, with the long
tasks the browser reports: the hook any screen's list can be measured with (its scrolling
element carries `data-virtual-list`, as `VirtualList` renders it).

On a shared machine a task is long either because the page did 50 ms of work or because the
operating system gave its thread the core for less than that: `measure_scroll_traced` also
records a Chromium trace and reports each main-thread task's own CPU time (thread time) beside
its wall time, which tells the two apart."""

from __future__ import annotations

import json
import os
import statistics
from typing import Any

SCROLL_SCRIPT = """
async ({selector, rows, seconds}) => {
  const list = document.querySelector(selector);
  if (!list) return {error: 'no element ' + selector};
  const longTasks = [];
  const observer = new PerformanceObserver((found) => {
    for (const entry of found.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({type: 'longtask'});
  const frames = [];
  let last = performance.now();
  const started = last;
  let seen = 0;
  const maxIndex = () => Math.max(-1, ...[...list.querySelectorAll('[data-index]')]
      .map((row) => Number(row.dataset.index)));
  while (performance.now() - started < seconds * 1000) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    frames.push(now - last);
    last = now;
    list.scrollTop += Math.max(40, list.clientHeight / 3);
    seen = Math.max(seen, maxIndex() + 1);
    if (seen >= rows) break;
  }
  observer.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 50));
  frames.sort((a, b) => a - b);
  const pick = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))] || 0;
  return {rows_seen: seen, seconds: (performance.now() - started) / 1000,
          frames: frames.length, frame_p50_ms: pick(0.5), frame_p95_ms: pick(0.95),
          frame_max_ms: frames[frames.length - 1] || 0,
          frames_over_50ms: frames.filter((f) => f > 50).length,
          long_tasks: longTasks.length,
          long_task_total_ms: longTasks.reduce((a, b) => a + b, 0),
          long_task_max_ms: Math.max(0, ...longTasks)};
}
"""
# Tasks with their wall and thread (CPU) durations; nothing heavier, so tracing costs little.
TRACE_CATEGORIES = ["disabled-by-default-devtools.timeline"]
LONG_TASK_MS = 50.0


def measure_scroll(page: Any, rows: int = 1000, selector: str = "[data-virtual-list]",
                   seconds: float = 60.0) -> dict[str, Any]:
    """Scroll the list until `rows` rows were drawn (pages load by cursor on the way), one
    step per animation frame; frame times and long tasks (> 50 ms) as the browser saw them."""
    page.locator(selector).wait_for()
    result: dict[str, Any] = page.evaluate(SCROLL_SCRIPT,
                                           {"selector": selector, "rows": rows,
                                            "seconds": seconds})
    if "error" in result:
        raise RuntimeError(result["error"])
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}


def measure_scroll_traced(browser: Any, page: Any, rows: int = 1000) -> dict[str, Any]:
    """`measure_scroll` under a Chromium trace, with the page's main-thread tasks by wall
    time and by their own CPU time."""
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    try:
        measured = measure_scroll(page, rows)
    finally:
        trace = browser.stop_tracing()
    return {**measured, "main_thread": main_thread_tasks(json.loads(trace))}


def main_thread_tasks(trace: dict[str, Any]) -> dict[str, Any]:
    """The busiest renderer main thread's tasks: how many ran over 50 ms of wall time and how
    many over 50 ms of their own CPU time, the longest of each, and the CPU they used."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    renderer_mains = {(e["pid"], e["tid"]) for e in events if e.get("ph") == "M"
                      and e.get("name") == "thread_name"
                      and e.get("args", {}).get("name") == "CrRendererMain"}
    by_thread: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for event in events:
        thread = (event.get("pid"), event.get("tid"))
        if event.get("name") == "RunTask" and event.get("ph") == "X" and thread in renderer_mains:
            by_thread.setdefault(thread, []).append(event)
    tasks = max(by_thread.values(), key=len, default=[])
    wall = [task["dur"] / 1000 for task in tasks]
    cpu = [task.get("tdur", 0) / 1000 for task in tasks]
    return {"tasks": len(tasks),
            "over_50ms_wall": sum(ms > LONG_TASK_MS for ms in wall),
            "over_50ms_cpu": sum(ms > LONG_TASK_MS for ms in cpu),
            "longest_wall_ms": round(max(wall, default=0), 1),
            "longest_cpu_ms": round(max(cpu, default=0), 1),
            "cpu_s": round(sum(cpu) / 1000, 2), "wall_s": round(sum(wall) / 1000, 2)}


def summarise_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several scrolls of the same list: the median and the worst of what matters, every run
    kept, and the machine's load (a 2-core machine shared with other work stretches tasks)."""
    def median_and_worst(key: str) -> dict[str, float]:
        values = [run[key] for run in runs]
        return {"median": round(statistics.median(values), 1), "worst": round(max(values), 1)}

    return {"runs": len(runs),
            **{key: median_and_worst(key) for key in
               ("long_tasks", "long_task_max_ms", "frame_p95_ms", "frame_max_ms",
                "frames_over_50ms")},
            "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
            "each": runs}
