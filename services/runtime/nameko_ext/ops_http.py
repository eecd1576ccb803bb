"""Per-service HTTP endpoint for operators: /metrics, /healthz (cheap) and /readyz
(database and broker reachable), served by an eventlet WSGI server on
METRICS_HOST:METRICS_PORT."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from services.runtime import mongo
from services.runtime.nameko_ext.providers import settings_of
from services.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

READINESS_CACHE_SECONDS = 2.0


def open_listener(settings: ServiceSettings) -> socket.socket:
    """The ops endpoint's socket on METRICS_HOST (loopback by default: metrics and readiness
    details are for the operator's scraper, not for every network the host is on)."""
    family = socket.AF_INET6 if ":" in settings.metrics_host else socket.AF_INET
    listener: socket.socket = eventlet.listen((settings.metrics_host, settings.metrics_port),
                                              family=family)
    return listener


class OpsHttp(DependencyProvider):
    def setup(self) -> None:
        self.settings = settings_of(self.container)
        self.db = mongo.connect(self.settings, self.container.service_name)
        self._ready_at = 0.0
        self._ready: dict[str, str] = {}
        self.socket = open_listener(self.settings)
        self.port = self.socket.getsockname()[1]

    def start(self) -> None:
        self._server = self.container.spawn_managed_thread(self._serve, identifier="ops-http")
        log.info("ops endpoint listening",
                 extra={"host": self.settings.metrics_host, "port": self.port})

    def stop(self) -> None:
        self._server.kill()
        self.socket.close()

    def kill(self) -> None:
        self.stop()

    def _serve(self) -> None:
        eventlet.wsgi.server(self.socket, self._app, log_output=False)

    def _app(self, environ: dict[str, Any],
             start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(REGISTRY)]
        if path == "/healthz":
            return _json(start_response, 200, {"status": "ok",
                                               "service": self.container.service_name})
        if path == "/readyz":
            checks = self.readiness()
            ok = all(v == "ok" for v in checks.values())
            return _json(start_response, 200 if ok else 503,
                         {"status": "ok" if ok else "unavailable", "checks": checks})
        return _json(start_response, 404, {"status": "not_found"})

    def readiness(self) -> dict[str, str]:
        if time.monotonic() - self._ready_at < READINESS_CACHE_SECONDS:
            return self._ready
        checks = {"database": "ok", "broker": "ok"}
        try:
            self.db.command("ping")
        except Exception as exc:
            checks["database"] = f"down: {str(exc)[:120]}"
        try:
            with Connection(self.settings.amqp_uri, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            checks["broker"] = f"down: {str(exc)[:120]}"
        self._ready, self._ready_at = checks, time.monotonic()
        return checks


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]
