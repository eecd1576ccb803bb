"""Soak: the mixed flow at half the measured capacity for a long time, reporting the memory of
each process at start and end, the error count and the queue depths.

    python -m stack.soak --minutes 30          # the documented soak (make soak)
    python -m stack.soak --minutes 2           # the short version the test suite runs

The mixed flow, per operation: create a plan through the gateway (its plan.created event fans
out to notifications, monitoring and the gateway's event log), read it back, list notices, and
push a small batch of items to monitoring (classified, deduplicated, events emitted).

Capacity is measured first: 8 clients flat out for 15 s, over the time until every event they
caused was consumed (a platform that answers fast but leaves its queues growing has not got
that capacity). The soak is then an open loop at half that rate; the queue depths are sampled
every 30 s. It runs on a database of its own (stack/faults.py), removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from kombu import Connection

from services.contracts.topology import GATEWAY_EVENT_QUEUE, SUBSCRIPTIONS
from services.runtime.rpc_sync import BlockingRpc
from stack.demo import load_units
from stack.faultkit import plan_body, unique_number
from stack.processes import Platform

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
ARTICLE = ("Công an huyện Chư Sê bắt giữ đối tượng vận chuyển ma túy tổng hợp từ biên giới "
           "Campuchia về tiêu thụ tại thành phố Pleiku. Tang vật thu giữ gồm 20 gói ma túy đá.")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Counters:
    ok: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ok: bool, seconds: float, detail: str = "") -> None:
        with self.lock:
            if ok:
                self.ok += 1
                if len(self.latencies) < 200_000:
                    self.latencies.append(seconds)
            else:
                self.errors += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(detail)


def mixed_operation(client: httpx.Client, counters: Counters) -> None:
    started = time.perf_counter()
    try:
        created = client.post("/api/v1/plans", json=plan_body(
            unique_number("SOAK"), uuid.uuid4().hex, "Kế hoạch kiểm thử độ bền"))
        _expect(created, 201)
        _expect(client.get(f"/api/v1/plans/{created.json()['id']}"), 200)
        _expect(client.get("/api/v1/notices", params={"limit": 5}), 200)
        items = [{"title": f"Bắt giữ đối tượng ma túy {uuid.uuid4().hex[:6]}",
                  "body": f"{ARTICLE} Mã tin {uuid.uuid4().hex}.",
                  "url": f"https://baogialai.example/tin/{uuid.uuid4().hex}"}
                 for _ in range(3)]
        _expect(client.post("/api/v1/items/batch", json={"items": items}), 200)
        counters.add(True, time.perf_counter() - started)
    except Exception as exc:  # every failure is counted and sampled
        counters.add(False, 0.0, str(exc)[:300])


def _expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: "
                           f"{response.status_code} {response.text[:200]}")


def say(message: str) -> None:
    print(f"[soak] {message}", file=sys.stderr, flush=True)


def drive(platform: Platform, headers: dict[str, str], rate: float | None, seconds: float,
          workers: int, label: str = "",
          every_30s: Callable[[], None] | None = None) -> Counters:
    """Open loop at `rate` operations/s (closed loop flat out when rate is None)."""
    counters = Counters()
    started = time.monotonic()
    deadline = started + seconds
    interval = workers / rate if rate else 0.0

    def worker() -> None:
        with httpx.Client(base_url=platform.gateway_url, headers=headers, timeout=10) as client:
            next_at = time.monotonic()
            while time.monotonic() < deadline:
                mixed_operation(client, counters)
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    next_report = started + 30
    for thread in threads:
        while thread.is_alive():
            thread.join(timeout=1.0)
            if time.monotonic() >= next_report:
                next_report += 30
                if every_30s is not None:
                    every_30s()
                if label:
                    say(f"{label}: {time.monotonic() - started:4.0f} s, ok={counters.ok} "
                        f"errors={counters.errors} {counters.error_samples[-1:]}")
    return counters


def queue_depths(amqp_uri: str) -> dict[str, int]:
    depths: dict[str, int] = {}
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        for name in [s.queue for s in SUBSCRIPTIONS] + [GATEWAY_EVENT_QUEUE]:
            try:
                depths[name] = channel.queue_declare(name, passive=True).message_count
            except Exception:  # a queue nobody declared has no depth
                channel = conn.channel()
    return depths


def wait_drained(amqp_uri: str, limit_s: float) -> float:
    """Seconds until every consumer queue is empty (the limit if they never are)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if sum(queue_depths(amqp_uri).values()) == 0:
            break
        time.sleep(1.0)
    return time.monotonic() - started


def memory(platform: Platform) -> dict[str, int]:
    return {name: rss_kib(proc.process.pid) for name, proc in platform.processes.items()
            if proc.process is not None}


# Monitoring's dedup index is state that grows by design with every item, up to its window
# (14 days, 200,000 items, ~4.8 KB each): over 30 minutes it alone would exceed the 10 %
# memory budget without any leak. A 10-second window fills it during the warm-up, so the
# growth measured afterwards is what leaks, not the index doing its job.
SOAK_SETTINGS = {"MONITORING_DEDUP_WINDOW_DAYS": str(10 / 86_400)}
SOAK_WORKERS = 8


def soak(env: dict[str, str], minutes: float, rate: float | None = None,
         warmup_s: float = 20.0, probe_s: float = 15.0) -> dict[str, Any]:
    password = secrets.token_urlsafe(18)
    env = {**env, **SOAK_SETTINGS,
           "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": password,
           "AUTH_JWT_SECRET": secrets.token_urlsafe(48), "AUTH_TOKEN_TTL_SECONDS": "86400",
           "RATE_LIMIT_PER_MINUTE": "1000000"}
    amqp_uri = env["AMQP_URI"]
    platform = Platform.configure(env, echo=False)
    platform.start()
    depth_samples: list[int] = []
    try:
        platform.wait_ready(120)
        with BlockingRpc(amqp_uri, timeout=60, client_name="soak") as rpc:
            load_units(rpc)
        token = httpx.post(f"{platform.gateway_url}/api/v1/auth/token",
                           json={"username": "admin", "password": password},
                           timeout=10).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # Capacity is what the whole platform sustains, consumers included: the requests a
        # closed loop completes, over the time until every event they caused was consumed.
        probe = drive(platform, headers, None, probe_s, workers=8, label="capacity probe")
        drain_s = wait_drained(amqp_uri, 300)
        capacity = probe.ok / (probe_s + drain_s)
        rate = rate or max(1.0, capacity / 2)
        say(f"capacity {capacity:.1f} operations/s ({probe.ok} in {probe_s:g} s, queues "
            f"drained {drain_s:.0f} s later); soaking at {rate:.1f}/s")
        # enough workers that an operation's latency (four requests) never holds the pace back
        drive(platform, headers, rate, warmup_s, workers=SOAK_WORKERS, label="warm-up")
        start_memory = memory(platform)

        def sample_depth() -> None:
            depth_samples.append(sum(queue_depths(amqp_uri).values()))

        counters = drive(platform, headers, rate, minutes * 60, workers=SOAK_WORKERS,
                         label="soak", every_30s=sample_depth)
        end_memory = memory(platform)
        depths = queue_depths(amqp_uri)
        drained_after_s = wait_drained(amqp_uri, 120)
    finally:
        platform.stop()
    growth = {n: round((end_memory[n] - start_memory[n]) / start_memory[n] * 100, 1)
              for n in start_memory}
    ordered = sorted(counters.latencies) or [0.0]
    achieved = (counters.ok + counters.errors) / (minutes * 60)
    return {
        "minutes": minutes, "capacity_ops_per_s": round(capacity, 1),
        "rate_ops_per_s": round(rate, 1),
        "achieved_ops_per_s": round(achieved, 1),
        # a platform that slows as its data grows falls behind an open loop: this drops
        "rate_held": round(achieved / rate, 2),
        "operations": counters.ok + counters.errors,
        "errors": counters.errors, "error_samples": counters.error_samples,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1),
        "memory_start_kib": start_memory, "memory_end_kib": end_memory,
        "memory_growth_percent": growth, "queue_depths": depths,
        "max_queue_depth": max(depths.values(), default=0),
        "total_depth_every_30s": depth_samples,
        "drained_after_load_s": round(drained_after_s, 1),
    }


def main() -> None:
    from bench.common import isolated_infra, write_results
    from stack.faults import PrivateDatabase

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=None,
                        help="operations/s (default: half the capacity measured first)")
    args = parser.parse_args()
    # A database of its own: 30 minutes of writes stay out of the shared one, and go.
    database = PrivateDatabase()
    try:
        with isolated_infra() as env:
            figures = soak({**env, "MONGODB_URI": database.start()}, args.minutes, args.rate)
    finally:
        database.destroy()
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print("results:", write_results(f"soak-{args.minutes:g}min", figures))


if __name__ == "__main__":
    main()
