"""Domain metrics of the notifications service (bounded labels only)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from services.runtime.metrics import PREFIX

NOTICES = Counter(f"{PREFIX}_notices_total", "Notices created, by kind and priority.",
                  ["kind", "priority"])
DELIVERIES = Counter(f"{PREFIX}_deliveries_total",
                     "Delivery state changes by channel and status (sent, delivered, "
                     "retrying, failed, expired, rate_limited).", ["channel", "status"])
ACK_LATENCY = Histogram(f"{PREFIX}_ack_latency_seconds",
                        "Time from notice creation to acknowledgement.",
                        buckets=(60, 300, 900, 3600, 4 * 3600, 12 * 3600, 86_400,
                                 3 * 86_400, 7 * 86_400))
ESCALATIONS = Counter(f"{PREFIX}_escalations_total", "Escalation steps taken.", ["step"])
TRANSLATION_BACKLOG = Gauge(f"{PREFIX}_translation_backlog",
                            "Translation tasks requested or submitted, not yet approved.")
UNREACHABLE = Counter(f"{PREFIX}_unreachable_recipients_total",
                      "Recipients a notice could not reach, by reason.", ["reason"])
