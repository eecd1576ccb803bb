"""Prometheus metrics shared by every service. One prefix, bounded label sets.

Labels never carry ids or free text: only service, entrypoint kind and name, route templates,
channels, topics and outcomes, all of which come from code or small configured lists.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PREFIX = "campaign"

# Buckets around the targets: RPC p99 <= 25 ms at the gateway, summaries <= 200 ms, scans <= 2 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)

ENTRYPOINT_CALLS = Counter(
    f"{PREFIX}_entrypoint_calls_total",
    "Entrypoint executions (RPC methods, event handlers, timers) by outcome.",
    ["service", "kind", "entrypoint", "outcome"],
)
ENTRYPOINT_LATENCY = Histogram(
    f"{PREFIX}_entrypoint_duration_seconds",
    "Entrypoint execution time.",
    ["service", "kind", "entrypoint"],
    buckets=LATENCY_BUCKETS,
)
EVENTS_PUBLISHED = Counter(
    f"{PREFIX}_events_published_total",
    "Events published by the outbox relay (confirmed by the broker).",
    ["service", "event_type"],
)
OUTBOX_BACKLOG = Gauge(
    f"{PREFIX}_outbox_backlog",
    "Events stored in the outbox and not yet confirmed by the broker.",
    ["service"],
)
INBOX_DUPLICATES = Counter(
    f"{PREFIX}_inbox_duplicates_skipped_total",
    "Events skipped because this consumer had already applied them.",
    ["service", "consumer"],
)
DEAD_LETTERS = Gauge(
    f"{PREFIX}_dead_letters",
    "Messages in the dead-letter store waiting for an operator.",
    ["service"],
)
DEAD_LETTERED = Counter(
    f"{PREFIX}_dead_lettered_total",
    "Messages moved to the dead-letter store, by reason.",
    ["service", "consumer", "reason"],
)
