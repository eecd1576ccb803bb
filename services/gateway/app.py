"""The gateway application: FastAPI over RPC to the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.gateway.errors import install_error_handlers
from services.gateway.metrics import record_request
from services.gateway.routers import health, meta, plans
from services.gateway.settings import GatewaySettings
from services.runtime.rpc_client import RpcClient


def create_app(settings: GatewaySettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = RpcClient(settings.amqp_uri, timeout=settings.rpc_timeout_seconds,
                           client_name="gateway")
        app.state.rpc = client
        await client.start(retry_in_background=True)
        try:
            yield
        finally:
            await client.close()

    app = FastAPI(
        title="Campaign platform API",
        version="1",
        description="Plans, notices and monitoring of a provincial information campaign.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.middleware("http")(record_request)
    install_error_handlers(app)
    for module in (health, meta, plans):
        app.include_router(module.router)
    return app
