"""Domain metrics of the plans service (bounded labels: buckets and alert kinds only)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.runtime.metrics import PREFIX

TASKS_BY_BUCKET = Gauge(
    f"{PREFIX}_tasks",
    "Leaf tasks of issued plans by status bucket (Decision 42/2014/QĐ-TTg), at the last "
    "gauge refresh (PLANS_GAUGE_REFRESH_SECONDS).",
    ["bucket"],
)
TASKS_OVERDUE = Gauge(
    f"{PREFIX}_tasks_overdue",
    "Tasks of issued plans that are overdue, at the last gauge refresh.",
)
REPORTS_PENDING_REVIEW = Gauge(
    f"{PREFIX}_reports_pending_review",
    "Progress reports submitted and not yet reviewed by the Department.",
)
DEADLINE_EVENTS = Counter(
    f"{PREFIX}_deadline_events_total",
    "task.due_soon / task.overdue events stored for publication (once per task and period).",
    ["kind"],
)
