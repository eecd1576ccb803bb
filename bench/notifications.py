"""Notifications throughput: one directive (plan.issued) to 500 units over signed webhooks to a
local receiver, from the event to all deliveries `delivered`; then 5,000 queued notice
deliveries (10 directives x 500 units) drained while the service's memory is sampled.
Baseline in the same run: raw signed HTTP POSTs from this process to the same receiver
(sequential, and with the dispatcher's concurrency).

Progress is watched without loading the service under test: until the receiver has every
POST the bench counts them in-process; only then does it poll the service's `/metrics`
(campaign_deliveries_total) for the outcomes written. Counting documents instead decodes
every matching document on SecantusDB, and a scrape costs the service ~15 ms of CPU: either,
every 20 ms, took a large share of what was being measured. The final figures are checked
against the database once."""

from __future__ import annotations

import http.client
import json
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kombu import Connection, Exchange
from pymongo import MongoClient

from bench.common import isolated_infra, wait_for_service, write_results
from services.contracts.envelope import STRUCTURED_CONTENT_TYPE
from services.contracts.events.plans import PlanIssued
from services.notifications.domain.webhook_signing import WebhookSecret, signing_headers
from services.runtime.rpc_sync import BlockingRpc
from stack.notification_peers import HttpPeer
from stack.processes import Platform

RECIPIENTS = 500
QUEUED = 5000
CONCURRENCY = 16
SECRET = WebhookSecret(b"bench-webhook-secret-0123456789").serialize()


def main() -> dict[str, Any]:
    peer = HttpPeer(SECRET).start()
    try:
        with isolated_infra() as env:
            env = {**env, "OUTBOUND_ALLOWLIST": "127.0.0.0/8,::1",
                   "ACK_LINK_SECRET": "bench-ack-link-secret-0123456789",
                   "DISPATCH_CONCURRENCY": str(CONCURRENCY), "MAX_WORKERS": "40"}
            platform = Platform.configure(env, echo=False)
            platform.start(("notifications",))
            try:
                figures = run(env, platform, peer)
            finally:
                platform.stop()
    finally:
        peer.stop()
    report(figures)
    return figures


def run(env: dict[str, str], platform: Platform, peer: HttpPeer) -> dict[str, Any]:
    db = MongoClient(env["MONGODB_URI"], tz_aware=True)[f"{env['DB_PREFIX']}notifications"]
    with BlockingRpc(env["AMQP_URI"], timeout=30, client_name="bench") as rpc:
        wait_for_service(rpc, "notifications")
        rpc.call("notifications", "configure_channel", channel="webhook", rate_capacity=10_000,
                 rate_per_second=10_000, timeout_seconds=5)
        units = [f"bench-{i:04d}" for i in range(RECIPIENTS)]
        rpc.call("notifications", "import_recipients", recipients=[{
            "unit_id": u, "name": f"Đơn vị số {i}", "groups": ["bench"],
            "contacts": [{"channel": "webhook", "address": peer.hook_url("ok", u)}],
            "preferences": {"channel_order": ["webhook"]}, "webhook_secret": SECRET}
            for i, u in enumerate(units)])
        baseline = {"sequential": raw_posts(peer, 1), f"concurrent_{CONCURRENCY}":
                    raw_posts(peer, CONCURRENCY)}
        metrics = f"http://127.0.0.1:{platform.metrics_ports['notifications']}/metrics"
        directive = one_directive(env, db, peer, metrics)
        print(f"directive to {RECIPIENTS}: {directive}", flush=True)
        drained = drain_queued(env, db, platform, peer, metrics)
    db.client.close()
    return {"recipients": RECIPIENTS, "dispatch_concurrency": CONCURRENCY,
            "baseline_raw_signed_posts": baseline, "directive_500": directive,
            "queued_5000": drained}


def raw_posts(peer: HttpPeer, concurrency: int) -> dict[str, float]:
    def post(i: int) -> None:
        body = json.dumps({"type": "notification", "id": f"raw-{i}",
                           "subject": "Triển khai Kế hoạch số 25/KH-STTTT"},
                          ensure_ascii=False).encode()
        headers = signing_headers(SECRET, f"raw-{uuid.uuid4().hex}", int(time.time()), body)
        conn = http.client.HTTPConnection("127.0.0.1", peer.port, timeout=5)
        conn.request("POST", f"/hook/ok/raw-{i}", body=body,
                     headers={"Content-Type": "application/json", **headers})
        conn.getresponse().read()
        conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(post, range(RECIPIENTS)))
    wall = time.perf_counter() - started
    return {"posts": RECIPIENTS, "seconds": round(wall, 3),
            "posts_per_s": round(RECIPIENTS / wall, 1)}


def publish(amqp_uri: str, payloads: list[Any]) -> None:
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        exchange = Exchange("plans.events", type="topic", durable=True)
        for payload in payloads:
            envelope = payload.to_envelope().model_dump(mode="json")
            producer.publish(json.dumps(envelope, ensure_ascii=False).encode(),
                             exchange=exchange, routing_key=envelope["type"],
                             content_type=STRUCTURED_CONTENT_TYPE, content_encoding="utf-8",
                             delivery_mode=2)


def delivered_so_far(metrics_url: str) -> int:
    """Deliveries the service has recorded as delivered (its campaign_deliveries_total)."""
    with urllib.request.urlopen(metrics_url, timeout=5) as response:
        text = response.read().decode()
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("campaign_deliveries_total{")
                   and 'status="delivered"' in line))


def one_directive(env: dict[str, str], db: Any, peer: HttpPeer, metrics_url: str
                  ) -> dict[str, Any]:
    calls_before = len(peer.calls)
    delivered_before = delivered_so_far(metrics_url)
    event = PlanIssued(plan_id="plan-bench", number="25/KH-STTTT", issuer_unit_id="gl-stttt",
                       title="tuyên truyền phòng, chống tội phạm năm 2021", year=2021,
                       recipient_unit_ids=["group:bench"])
    started = time.perf_counter()
    publish(env["AMQP_URI"], [event])
    first = planned = None
    delivered = 0
    while True:
        received = len(peer.calls) - calls_before
        # the `count` command without a filter counts rows without decoding them
        if planned is None and db.deliveries.estimated_document_count() >= RECIPIENTS:
            planned = time.perf_counter() - started
        if first is None and received > 0:
            first = time.perf_counter() - started
        if received >= RECIPIENTS:
            delivered = delivered_so_far(metrics_url) - delivered_before
            if delivered >= RECIPIENTS:
                break
        if time.perf_counter() - started > 120:
            raise RuntimeError(f"only {delivered} of {RECIPIENTS} delivered after 120 s")
        time.sleep(0.02 if planned is None or received >= RECIPIENTS else 0.005)
    wall = time.perf_counter() - started
    stored = db.deliveries.count_documents({"status": "delivered"})
    if stored != RECIPIENTS:
        raise RuntimeError(f"the service counted {delivered} delivered, the database {stored}")
    calls = [c for c in peer.calls[calls_before:] if c.path.startswith("/hook/")]
    return {"seconds_to_all_delivered": round(wall, 3),
            "seconds_to_all_planned": round(planned or wall, 3),
            "seconds_to_first_post": round(first or wall, 3),
            "deliveries_per_s": round(RECIPIENTS / wall, 1),
            "receiver_posts": len(calls),
            "signatures_verified": sum(1 for c in calls if c.verified),
            "target_seconds": 3.0, "met": wall <= 3.0}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def drain_queued(env: dict[str, str], db: Any, platform: Platform, peer: HttpPeer,
                 metrics_url: str) -> dict[str, Any]:
    process = platform.processes["notifications"].process
    assert process is not None
    before_total = db.deliveries.estimated_document_count()
    delivered_before = delivered_so_far(metrics_url)
    rss_start = rss_kib(process.pid)
    # 10 directives x 500 units: 5,000 notice deliveries queued at once (per-event intake
    # is measured by the first part; this part measures the drain).
    events = [PlanIssued(plan_id=f"plan-bench-{i}", number=f"{i + 26}/KH-STTTT",
                         issuer_unit_id="gl-stttt", title=f"tuyên truyền đợt {i + 1} năm 2021",
                         year=2021, recipient_unit_ids=["group:bench"])
              for i in range(QUEUED // RECIPIENTS)]
    started = time.perf_counter()
    publish(env["AMQP_URI"], events)
    published = time.perf_counter() - started
    peak = rss_start
    calls_before = len(peer.calls)
    done = 0
    while True:
        peak = max(peak, rss_kib(process.pid))
        if len(peer.calls) - calls_before >= QUEUED:
            done = delivered_so_far(metrics_url) - delivered_before
            if done >= QUEUED:
                break
        if time.perf_counter() - started > 600:
            raise RuntimeError(f"only {done} of {QUEUED} drained after 600 s")
        time.sleep(0.25)
    wall = time.perf_counter() - started
    stored = db.deliveries.count_documents({"status": "delivered"}) - RECIPIENTS
    if stored != QUEUED:
        raise RuntimeError(f"the service counted {done} delivered, the database {stored}")
    return {"deliveries": QUEUED, "directives": len(events),
            "seconds_to_publish": round(published, 3),
            "seconds_to_all_delivered": round(wall, 3),
            "deliveries_per_s": round(QUEUED / wall, 1),
            "deliveries_created": db.deliveries.estimated_document_count() - before_total,
            "rss_start_mib": round(rss_start / 1024, 1), "rss_peak_mib": round(peak / 1024, 1),
            "rss_growth_mib": round((peak - rss_start) / 1024, 1)}


def report(figures: dict[str, Any]) -> None:
    base = figures["baseline_raw_signed_posts"]
    directive = figures["directive_500"]
    queued = figures["queued_5000"]
    print("Notifications: plan.issued -> 500 signed webhooks delivered (local receiver)")
    for name, row in base.items():
        print(f"  baseline raw signed POSTs, {name:>13}: {row['seconds']:>7} s "
              f"({row['posts_per_s']} posts/s)")
    print(f"  service, event -> all planned:            {directive['seconds_to_all_planned']} s")
    print(f"  service, event -> all delivered:          {directive['seconds_to_all_delivered']} s"
          f" ({directive['deliveries_per_s']} deliveries/s, target <= 3 s: "
          f"{'met' if directive['met'] else 'NOT met'})")
    print(f"  signatures verified by the receiver:      {directive['signatures_verified']}"
          f"/{directive['receiver_posts']}")
    print(f"  5,000 queued deliveries drained:             {queued['seconds_to_all_delivered']} s "
          f"({queued['deliveries_per_s']} deliveries/s), RSS {queued['rss_start_mib']} -> peak "
          f"{queued['rss_peak_mib']} MiB")
    print("results:", write_results("notifications", figures))


if __name__ == "__main__":
    main()
