"""Metrics of the monitoring service (bounded labels: source kinds, topics, outcomes)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.runtime.metrics import PREFIX

ITEMS_INGESTED = Counter(
    f"{PREFIX}_items_ingested_total",
    "Items stored after normalisation, deduplication and classification.",
    ["source_kind"],
)
ITEMS_DUPLICATES = Counter(
    f"{PREFIX}_items_duplicates_total",
    "Items dropped as exact repeats (same URL or GUID) or stored as near-copies.",
    ["source_kind"],
)
ALERTS_RAISED = Counter(
    f"{PREFIX}_alerts_raised_total",
    "Alerts raised (after deduplication and rate limiting).",
    ["topic", "kind"],
)
ALERTS_HELD = Counter(
    f"{PREFIX}_alerts_held_total",
    "Alert candidates held back: same story already alerted, or the rule's hourly limit.",
    ["reason"],
)
SOURCES_UNHEALTHY = Gauge(
    f"{PREFIX}_sources_unhealthy",
    "Enabled sources currently marked unhealthy.",
)
SOURCE_FETCHES = Counter(
    f"{PREFIX}_source_fetches_total",
    "Polls of feed and page sources by outcome.",
    ["outcome"],
)
LABEL_TOPIC_REVIEWED = Gauge(
    f"{PREFIX}_label_topic_reviewed",
    "Machine-assigned topics (and harmful flags: topic=harmful) officers reviewed.",
    ["topic"],
)
LABEL_TOPIC_CONFIRMED = Gauge(
    f"{PREFIX}_label_topic_confirmed",
    "Of the reviewed machine-assigned topics, those officers kept.",
    ["topic"],
)
LABEL_TOPIC_PRECISION = Gauge(
    f"{PREFIX}_label_topic_precision",
    "Precision per topic as judged by people: confirmed / reviewed.",
    ["topic"],
)
LABEL_TOPIC_ADDED = Gauge(
    f"{PREFIX}_label_topic_added",
    "Topics officers gave items that the machine missed.",
    ["topic"],
)
