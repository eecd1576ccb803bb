"""The operators' console in headless Chromium against a local stack with the demo data:

- first screen: from pressing "Đăng nhập" to the campaign overview showing the plans with
  their progress (target <= 1.5 s), cold (a new browser context each time) and warm; as
  the test driver sees it (its click and its wait, both through the driver's protocol) and
  by the page's own clock (the click event to the first frame drawn with the progress), the
  latter split into waiting for the API and the rest (script, style, layout, paint);
- JavaScript shipped for it: the script bytes the browser actually received from opening
  /console/ to that screen (gzip as served; target <= 300 KB);
- scrolling 1,000 rows of a virtualised list (a plan of 1,000 tasks; pages of 100 load by
  cursor on the way): frame times and long tasks. `bench.console_scroll.measure_scroll` is
  the hook other lists use;
- scrolling the monitoring item feed through 1,000 items the same way
  (`bench.console_items`), once the events their push caused have passed, FEED_RUNS times
  (median and worst), and once more under a Chromium trace that splits each task's time into
  the page's own CPU work and waiting for a core on this shared machine.

Results: bench/results/console.json.
"""

from __future__ import annotations

import secrets
import statistics
import time
from typing import Any

import httpx
import yaml

from bench.common import isolated_infra, write_results
from bench.console_items import FEED_ITEMS, push_feed_items, wait_until_quiet
from bench.console_scroll import measure_scroll, measure_scroll_traced, summarise_runs
from services.runtime.rpc_sync import BlockingRpc
from stack import browser as chromium
from stack.console_testkit import Console, ConsoleStack, create_account, new_console, token_of
from stack.demo import load_demo_data
from stack.processes import Platform

RUNS = 5
FEED_RUNS = 3
SCROLL_TASKS = 1000
TARGETS = {"first_screen_s": 1.5, "first_screen_js_kb": 300.0}


def scroll_plan_document() -> str:
    """A plan of 1,000 tasks led by the seed units, for the list to scroll."""
    leads = ["bao-gia-lai", "dai-ptth-gia-lai", "pvhtt-pleiku", "pvhtt-an-khe"]
    tasks = [{"id": f"scroll-{i:04d}", "title": f"Nhiệm vụ tuyên truyền số {i}",
              "lead": leads[i % len(leads)], "due": "2021-12-15", "channels": ["press"]}
             for i in range(SCROLL_TASKS)]
    plan = {"id": "bench-console-scroll", "number": "99/KH-BENCH", "issuer": "gl-stttt",
            "place": "Gia Lai", "date": "2021-03-01", "year": 2021,
            "title": "Kế hoạch 1.000 nhiệm vụ (đo cuộn danh sách)", "channels": ["press"],
            "signer": {"name": "Giám đốc", "title": "GIÁM ĐỐC"}}
    return yaml.safe_dump({"format_version": 1, "plan": plan, "tasks": tasks},
                          allow_unicode=True)


# The page's own clock: the click's time, and the first frame drawn after the plan's card
# shows its progress; the API calls in between (resource timing) split it into network waits
# and the rest (script, style, layout, paint).
PAGE_CLOCK = """
(number) => {
  const clock = window.__firstScreen = {};
  document.addEventListener('click', () => { clock.click ??= performance.now(); }, {capture: true});
  const observer = new MutationObserver(() => {
    const card = [...document.querySelectorAll('article')].find((article) =>
        article.textContent.includes(number) && article.textContent.includes('Hoàn thành:'));
    if (!card) return;
    observer.disconnect();
    clock.shown = performance.now();
    requestAnimationFrame(() => setTimeout(() => { clock.painted = performance.now(); }, 0));
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""
PAGE_READING = """
() => {
  const clock = window.__firstScreen;
  const calls = performance.getEntriesByType('resource')
      .filter((e) => e.startTime >= clock.click && e.name.includes('/api/v1/')
                     && !e.name.includes('/events/stream'))
      .map((e) => ({path: new URL(e.name).pathname + new URL(e.name).search,
                    start: e.startTime - clock.click, end: e.responseEnd - clock.click}));
  return {painted: clock.painted - clock.click, shown: clock.shown - clock.click, calls};
}
"""


def page_breakdown(page: Any) -> dict[str, Any]:
    """Milliseconds from the click to the first frame with the overview, and how much of it
    the page spent waiting for the API (the union of its calls' times) or on anything else."""
    page.wait_for_function("() => window.__firstScreen && window.__firstScreen.painted")
    reading = page.evaluate(PAGE_READING)
    waited, reach = 0.0, 0.0
    for call in sorted(reading["calls"], key=lambda c: c["start"]):
        end = min(call["end"], reading["painted"])
        if end > reach:
            waited += end - max(call["start"], reach)
            reach = end
    return {"painted_ms": round(reading["painted"]), "network_wait_ms": round(waited),
            "other_ms": round(reading["painted"] - waited),
            "calls": [f"{c['path']} {c['start']:.0f}-{c['end']:.0f} ms"
                      for c in reading["calls"]]}


def first_screen(console: Console) -> dict[str, Any]:
    """Seconds from pressing sign-in to the overview with progress (as the test driver sees
    it, and by the page's own clock with its breakdown), and the script bytes."""
    page = console.page
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    account = console.stack.accounts["officer"]
    console.open()
    page.get_by_role("textbox", name="Tên đăng nhập").fill(account.username)
    page.get_by_label(chromium_password_label()).fill(account.password)
    page.evaluate(PAGE_CLOCK, console.stack.plan["number"])
    started = time.perf_counter()
    page.get_by_role("button", name="Đăng nhập").click()
    try:
        page.get_by_role("article", name=console.stack.plan["number"]).get_by_text(
            "Hoàn thành:", exact=False).first.wait_for()
    except Exception:
        chromium.screenshot(page, "bench-failure")
        raise
    seconds = time.perf_counter() - started
    scripts = [r for r in finished if r.resource_type == "script"]
    encoded = sum(r.sizes()["responseBodySize"] for r in scripts)
    return {"seconds": seconds, "script_bytes": encoded, "scripts": len(scripts),
            "in_page": page_breakdown(page)}


def chromium_password_label() -> Any:
    from stack.console_testkit import PASSWORD_LABEL

    return PASSWORD_LABEL


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium.ensure_console_built()
    admin_password = secrets.token_urlsafe(18)
    with isolated_infra() as env:
        env = {**env, "AUTH_JWT_SECRET": secrets.token_urlsafe(48),
               "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": admin_password,
               "ACK_LINK_SECRET": secrets.token_urlsafe(32)}
        platform = Platform.configure(env, echo=False)
        platform.start()
        try:
            platform.wait_ready(90)
            plan = load_demo_data(env["AMQP_URI"])
            token = httpx.post(f"{platform.gateway_url}/api/v1/auth/token",
                               json={"username": "admin", "password": admin_password},
                               timeout=30).json()["access_token"]
            with httpx.Client(base_url=platform.gateway_url, timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as api:
                officer = create_account(api, "officer", None, "Cán bộ đo hiệu năng")
            stack = ConsoleStack(platform.gateway_url, plan, {"officer": officer})
            figures = run_browser(sync_playwright, stack, env["AMQP_URI"])
        finally:
            platform.stop()
    path = write_results("console", figures)
    print(f"first screen after sign-in: cold median {figures['first_screen_cold_s']['median']} s"
          f" (target <= {TARGETS['first_screen_s']} s), warm median "
          f"{figures['first_screen_warm_s']['median']} s")
    for kind in ("cold", "warm"):
        measured = figures[f"first_screen_in_page_{kind}"]
        print(f"  {kind}, by the page's clock (click to the first frame drawn): median "
              f"{measured['painted_s']['median']} s; waiting for the API "
              f"{measured['network_wait_ms_median']} ms, the rest {measured['other_ms_median']} ms")
    print(f"JavaScript for the first screen: {figures['first_screen_js_kb']} KB as served "
          f"(gzip; target <= {TARGETS['first_screen_js_kb']} KB)")
    print(f"scroll 1,000 rows: {figures['scroll_1000_rows']}")
    feed = figures["scroll_item_feed_1000_rows"]
    print(f"scroll the item feed, 1,000 items, {feed['runs']} runs (load average "
          f"{feed['load_average_1m']} on {feed['cpus']} CPUs): long tasks {feed['long_tasks']}, "
          f"frame p95 {feed['frame_p95_ms']} ms, frame max {feed['frame_max_ms']} ms; traced: "
          f"{feed['traced_run']['main_thread']}")
    print(f"-> {path}")


def import_scroll_plan(amqp_uri: str) -> None:
    with BlockingRpc(amqp_uri, timeout=300, client_name="bench-console") as rpc:
        rpc.call("plans", "import_plan", content=scroll_plan_document(), format="yaml",
                 issue=False, actor="bench")


def scroll_item_feed(browser: Any, console: Console, amqp_uri: str) -> dict[str, Any]:
    """The item feed scrolled through FEED_ITEMS pushed items, after their events passed."""
    stack = console.stack
    pushed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    push_feed_items(amqp_uri)
    events = wait_until_quiet(stack.gateway_url, token_of(stack, stack.accounts["officer"]),
                              pushed_at)
    runs = []
    for _ in range(FEED_RUNS):
        console.page.goto(stack.url + "items")
        runs.append(measure_scroll(console.page, rows=FEED_ITEMS))
    console.page.goto(stack.url + "items")
    console.page.locator("[data-virtual-list] [data-index]").first.wait_for()
    traced = measure_scroll_traced(browser, console.page, rows=FEED_ITEMS)
    return {**summarise_runs(runs), "events_after_push": events, "traced_run": traced}


def run_browser(sync_playwright: Any, stack: ConsoleStack, amqp_uri: str) -> dict[str, Any]:
    cold: list[float] = []
    cold_page: list[dict[str, Any]] = []
    warm_page: list[dict[str, Any]] = []
    script_bytes: list[int] = []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            for _ in range(RUNS):  # a new context: empty cache, as at a first visit
                for console in new_console(browser, stack, chromium.DESKTOP):
                    measured = first_screen(console)
                    cold.append(measured["seconds"])
                    cold_page.append(measured["in_page"])
                    script_bytes.append(measured["script_bytes"])
            warm: list[float] = []
            for console in new_console(browser, stack, chromium.DESKTOP):
                first_screen(console)
                for _ in range(RUNS):  # same context: assets cached, a new sign-in
                    console.sign_out()
                    measured = first_screen(console)
                    warm.append(measured["seconds"])
                    warm_page.append(measured["in_page"])
                # After the first-screen runs, so its import does not load the machine then.
                import_scroll_plan(amqp_uri)
                console.page.goto(stack.url + "plans/bench-console-scroll/tasks")
                scroll = measure_scroll(console.page, rows=SCROLL_TASKS)
                feed = scroll_item_feed(browser, console, amqp_uri)
        finally:
            browser.close()

    def summary(samples: list[float]) -> dict[str, float]:
        return {"median": round(statistics.median(samples), 3), "max": round(max(samples), 3),
                "runs": len(samples)}

    def in_page(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {"painted_s": summary([r["painted_ms"] / 1000 for r in runs]),
                "network_wait_ms_median": statistics.median(r["network_wait_ms"] for r in runs),
                "other_ms_median": statistics.median(r["other_ms"] for r in runs),
                "runs": runs}

    return {"targets": TARGETS, "first_screen_cold_s": summary(cold),
            "first_screen_warm_s": summary(warm),
            "first_screen_in_page_cold": in_page(cold_page),
            "first_screen_in_page_warm": in_page(warm_page),
            "first_screen_js_kb": round(max(script_bytes) / 1024, 1),
            "scroll_1000_rows": scroll, "scroll_item_feed_1000_rows": feed}
