"""The monitoring feed for the console benchmark: 1,000 distinct items pushed through the
monitoring service (so none folds into another as a near-copy), for `measure_scroll` to
scroll on the officer's item feed (pages of 100 loaded by cursor on the way)."""

from __future__ import annotations

import random

from services.runtime.rpc_sync import BlockingRpc

FEED_ITEMS = 1000
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
            "outlet_unit_id": "bao-gia-lai"})
    return items


def push_feed_items(amqp_uri: str, count: int = FEED_ITEMS) -> None:
    items = feed_items(count)
    with BlockingRpc(amqp_uri, timeout=300, client_name="bench-console") as rpc:
        for start in range(0, len(items), BATCH):
            rpc.call("monitoring", "push_items", items=items[start:start + BATCH])
