"""Run the gateway: `python -m services.gateway`."""

from __future__ import annotations

import logging

import uvicorn

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.runtime.gc_tuning import tune_for_service
from services.runtime.logging import configure_logging
from services.runtime.settings import load_settings


def main() -> None:
    settings = load_settings(GatewaySettings)
    configure_logging("gateway", settings.log_level)
    logging.getLogger("gateway").info("gateway listening", extra={"url": settings.base_url()})
    # uvloop and httptools: the event loop and the HTTP parser in C (pure-Python asyncio and
    # h11 cost several times more CPU per request). One worker process: why more do not pay on
    # a small machine is docs/decisions/0004-the-gateway-request-path.md.
    app = create_app(settings)
    tune_for_service()
    uvicorn.run(app, host=settings.host, port=settings.port,
                loop="uvloop", http="httptools", log_config=None, access_log=False,
                timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
