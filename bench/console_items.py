"""The monitoring feed for the console benchmark: 1,000 distinct items pushed through the
monitoring service (so none folds into another as a near-copy), for `measure_scroll` to
scroll on the officer's item feed (pages of 100 loaded by cursor on the way).

Pushing them starts a wave of events (items classified, coverage matched, alerts raised, then
the plans' KPIs moving) that the console receives live; `wait_until_quiet` lets it pass before
the feed is measured, so the scroll measures the feed and not the stream."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx

from services.runtime.rpc_sync import BlockingRpc

FEED_ITEMS = 1000
# Not an outlet that leads the task-list benchmark's 1,000 tasks: with Báo Gia Lai (250 of
# them), every pushed item counted for each of its tasks, and the 50,000 coverage events
# that followed kept the 2 cores busy for minutes while the feed was scrolled.
FEED_OUTLET = "nhandan-tt-gl"
BATCH = 500  # the service's largest push
WORDS = ("ma túy", "tín dụng đen", "mua bán người", "lừa đảo qua mạng", "cờ bạc", "trộm cắp",
         "Pleiku", "An Khê", "Chư Păh", "Ia Grai", "Đak Đoa", "Kbang", "công an", "xã",
         "thanh niên", "tuyên truyền", "phòng ngừa", "bắt giữ", "điều tra", "tòa án", "nông dân",
         "cà phê", "hồ tiêu", "biên giới", "lễ hội", "trường học", "bệnh viện", "giao thông")


def feed_items(count: int = FEED_ITEMS, seed: int = 7) -> list[dict[str, str]]:
    """Items of varied words (a fixed seed: every run scrolls the same feed)."""
    rng = random.Random(seed)
    items = []
    for index in range(count):
        words = rng.sample(WORDS, 12)
        items.append({
            "title": f"Bản tin số {index}: {' '.join(words[:5])}",
            "body": f"Tin số {index}. " + ". ".join(" ".join(rng.sample(WORDS, 6))
                                                    for _ in range(4)) + ".",
            "url": f"https://bench.example.org/ban-tin/{seed}-{index}.html",
            "published_at": f"2021-03-{1 + index % 28:02d}T08:{index % 60:02d}:00+07:00",
            "outlet_unit_id": FEED_OUTLET})
    return items


def push_feed_items(amqp_uri: str, count: int = FEED_ITEMS) -> None:
    items = feed_items(count)
    with BlockingRpc(amqp_uri, timeout=300, client_name="bench-console") as rpc:
        for start in range(0, len(items), BATCH):
            rpc.call("monitoring", "push_items", items=items[start:start + BATCH])


# What the feed's screen refreshes on; the plans' KPI events that follow coverage trickle on
# for minutes on a loaded machine and refresh nothing on it.
FEED_EVENTS = ("monitoring.item_classified", "monitoring.coverage_matched",
               "monitoring.alert_raised")


def wait_until_quiet(gateway_url: str, token: str, since: str,
                     quiet_s: float = 5.0, timeout_s: float = 240.0) -> dict[str, Any]:
    """Follows the event log's monitoring events from `since` (ISO time) until none was logged
    for `quiet_s`, at most `timeout_s`: how many the push caused, how long they took, whether
    they stopped. Reads only what is new at each look (its cursor is the log's sequence).
    One token for the whole wait: signing in at every look ran into the login rate limit."""
    started = time.monotonic()
    cursor: str | None = None
    seen = last_page = 0
    previous_total = -1
    last_change = started
    with httpx.Client(base_url=gateway_url, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as api:
        while True:
            page_cursor = cursor
            counted = seen
            while True:
                params: dict[str, Any] = {"since": since, "limit": 200,
                                          "type": list(FEED_EVENTS)}
                if page_cursor:
                    params["cursor"] = page_cursor
                reply = api.get("/api/v1/events", params=params)
                reply.raise_for_status()
                page = reply.json()
                if not page["next_cursor"]:  # the last page: read it again next time
                    cursor, seen, last_page = page_cursor, counted, len(page["items"])
                    break
                counted += len(page["items"])
                page_cursor = page["next_cursor"]
            now = time.monotonic()
            total = seen + last_page
            if total != previous_total:
                previous_total, last_change = total, now
            if now - last_change >= quiet_s or now - started >= timeout_s:
                return {"events": total, "waited_s": round(now - started, 1),
                        "quiet": now - last_change >= quiet_s}
            time.sleep(1.0)
