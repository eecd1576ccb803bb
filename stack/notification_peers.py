"""Real local peers for the tests and the benchmark (never used by the service itself):
an SMTP server (aiosmtpd, a dev dependency) and one HTTP server that plays webhook receivers
and an SMS/chat provider, each behaviour chosen by the URL path:

  POST /hook/<mode>/<name>               Standard Webhooks receiver; verifies the signature
  POST /provider/<mode>/messages         SMS / Zalo / Telegram provider (dedups Idempotency-Key)

modes: ok, ack (replies {"acknowledged": true}), e500, e400, hang, flaky<N> (N x 503 first).
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from services.contracts.errors import DomainError
from services.notifications.domain.webhook_signing import verify

HANG_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- SMTP ------------------------------------------------------------------------------------

@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class SmtpSink:
    """aiosmtpd on 127.0.0.1; addresses starting with `reject` get 550, `busy` get 451."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[ReceivedMail] = []
        self._controller: Any = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_RCPT(self, server: Any, session: Any, envelope: Any,
                                  address: str, rcpt_options: Any) -> str:
                if address.startswith("reject"):
                    return "550 5.1.1 mailbox does not exist"
                if address.startswith("busy"):
                    return "451 4.3.0 try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any,
                                  envelope: Any) -> str:
                parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                                  policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                sink.messages.append(ReceivedMail(envelope.mail_from,
                                                  list(envelope.rcpt_tos), parsed))
                return "250 Message accepted"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.recipients]


# --- HTTP ------------------------------------------------------------------------------------

@dataclass
class HttpCall:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


class HttpPeer:
    """Webhook receivers and an HTTP provider in one threaded server."""

    def __init__(self, webhook_secret: str) -> None:
        self.port = free_port()
        self.secret = webhook_secret
        self.calls: list[HttpCall] = []
        self.attempts: dict[str, int] = {}
        self.provider_ids: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hook_url(self, mode: str, name: str) -> str:
        return f"{self.base_url}/hook/{mode}/{name}"

    def provider_url(self, mode: str) -> str:
        return f"{self.base_url}/provider/{mode}"

    def start(self) -> HttpPeer:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, reply = peer.handle(self.path, dict(self.headers.items()), body)
                if status == 0:
                    return
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

        self._server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, path: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        call = HttpCall(path, {k.lower(): v for k, v in headers.items()}, body)
        kind, mode = parts[0], parts[1] if len(parts) > 1 else "ok"
        if kind == "hook":
            try:
                verify(self.secret, call.headers, body, int(time.time()))
                call.verified = True
            except DomainError as exc:
                call.verified, call.error = False, exc.code
        with self._lock:
            self.calls.append(call)
            self.attempts[path] = self.attempts.get(path, 0) + 1
            attempt = self.attempts[path]
        if mode == "hang":
            time.sleep(HANG_SECONDS)
            return 0, {}
        if mode == "e500":
            return 500, {"error": "internal error"}
        if mode == "e400":
            return 400, {"error": "invalid recipient number"}
        if mode.startswith("flaky") and attempt <= int(mode[5:] or 1):
            return 503, {"error": "unavailable"}
        if kind == "hook" and call.verified is False:
            return 401, {"error": call.error}
        if kind == "provider":
            key = call.headers.get("idempotency-key") or uuid.uuid4().hex
            with self._lock:
                message_id = self.provider_ids.setdefault(key, f"msg-{uuid.uuid4().hex[:10]}")
            return 200, {"message_id": message_id}
        return 200, {"acknowledged": True} if mode == "ack" else {"received": True}

    def hook_calls(self, name: str | None = None) -> list[HttpCall]:
        return [c for c in self.calls if c.path.startswith("/hook/")
                and (name is None or c.path.endswith(f"/{name}"))]

    def provider_calls(self) -> list[HttpCall]:
        return [c for c in self.calls if c.path.startswith("/provider/")]
