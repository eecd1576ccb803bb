"""Gateway request metrics per route template (never per raw path: ids would explode)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from prometheus_client import Counter, Gauge, Histogram

from services.runtime.metrics import LATENCY_BUCKETS, PREFIX

HTTP_REQUESTS = Counter(f"{PREFIX}_http_requests_total", "HTTP requests by route and status.",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram(f"{PREFIX}_http_request_duration_seconds", "HTTP request latency.",
                         ["method", "route"], buckets=LATENCY_BUCKETS)
RPC_IN_FLIGHT = Gauge(f"{PREFIX}_rpc_client_in_flight", "RPC calls waiting for a reply.")
RPC_CAPACITY = Gauge(f"{PREFIX}_rpc_client_capacity", "Maximum RPC calls in flight.")
AUTH_FAILURES = Counter(f"{PREFIX}_gateway_auth_failures_total",
                        "Rejected credentials by reason.", ["reason"])
RATE_LIMITED = Counter(f"{PREFIX}_gateway_rate_limited_total", "Requests answered 429.")
EVENTS_LOGGED = Counter(f"{PREFIX}_gateway_events_logged_total",
                        "Events stored in the gateway's event log.", ["outcome"])
WEBHOOK_ATTEMPTS = Counter(f"{PREFIX}_gateway_webhook_attempts_total",
                           "Webhook delivery attempts by outcome.", ["outcome"])
WEBHOOK_BACKLOG = Gauge(f"{PREFIX}_gateway_webhook_backlog",
                        "Webhook deliveries waiting in memory.")
SSE_CLIENTS = Gauge(f"{PREFIX}_gateway_sse_clients", "Open event streams.")


async def record_request(request: Request,
                         call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    started = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        HTTP_REQUESTS.labels(request.method, template, str(status)).inc()
        HTTP_LATENCY.labels(request.method, template).observe(time.perf_counter() - started)
