"""Headers every answer carries, errors and 404s included."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeaders:
    """`X-Content-Type-Options: nosniff` on every response, so a browser never runs a JSON
    or CSV answer as a script or page. A plain ASGI middleware (one tuple appended per
    response); the outermost one, so answers of the other middlewares get it too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if NOSNIFF not in headers:
                    headers.append(NOSNIFF)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
