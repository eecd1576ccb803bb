"""Helpers for the fault tests: a platform on a private broker and database, and a load
generator that records what was acknowledged."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.runtime.rpc_sync import BlockingRpc
from stack.demo import load_units
from stack.faults import PrivateDatabase, PrivateRabbitMQ
from stack.notification_peers import SmtpSink
from stack.processes import Platform

# The Department of 2021, from the seed units: load plans are drafts it issues in 2021.
LOAD_ISSUER = "gl-stttt"
# Issued load plans go to two seed units whose first channel is email: each issue makes one
# notice and two emails, which the stack's SMTP sink receives (Message-ID = delivery id).
LOAD_RECIPIENTS = [{"name": "Báo Gia Lai", "unit_id": "bao-gia-lai"},
                   {"name": "Công an tỉnh", "unit_id": "gl-congan"}]
LOAD_SIGNER = {"name": "Nguyễn Văn An", "title": "GIÁM ĐỐC"}


def plan_body(number: str, key: str, title: str = "Kế hoạch kiểm thử tải",
              issuable: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"number": number, "issuer_unit_id": LOAD_ISSUER, "title": title,
                            "year": 2021, "issued_on": "2021-03-01", "topics": ["drugs"],
                            "idempotency_key": key}
    if issuable:
        body |= {"signer": LOAD_SIGNER, "recipients": LOAD_RECIPIENTS}
    return body


def unique_number(kind: str = "LOAD") -> str:
    """A plan number of the official shape (`<1-6 digits>/<type>-<issuer>`), unique enough
    for load: the random suffix of the symbol keeps the space far larger than 10^6."""
    token = uuid.uuid4().hex
    return f"{int(token[:8], 16) % 999_999 + 1}/KH-{kind}{token[8:14].upper()}"


@dataclass
class Outcome:
    """One command of the load: create a plan, then issue it, each with its own key."""

    key: str
    number: str
    status: int
    seconds: float
    body: dict[str, Any] | None
    issue_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    issue_status: int = 0  # 0: not attempted yet (or no answer)
    issue_seconds: float = 0.0

    @property
    def plan_id(self) -> str | None:
        return str(self.body["id"]) if self.body and "id" in self.body else None


@dataclass
class LoadGenerator:
    """Creates plans through the gateway at a steady rate and issues each one (one notice,
    two emails), every request with a unique idempotency key, so that a client retrying the
    same key never creates a duplicate. Every request's status and latency is kept."""

    base_url: str
    headers: dict[str, str]
    rate_per_s: float = 6.0
    timeout_s: float = 8.0
    workers: int = 3
    issue: bool = True
    outcomes: list[Outcome] = field(default_factory=list)
    # (what, HTTP status or 0 for no answer, seconds) of every request
    requests: list[tuple[str, int, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._run, daemon=True)
                         for _ in range(self.workers)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _post(self, client: httpx.Client, what: str, path: str,
              body: dict[str, Any]) -> tuple[int, dict[str, Any] | None, float]:
        started = time.monotonic()
        try:
            response = client.post(path, json=body)
            status, payload = response.status_code, _json(response)
        except httpx.HTTPError:
            status, payload = 0, None
        elapsed = time.monotonic() - started
        self.requests.append((what, status, elapsed))
        return status, payload, elapsed

    def _run(self) -> None:
        interval = self.workers / self.rate_per_s
        with httpx.Client(base_url=self.base_url, headers=self.headers,
                          timeout=self.timeout_s) as client:
            next_at = time.monotonic()
            while not self._stop.is_set():
                key, number = uuid.uuid4().hex, unique_number()
                status, payload, elapsed = self._post(
                    client, "create", "/api/v1/plans", plan_body(number, key, issuable=True))
                outcome = Outcome(key, number, status, elapsed, payload)
                self.outcomes.append(outcome)
                if self.issue and status == 201 and outcome.plan_id:
                    outcome.issue_status, _, outcome.issue_seconds = self._post(
                        client, "issue", f"/api/v1/plans/{outcome.plan_id}/issue",
                        {"idempotency_key": outcome.issue_key})
                next_at += interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    @property
    def acknowledged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 201]

    @property
    def issued(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 201 and o.issue_status == 200]


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
        self.smtp = SmtpSink()
        self.platform: Platform | None = None
        self.admin_password = secrets.token_urlsafe(18)
        self.auth_headers: dict[str, str] = {}

    def __enter__(self) -> PrivateStack:
        try:
            return self._start()
        except BaseException:
            self.__exit__()
            raise

    def _start(self) -> PrivateStack:
        self.broker.start()
        mongodb_uri = self.database.start()
        self.smtp.start()
        env = {"AMQP_URI": self.broker.uri, "MONGODB_URI": mongodb_uri, "ENVIRONMENT": "test",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port),
               "AMQP_HEARTBEAT_SECONDS": "5", "OUTBOX_POLL_SECONDS": "0.5",
               "OUTBOX_LEASE_SECONDS": "3", "RPC_TIMEOUT_SECONDS": "3",
               # notifications: a killed dispatcher's sends are reconciled after 5 s, not 120
               "LEASE_SECONDS": "5",
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
            self.smtp.stop()
            self.broker.destroy()
            self.database.destroy()

    def database_client(self) -> Any:
        from pymongo import MongoClient

        return MongoClient(self.database.uri, serverSelectionTimeoutMS=10_000, tz_aware=True)

