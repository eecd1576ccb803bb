"""Scrolling a virtualised list of the console in Chromium, frame by frame, with the long
tasks the browser reports: the hook any screen's list can be measured with (its scrolling
element carries `data-virtual-list`, as `VirtualList` renders it)."""

from __future__ import annotations

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
