"""Gateway request metrics per route template (never per raw path: ids would explode)."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import Message, Receive, Scope, Send

from services.gateway.asgi import HttpMiddleware
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
RATE_LIMIT_STORAGE_ERRORS = Counter(
    f"{PREFIX}_gateway_rate_limit_storage_errors_total",
    "Rate-limit checks the shared storage (Redis) failed; the replica limited on its own.")
EVENTS_LOGGED = Counter(f"{PREFIX}_gateway_events_logged_total",
                        "Events stored in the gateway's event log.", ["outcome"])
WEBHOOK_ATTEMPTS = Counter(f"{PREFIX}_gateway_webhook_attempts_total",
                           "Webhook delivery attempts by outcome.", ["outcome"])
WEBHOOK_BACKLOG = Gauge(f"{PREFIX}_gateway_webhook_backlog",
                        "Webhook deliveries waiting in memory.")
SSE_CLIENTS = Gauge(f"{PREFIX}_gateway_sse_clients", "Open event streams.")


class RequestMetrics(HttpMiddleware):
    """Count and time every HTTP request by route template (a plain ASGI middleware: the
    `@app.middleware("http")` form costs more than the rest of an authenticated read)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            # The router writes the matched route into the scope it was given.
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            HTTP_REQUESTS.labels(method, template, str(status)).inc()
            HTTP_LATENCY.labels(method, template).observe(time.perf_counter() - started)
