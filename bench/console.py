"""The operators' console in headless Chromium against a local stack with the demo data:

- first screen: from pressing "Đăng nhập" to the campaign overview showing the plans with
  their progress (target <= 1.5 s), cold (a new browser context each time) and warm;
- JavaScript shipped for it: the script bytes the browser actually received from opening
  /console/ to that screen (gzip as served; target <= 300 KB);
- scrolling 1,000 rows of a virtualised list (a plan of 1,000 tasks; pages of 100 load by
  cursor on the way): frame times and long tasks. `bench.console_scroll.measure_scroll` is
  the hook other lists use;
- scrolling the monitoring item feed through 1,000 items the same way
  (`bench.console_items`).

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
from bench.console_items import FEED_ITEMS, push_feed_items
from bench.console_scroll import measure_scroll
from services.runtime.rpc_sync import BlockingRpc
from stack import browser as chromium
from stack.console_testkit import Console, ConsoleStack, create_account, new_console
from stack.demo import load_demo_data
from stack.processes import Platform

RUNS = 5
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


def first_screen(console: Console) -> dict[str, Any]:
    """Seconds from pressing sign-in to the overview with progress, and the script bytes."""
    page = console.page
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    account = console.stack.accounts["officer"]
    console.open()
    page.get_by_role("textbox", name="Tên đăng nhập").fill(account.username)
    page.get_by_label(chromium_password_label()).fill(account.password)
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
    return {"seconds": seconds, "script_bytes": encoded, "scripts": len(scripts)}


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
    print(f"JavaScript for the first screen: {figures['first_screen_js_kb']} KB as served "
          f"(gzip; target <= {TARGETS['first_screen_js_kb']} KB)")
    print(f"scroll 1,000 rows: {figures['scroll_1000_rows']}")
    print(f"scroll the item feed, 1,000 items: {figures['scroll_item_feed_1000_rows']}")
    print(f"-> {path}")


def import_scroll_plan(amqp_uri: str) -> None:
    with BlockingRpc(amqp_uri, timeout=300, client_name="bench-console") as rpc:
        rpc.call("plans", "import_plan", content=scroll_plan_document(), format="yaml",
                 issue=False, actor="bench")


def run_browser(sync_playwright: Any, stack: ConsoleStack, amqp_uri: str) -> dict[str, Any]:
    cold: list[float] = []
    script_bytes: list[int] = []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            for _ in range(RUNS):  # a new context: empty cache, as at a first visit
                for console in new_console(browser, stack, chromium.DESKTOP):
                    measured = first_screen(console)
                    cold.append(measured["seconds"])
                    script_bytes.append(measured["script_bytes"])
            warm: list[float] = []
            for console in new_console(browser, stack, chromium.DESKTOP):
                first_screen(console)
                for _ in range(RUNS):  # same context: assets cached, a new sign-in
                    console.sign_out()
                    warm.append(first_screen(console)["seconds"])
                # After the first-screen runs, so its import does not load the machine then.
                import_scroll_plan(amqp_uri)
                console.page.goto(stack.url + "plans/bench-console-scroll/tasks")
                scroll = measure_scroll(console.page, rows=SCROLL_TASKS)
                push_feed_items(amqp_uri)
                console.page.goto(stack.url + "items")
                feed = measure_scroll(console.page, rows=FEED_ITEMS)
        finally:
            browser.close()

    def summary(samples: list[float]) -> dict[str, float]:
        return {"median": round(statistics.median(samples), 3), "max": round(max(samples), 3),
                "runs": len(samples)}

    return {"targets": TARGETS, "first_screen_cold_s": summary(cold),
            "first_screen_warm_s": summary(warm),
            "first_screen_js_kb": round(max(script_bytes) / 1024, 1),
            "scroll_1000_rows": scroll, "scroll_item_feed_1000_rows": feed}
