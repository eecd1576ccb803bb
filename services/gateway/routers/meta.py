"""The AsyncAPI document of every event the platform publishes."""

from __future__ import annotations

from typing import Any

from services.contracts.asyncapi import build_document
from services.gateway.routers.routing import Router

router = Router(tags=["operations"])


@router.get("/asyncapi.json", summary="AsyncAPI 3 document of the platform's events")
async def get_asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3 document of every event the platform publishes (CloudEvents envelopes,
    payload schemas, channels), for systems that subscribe over AMQP or webhooks."""
    return build_document()
