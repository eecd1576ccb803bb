"""The request body size limit (rate limits: `rate_limits.py`)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.contracts.errors import ErrorCode
from services.gateway.asgi import HttpMiddleware
from services.gateway.errors import problem


class BodySizeLimit(HttpMiddleware):
    """Answer 413 when Content-Length or the streamed body exceeds `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        has_body = False
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = -1
                if length > self.max_bytes:
                    await self._reject(scope, receive, send)
                    return
                has_body = has_body or length != 0
            elif name == b"transfer-encoding":
                has_body = True
        if not has_body:
            # HTTP/1.1: without Content-Length or Transfer-Encoding there is no body (most
            # GETs); nothing to count, so skip the buffering below.
            await self.app(scope, receive, send)
            return
        # Read the body up front (bounded), then hand it on: the app never sees an oversize
        # body, and no half-sent response has to be taken back.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, ErrorCode.PAYLOAD_TOO_LARGE, "payload too large",
                           f"the request body exceeds {self.max_bytes} bytes",
                           scope.get("path", ""))
        await response(scope, receive, send)


def _replay(chunks: list[bytes], final: Message | None, then: Receive | None = None) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks),
                               "more_body": False}] if final is None else [final]

    async def receive() -> Message:
        if pending:
            return pending.pop()
        if then is not None:
            return await then()  # after the body: wait for the disconnect
        return {"type": "http.disconnect"}

    return receive
