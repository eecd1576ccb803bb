"""The event log: consume GATEWAY_EVENT_QUEUE (bound with "#" to every event exchange),
store each event once (its id is the key), then fan it out to SSE streams and webhooks.
Messages are handled one at a time so the log's sequence numbers follow arrival order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta
from typing import Any

import aio_pika
from pydantic import ValidationError

from services.contracts.envelope import Envelope
from services.contracts.topology import EVENT_SOURCES, GATEWAY_EVENT_QUEUE, event_exchange
from services.gateway.events.hub import EventHub
from services.gateway.events.webhooks import WebhookDispatcher
from services.gateway.metrics import EVENTS_LOGGED
from services.gateway.store import EVENTS, Store, utc_now

log = logging.getLogger(__name__)


class EventLogConsumer:
    def __init__(self, amqp_uri: str, store: Store, hub: EventHub,
                 dispatcher: WebhookDispatcher, prefetch: int = 100) -> None:
        self.amqp_uri = amqp_uri
        self.store = store
        self.hub = hub
        self.dispatcher = dispatcher
        self.prefetch = prefetch
        self.connection: Any = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.ready.clear()
                log.warning("event log consumer stopped; reconnecting",
                            extra={"error": str(exc)[:200], "retry_in_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()

    async def _consume(self) -> None:
        self.connection = await aio_pika.connect_robust(
            self.amqp_uri, timeout=5, client_properties={"connection_name": "gateway-events"})
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        # Same arguments as deploy/rabbitmq/definitions.json: durable, no arguments.
        queue = await channel.declare_queue(GATEWAY_EVENT_QUEUE, durable=True)
        for source in EVENT_SOURCES:
            exchange = await channel.declare_exchange(event_exchange(source),
                                                      aio_pika.ExchangeType.TOPIC, durable=True)
            await queue.bind(exchange, routing_key="#")
        self.ready.set()
        async with queue.iterator() as messages:
            async for message in messages:
                await self.handle(message.body)
                await message.ack()

    async def handle(self, body: bytes) -> None:
        try:
            envelope = Envelope.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            EVENTS_LOGGED.labels("rejected").inc()
            await self.store.db["rejected_events"].insert_one(
                {"body": body[:10_000].decode("utf-8", "replace"), "error": str(exc)[:500],
                 "received_at": utc_now()})
            return
        doc = envelope.model_dump(mode="python")
        stored = await self.store.store_event(doc)
        if stored is None:
            EVENTS_LOGGED.labels("duplicate").inc()
            previous = await self.store.event(envelope.id)
            if previous is None or previous.get("fanned_out"):
                return
            stored = previous  # stored, but we stopped before fanning out: finish the job
        else:
            EVENTS_LOGGED.labels("stored").inc()
            self.hub.publish(stored)
        await self.dispatcher.on_event(stored)
        await self.store.db[EVENTS].update_one({"_id": stored["_id"]},
                                               {"$set": {"fanned_out": True}})


async def purge_periodically(store: Store, retention_days: float,
                             every_seconds: float = 3600) -> None:
    while True:
        try:
            removed = await store.purge_before(utc_now() - timedelta(days=retention_days))
            if removed:
                log.info("event log purged", extra={"removed": removed})
        except Exception as exc:
            log.warning("event log purge failed", extra={"error": str(exc)[:200]})
        await asyncio.sleep(every_seconds)
