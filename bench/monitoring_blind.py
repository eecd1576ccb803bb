"""Score a labelled set through the public API, the way an outside checker does: start the
platform on a private vhost and database, push the set's items with `POST /items/batch`, read
each back with `GET /items/{id}` and compare with the labels.

    .venv/bin/python -m bench.monitoring_blind FILE.jsonl [FILE.jsonl ...]

Each line: `id`, `title`, `body`, `url`, `published`, `topics`, `harmful`, optional
`channel` (press, portal, social), `gia_lai` (a place of Gia Lai is mentioned; when absent,
`"gia_lai" in places`), `dup_of` (the id of the original this is a copy of) and `story` (one
id per story: items sharing it should share a `cluster_id`, others must not). Items are
pushed in `published` order, so an origin arrives before its copies and retellings. Writes
`bench/results/monitoring_blind.json`.
"""

from __future__ import annotations

import itertools
import json
import secrets
import sys
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from bench.common import isolated_infra, write_results
from bench.monitoring_eval import prf
from stack.processes import Platform


def load(paths: list[Path]) -> list[dict[str, Any]]:
    rows = [json.loads(line) for path in paths
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(rows, key=lambda r: r.get("published") or "")


def pushed(row: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """The item as a connector pushes it; `channel` only once the API takes it."""
    item = {"title": row.get("title", ""), "body": row.get("body", ""), "url": row.get("url"),
            "guid": row.get("guid"), "published_at": row.get("published")}
    if "channel" in fields and row.get("channel"):
        item["channel"] = row["channel"]
    return item


def harmful_flag(item: dict[str, Any]) -> bool:
    """The item's verdict as the API states it (its score against the threshold in force)."""
    return bool(item["harmful"]["flag"])


def assigned_topics(item: dict[str, Any]) -> set[str]:
    """Topics the item is given; candidates below their threshold are not."""
    return {hit["topic"] for hit in item.get("topics", [])
            if hit.get("assigned", True) is not False}


@cache
def gazetteer() -> Any:
    from services.monitoring.domain import DATA_DIR
    from services.monitoring.domain.places import Gazetteer
    from services.monitoring.domain.places_data import load_places

    return Gazetteer.from_data(load_places(DATA_DIR / "places.yaml"))


def in_gia_lai(row: dict[str, Any]) -> bool:
    """For sets labelled with mentioned place ids: is one of them in Gia Lai on the day?"""
    day = date.fromisoformat(row["published"][:10]) if row.get("published") else None
    return any(p == "gia_lai" or "gia_lai" in gazetteer().ancestors(p, day)
               for p in row.get("places", []))


def tally(tp_fp_fn: list[int], want: bool, got: bool) -> None:
    if want or got:
        tp_fp_fn[0 if want and got else 1 if got else 2] += 1


def score(rows: list[dict[str, Any]], items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    topics: dict[str, list[int]] = {}
    harmful = [0, 0, 0]
    gia_lai = [0, 0, 0]
    misses: list[dict[str, Any]] = []
    for row in rows:
        item = items.get(row["id"])
        if item is None:
            continue
        channel = row.get("channel") or "press"
        want, got = set(row.get("topics", [])), assigned_topics(item)
        for key in ("all", channel):
            tp_fp_fn = topics.setdefault(key, [0, 0, 0])
            tp_fp_fn[0] += len(want & got)
            tp_fp_fn[1] += len(got - want)
            tp_fp_fn[2] += len(want - got)
        h_want, h_got = bool(row.get("harmful")), harmful_flag(item)
        tally(harmful, h_want, h_got)
        g_want = row["gia_lai"] if "gia_lai" in row else in_gia_lai(row)
        g_got = "gia_lai" in item.get("place_ids", [])
        tally(gia_lai, g_want, g_got)
        if want != got or h_want != h_got or g_want != g_got:
            misses.append({"id": row["id"], "channel": channel,
                           "topics": {"want": sorted(want), "got": sorted(got)},
                           "harmful": {"want": h_want, "got": h_got,
                                       "item": item.get("harmful", item.get("harmful_score"))},
                           "gia_lai": {"want": g_want, "got": g_got}})
    return {"topics": {key: prf(*v) for key, v in sorted(topics.items())},
            "harmful": prf(*harmful), "gia_lai": prf(*gia_lai), "misses": misses}


def links(rows: list[dict[str, Any]], items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Copies pointing at their original, and story pairs sharing (or not) a cluster."""
    copies = [r for r in rows if r.get("dup_of")]
    copies_found = sum(1 for r in copies if r["id"] in items
                       and items[r["id"]].get("duplicate_of") == items.get(
                           r["dup_of"], {}).get("id"))
    false_copies = sum(1 for r in rows if not r.get("dup_of") and r["id"] in items
                       and items[r["id"]].get("duplicate_of"))
    storied = [r for r in rows if r.get("story") and r["id"] in items]
    same = linked = apart = wrongly = 0
    for a, b in itertools.combinations(storied, 2):
        together = items[a["id"]].get("cluster_id") == items[b["id"]].get("cluster_id")
        if a["story"] == b["story"]:
            same += 1
            linked += together
        else:
            apart += 1
            wrongly += together
    return {"copies": len(copies), "copies_found": copies_found, "false_copies": false_copies,
            "story_pairs": same, "story_pairs_linked": linked,
            "story_link_recall": round(linked / same, 4) if same else None,
            "other_pairs": apart, "false_story_links": wrongly}


def run(paths: list[Path]) -> dict[str, Any]:
    rows = load(paths)
    password = secrets.token_urlsafe(16)
    with isolated_infra() as env:
        env = {**env, "AUTH_JWT_SECRET": secrets.token_urlsafe(48),
               "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": password,
               "RATE_LIMIT_PER_MINUTE": "100000000"}
        platform = Platform.configure(env, echo=False)
        platform.start()
        try:
            platform.wait_ready(120)
            url = platform.gateway_url
            token = httpx.post(f"{url}/api/v1/auth/token",
                               json={"username": "admin", "password": password},
                               timeout=30).json()["access_token"]
            with httpx.Client(base_url=url, timeout=60,
                              headers={"Authorization": f"Bearer {token}"}) as api:
                schema = api.get("/openapi.json").json()["components"]["schemas"]
                fields = set(schema.get("PushedItem", {}).get("properties", {}))
                ids: dict[str, str] = {}
                for start in range(0, len(rows), 100):
                    chunk = rows[start:start + 100]
                    answer = api.post("/api/v1/items/batch", json={
                        "items": [pushed(r, fields) for r in chunk]})
                    answer.raise_for_status()
                    for row, result in zip(chunk, answer.json()["results"], strict=True):
                        if result.get("item_id"):
                            ids[row["id"]] = result["item_id"]
                items = {}
                for label_id, item_id in ids.items():
                    reply = api.get(f"/api/v1/items/{item_id}")
                    reply.raise_for_status()
                    items[label_id] = reply.json()
        finally:
            platform.stop()
    figures = {"files": [p.name for p in paths], "items": len(rows), "read_back": len(items),
               "outcomes": dict(Counter("stored" if r["id"] in items else "not stored"
                                        for r in rows)),
               **score(rows, items), "links": links(rows, items)}
    return figures


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    figures = run([Path(a) for a in argv])
    for key, row in figures["topics"].items():
        print(f"topics {key:8s} P {row['precision']:.3f} R {row['recall']:.3f} "
              f"F1 {row['f1']:.3f}")
    for key in ("harmful", "gia_lai"):
        row = figures[key]
        print(f"{key:14s} P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f}")
    print("links", json.dumps(figures["links"]))
    print("results:", write_results("monitoring_blind", figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
