"""An in-process gateway against the real broker and database, and the peers its tests talk
to: signed-webhook receivers and events published as the other services publish them. Shared by
tests/integration/test_gateway_auth_keys.py and test_gateway_event_delivery.py; the fixtures
that start it are in this folder's conftest.py."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aio_pika
import httpx
import uvicorn

from services.contracts.events.plans import PlanCreated, TaskAssigned
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.notifications.domain.webhook_signing import verify
from stack.infra import free_port
from stack.testkit import eventually

AUTH_CACHE_SECONDS = 2.0
# Users' password: a phrase the gateway's password rules accept (they refuse "p" * 12).
PASSWORD = "Đồi-chè-Biển-Hồ-sáng-sớm"


class Gateway:
    def __init__(self, env: dict[str, str], amqp_uri: str) -> None:
        self.env = env
        self.amqp_uri = amqp_uri
        self.port = free_port()
        settings = GatewaySettings(**{k.lower(): v for k, v in env.items()},
                                   port=self.port)
        self.server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1",
                                                    port=self.port, log_config=None,
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        eventually(lambda: httpx.get(f"{self.url}/healthz", timeout=1).raise_for_status())

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def publish(amqp_uri: str, envelopes: list[Any], exchange: str = "plans.events") -> None:
    async def go() -> None:
        connection = await aio_pika.connect(amqp_uri)
        async with connection:
            channel = await connection.channel()
            ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC,
                                                durable=True)
            for env in envelopes:
                await ex.publish(aio_pika.Message(env.model_dump_json().encode(),
                                                  content_type="application/json"),
                                 routing_key=env.type)

    asyncio.run(go())


def plan_created(**kw: Any) -> Any:
    fields = {"plan_id": f"p-{uuid.uuid4().hex[:8]}", "number": "25/KH-STTTT",
              "issuer_unit_id": "so-tttt", "title": "Kế hoạch tuyên truyền", "year": 2021,
              "status": "draft"}
    fields.update(kw)
    return PlanCreated(**fields).to_envelope()


def task_assigned(lead: str) -> Any:
    return TaskAssigned(plan_id="p1", plan_number="25/KH-STTTT",
                        task_id=f"t-{uuid.uuid4().hex[:6]}", title="Đưa tin",
                        lead_unit_id=lead).to_envelope()


class Receiver:
    """A real HTTP receiver that verifies Standard Webhooks signatures."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.secrets: list[str] = []
        # Secrets the owner installs once a delivery fails to verify (before any retry).
        self.secrets_after_rejection: list[str] | None = None
        self.received: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.outcomes: list[tuple[str, str]] = []  # ("rejected" | "received", webhook-id)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if receiver.mode == "hang":
                    time.sleep(10)
                try:
                    verify(receiver.secrets, dict(self.headers), body, int(time.time()))
                except Exception as exc:
                    receiver.rejected.append(str(exc))
                    receiver.outcomes.append(("rejected", self.headers["webhook-id"]))
                    if receiver.secrets_after_rejection is not None:
                        receiver.secrets = receiver.secrets_after_rejection
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append({"id": self.headers["webhook-id"],
                                          "body": json.loads(body)})
                receiver.outcomes.append(("received", self.headers["webhook-id"]))
                self.send_response(500 if receiver.mode == "fail" else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def ids(self) -> list[str]:
        return [r["id"] for r in self.received]

    def close(self) -> None:
        self.server.shutdown()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def subscribe(client: httpx.Client, receiver: Receiver, types: list[str]) -> dict[str, Any]:
    reply = client.post("/api/v1/subscriptions", json={"url": receiver.url,
                                                       "event_types": types})
    assert reply.status_code == 201, reply.text
    sub = reply.json()
    receiver.secrets = [sub["secret"]]
    return sub
