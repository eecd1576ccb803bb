"""Headers every answer carries, errors and 404s included."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from services.gateway.asgi import HttpMiddleware

NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeaders(HttpMiddleware):
    """`X-Content-Type-Options: nosniff` on every response, so a browser never runs a JSON
    or CSV answer as a script or page (one tuple appended per response); the outermost
    middleware, so answers of the other middlewares get it too."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if NOSNIFF not in headers:
                    headers.append(NOSNIFF)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
