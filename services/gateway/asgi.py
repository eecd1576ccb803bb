"""The base of the gateway's own ASGI middlewares."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """A plain ASGI middleware (cheaper than `@app.middleware("http")`, which runs each
    request through an extra task and memory streams) that sees HTTP requests only: lifespan
    and websocket messages go straight to the app. Subclasses write `handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError
