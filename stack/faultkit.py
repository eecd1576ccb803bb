"""Helpers for the fault tests: a platform on a private broker and database, and a load
generator that records what was acknowledged."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.runtime.rpc_sync import BlockingRpc
from stack.demo import load_units
from stack.faults import PrivateDatabase, PrivateRabbitMQ
from stack.processes import Platform

# The Department of 2021, from the seed units: load plans are drafts it issues in 2021.
LOAD_ISSUER = "gl-stttt"


def plan_body(number: str, key: str, title: str = "Kế hoạch kiểm thử tải") -> dict[str, Any]:
    return {"number": number, "issuer_unit_id": LOAD_ISSUER, "title": title, "year": 2021,
            "issued_on": "2021-03-01", "topics": ["drugs"], "idempotency_key": key}


def unique_number(kind: str = "LOAD") -> str:
    """A plan number of the official shape (`<1-6 digits>/<type>-<issuer>`), unique enough
    for load: the random suffix of the symbol keeps the space far larger than 10^6."""
    token = uuid.uuid4().hex
    return f"{int(token[:8], 16) % 999_999 + 1}/KH-{kind}{token[8:14].upper()}"


@dataclass
class Outcome:
    key: str
    number: str
    status: int
    seconds: float
    body: dict[str, Any] | None


@dataclass
class LoadGenerator:
    """Creates plans through the gateway at a steady rate, each with a unique idempotency key
    (a client retrying the same key never creates a duplicate)."""

    base_url: str
    headers: dict[str, str]
    rate_per_s: float = 15.0
    timeout_s: float = 8.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        interval = 1.0 / self.rate_per_s
        with httpx.Client(base_url=self.base_url, headers=self.headers,
                          timeout=self.timeout_s) as client:
            while not self._stop.is_set():
                key = uuid.uuid4().hex
                number = unique_number()
                body = plan_body(number, key)
                started = time.monotonic()
                try:
                    response = client.post("/api/v1/plans", json=body)
                    status, payload = response.status_code, _json(response)
                except httpx.HTTPError:
                    status, payload = 0, None
                elapsed = time.monotonic() - started
                self.outcomes.append(Outcome(key, number, status, elapsed, payload))
                self._stop.wait(max(0.0, interval - (time.monotonic() - started)))

    @property
    def acknowledged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 201]


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        value = response.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class PrivateStack:
    """Broker, database and the four services, all private to one fault test."""

    def __init__(self, extra_env: dict[str, str] | None = None) -> None:
        self.broker = PrivateRabbitMQ()
        self.database = PrivateDatabase()
        self.extra_env = extra_env or {}
        self.platform: Platform | None = None
        self.admin_password = secrets.token_urlsafe(18)
        self.auth_headers: dict[str, str] = {}

    def __enter__(self) -> PrivateStack:
        self.broker.start()
        mongodb_uri = self.database.start()
        env = {"AMQP_URI": self.broker.uri, "MONGODB_URI": mongodb_uri, "ENVIRONMENT": "test",
               "AMQP_HEARTBEAT_SECONDS": "5", "OUTBOX_POLL_SECONDS": "0.5",
               "OUTBOX_LEASE_SECONDS": "3", "RPC_TIMEOUT_SECONDS": "3",
               "AUTH_JWT_SECRET": secrets.token_urlsafe(48),
               "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
               "AUTH_TOKEN_TTL_SECONDS": "3600", "RATE_LIMIT_PER_MINUTE": "100000",
               **self.extra_env}
        self.platform = Platform.configure(env, echo=False)
        self.platform.start()
        self.platform.wait_ready(120)
        with BlockingRpc(self.broker.uri, timeout=60, client_name="fault-tests") as rpc:
            load_units(rpc)
        token = httpx.post(f"{self.platform.gateway_url}/api/v1/auth/token",
                           json={"username": "admin", "password": self.admin_password},
                           timeout=10).json()["access_token"]
        self.auth_headers = {"Authorization": f"Bearer {token}"}
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.platform is not None:
                self.platform.stop()
        finally:
            self.broker.destroy()
            self.database.destroy()

    def database_client(self) -> Any:
        from pymongo import MongoClient

        return MongoClient(self.database.uri, serverSelectionTimeoutMS=10_000, tz_aware=True)


def wait_until(check: Callable[[], Any], seconds: float, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
        except Exception:
            result = None
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
