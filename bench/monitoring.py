"""Monitoring ingestion: 20,000 items through normalise -> dedup -> classify -> persist ->
emit, end to end (RPC `push_items` batches to the real monitoring process, the database, the
outbox relay, the broker, until every `monitoring.item_classified` is in a consumer's queue),
next to the same pipeline's pure functions in this process (no bus, no database).
Also: the dedup index's memory per item as it grows.

BENCH_MONITORING_IN_FLIGHT (default 1) pushes that many batches at once, as several
connectors would."""

from __future__ import annotations

import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kombu import Connection, Exchange, Queue

from bench.common import broker_pid, isolated_infra, process_cpu_seconds, write_results
from services.monitoring.domain import DATA_DIR, DedupIndex, Item, Pipeline, estimate_bytes_per_item
from stack.processes import Platform

ITEMS = int(os.environ.get("BENCH_MONITORING_ITEMS", "20000"))
BATCH = 500
NEAR_COPIES = 0.10  # share of items that republish an earlier one with small edits
SEED = 20210225


def corpus(n: int) -> list[dict[str, Any]]:
    """Distinct Vietnamese items built from the sentences of the evaluation set, plus some
    near-copies (another outlet republishing a story) and their ids/URLs."""
    rows = [json.loads(line) for line in
            (Path(DATA_DIR) / "eval" / "items.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    sentences = sorted({s.strip() for r in rows for s in r["body"].split(".") if len(s) > 30})
    titles = [r["title"] for r in rows]
    rng = random.Random(SEED)
    items: list[dict[str, Any]] = []
    for i in range(n):
        if items and rng.random() < NEAR_COPIES:
            base = rng.choice(items[-2000:])
            body = base["body"].replace(". ", f". Theo phóng viên {i % 97}, ", 1)
            items.append({"title": base["title"], "body": body,
                          "url": f"https://outlet{i % 13}.example/copy/{i}.html"})
            continue
        picked = rng.sample(sentences, rng.randint(5, 9))
        body = ". ".join(picked) + f". Mã tin {i}."
        items.append({"title": rng.choice(titles), "body": body,
                      "url": f"https://outlet{i % 13}.example/bai/{i}.html",
                      "outlet_unit_id": f"outlet-{i % 13}"})
    return items


def pure(items: list[dict[str, Any]], growth: bool = True) -> dict[str, Any]:
    pipeline = Pipeline.from_directory(dedup=DedupIndex(window_seconds=None))
    started = time.perf_counter()
    cpu_started = time.process_time()
    now = time.time()
    for n, it in enumerate(items):
        pipeline.analyse(Item(f"it-{n}", it["title"], it["body"], url=it["url"], seen_at=now))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    index = pipeline.dedup
    return {"items": len(items), "seconds": round(elapsed, 3),
            "items_per_s": round(len(items) / elapsed, 1),
            "cpu_ms_per_item": round(cpu * 1000 / len(items), 3),
            "dedup_items": len(index),
            "dedup_bytes_per_item": round(index.memory_bytes() / max(1, len(index))),
            "dedup_bytes_per_item_estimate": estimate_bytes_per_item(),
            "dedup_growth": dedup_growth(items) if growth else None}


def dedup_growth(items: list[dict[str, Any]]) -> list[dict[str, int]]:
    """Bytes per item of the index at several sizes (bounded: it stays flat as it grows)."""
    from services.monitoring.domain.text import normalise

    index = DedupIndex(window_seconds=None)
    out = []
    marks = {len(items) // 4, len(items) // 2, len(items)}
    for n, it in enumerate(items, 1):
        tokens = normalise(it["body"]).tokens
        index.add(f"it-{n}", tokens, url=it["url"])
        if n in marks:
            out.append({"items": n, "bytes_per_item": round(index.memory_bytes() / len(index))})
    return out


def end_to_end(env: dict[str, str], items: list[dict[str, Any]],
               in_flight: int = 1) -> dict[str, Any]:
    from services.runtime.rpc_sync import BlockingRpc

    platform = Platform.configure(env, echo=False)
    platform.start(("monitoring",))
    try:
        with BlockingRpc(env["AMQP_URI"], timeout=120, client_name="bench") as rpc, \
                Connection(env["AMQP_URI"]) as conn:
            _wait(lambda: rpc.call("monitoring", "ops_ping", timeout=2))
            queue = Queue("bench-monitoring-classified",
                          exchange=Exchange("monitoring.events", type="topic", durable=True),
                          routing_key="monitoring.item_classified", durable=False)
            queue(conn.default_channel).declare()
            rpc.call("monitoring", "push_items", items=[{"title": "khởi động",
                                                          "body": "làm nóng bộ nhớ đệm"}])
            _wait_count(queue, conn, 1, 60)
            queue(conn.default_channel).purge()
            stored = duplicates = 0
            service = platform.processes["monitoring"].process
            service_cpu = process_cpu_seconds(service.pid if service else None)
            database_pid = int(env["DATABASE_PID"]) if "DATABASE_PID" in env else None
            database_cpu = process_cpu_seconds(database_pid)
            broker = broker_pid()
            broker_cpu = process_cpu_seconds(broker)
            client_cpu = time.process_time()
            started = time.perf_counter()

            def push(start: int) -> Any:
                return rpc.call("monitoring", "push_items", items=items[start:start + BATCH])

            with ThreadPoolExecutor(max_workers=in_flight) as pool:
                for reply in pool.map(push, range(0, len(items), BATCH)):
                    stored += reply["stored"]
                    duplicates += reply["duplicates"]
            persisted = time.perf_counter() - started
            _wait_count(queue, conn, stored, max(600, len(items) / 10))
            elapsed = time.perf_counter() - started
            service_cpu = process_cpu_seconds(service.pid if service else None) - service_cpu
            database_cpu = process_cpu_seconds(database_pid) - database_cpu
            broker_cpu = process_cpu_seconds(broker) - broker_cpu
            client_cpu = time.process_time() - client_cpu
            queue(conn.default_channel).delete()
    finally:
        platform.stop()
    return {"items": len(items), "stored": stored, "exact_duplicates": duplicates,
            "batch": BATCH, "batches_in_flight": in_flight,
            "seconds_until_persisted": round(persisted, 3),
            "seconds_until_all_events_delivered": round(elapsed, 3),
            "items_per_s": round(len(items) / elapsed, 1),
            "items_per_s_persisted": round(len(items) / persisted, 1),
            # CPU, unlike wall time, hardly depends on what else the machine runs
            "service_cpu_ms_per_item": round(service_cpu * 1000 / len(items), 3),
            # None when the database is not the one this run started (MONGODB_URI set)
            "database_cpu_ms_per_item": (round(database_cpu * 1000 / len(items), 3)
                                         if database_pid else None),
            # None when the broker is not a process of this machine
            "broker_cpu_ms_per_item": (round(broker_cpu * 1000 / len(items), 3)
                                       if broker else None),
            "bench_client_cpu_ms_per_item": round(client_cpu * 1000 / len(items), 3)}


def _wait(check: Any, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _wait_count(queue: Queue, conn: Connection, expected: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        count = queue(conn.default_channel).queue_declare(passive=True).message_count
        if count >= expected:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{count} of {expected} events delivered")
        time.sleep(0.1)


def main() -> dict[str, Any]:
    items = corpus(ITEMS)
    words = sum(len(i["body"].split()) for i in items) / len(items)
    baseline = pure(items)
    with isolated_infra() as env:
        ours = end_to_end(env, items, int(os.environ.get("BENCH_MONITORING_IN_FLIGHT", "1")))
    # The machine's speed drifts within a run (this kind of machine: up to 1.9x between runs
    # minutes apart), so the baseline brackets the end-to-end run: measured before and after.
    after = pure(items, growth=False)
    baseline_items_per_s = round((baseline["items_per_s"] + after["items_per_s"]) / 2, 1)
    ratio = round(ours["items_per_s"] / baseline_items_per_s, 3)
    figures = {"items": ITEMS, "avg_words": round(words, 1), "pure": baseline,
               "pure_after": after, "pure_items_per_s_mean": baseline_items_per_s,
               "end_to_end": ours, "ratio_end_to_end_to_pure": ratio,
               "targets": {"items_per_s": 1000, "ratio": 0.5}}
    print(f"monitoring ingestion, {ITEMS} items (~{words:.0f} words each), batches of {BATCH}")
    print(f"  pure pipeline (no bus, no database): {baseline['items_per_s']} items/s before the "
          f"end-to-end run, {after['items_per_s']} after; mean {baseline_items_per_s}")
    print(f"  end to end (RPC -> analyse -> MongoDB -> outbox -> broker): "
          f"{ours['items_per_s']} items/s ({ours['items_per_s_persisted']} items/s persisted)")
    print(f"  ratio to the mean: {ratio}")
    print(f"  CPU per item: pure {baseline['cpu_ms_per_item']} ms; end to end, service process "
          f"{ours['service_cpu_ms_per_item']} ms, database {ours['database_cpu_ms_per_item']} ms, "
          f"broker {ours['broker_cpu_ms_per_item']} ms, this client "
          f"{ours['bench_client_cpu_ms_per_item']} ms")
    parts = [ours[k] for k in ("service_cpu_ms_per_item", "database_cpu_ms_per_item",
                               "broker_cpu_ms_per_item", "bench_client_cpu_ms_per_item")]
    if None not in parts:
        # every process of the run shares this machine's cores: their CPU per item bounds
        # the throughput, however well the work overlaps
        total = sum(parts)
        ceiling = round((os.cpu_count() or 1) * 1000 / total, 1)
        figures["cpu_ms_per_item_all_processes"] = round(total, 3)
        figures["items_per_s_ceiling_on_these_cpus"] = ceiling
        print(f"  all processes: {total:.3f} ms CPU per item, so at most {ceiling} items/s "
              f"on {os.cpu_count()} CPUs")
    print(f"  dedup index: {baseline['dedup_bytes_per_item']} bytes/item measured "
          f"({baseline['dedup_items']} items; estimate "
          f"{baseline['dedup_bytes_per_item_estimate']}), growth {baseline['dedup_growth']}")
    print("results:", write_results("monitoring", figures))
    return figures


if __name__ == "__main__":
    main()
