"""The event log: consume GATEWAY_EVENT_QUEUE (bound with "#" to every event exchange),
store each event once (its id is the key), then fan it out to SSE streams and webhooks.
The body is the whole envelope whether the message says `application/cloudevents+json`
(structured mode) or `application/json` (queued before): both are read the same way.

Messages are handled in arrival order, in batches of what has arrived (up to the prefetch):
one read finds redeliveries, one counter update reserves the batch's sequence numbers, one
insert stores it, one multiple-ack settles it. Handled one by one (three synced writes per
event) the log fell behind the platform at half its capacity, its queue growing without
bound (the soak, issue #8), and every write gets slower as the database grows."""

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
from services.gateway.events.webhooks import WebhookDispatcher, wants
from services.gateway.metrics import EVENTS_LOGGED
from services.gateway.repositories import Store, utc_now

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
        # A plain connection: `run` reconnects, and a lost connection must end this consumer
        # (its unacked messages go back to the queue) rather than resume it half-way.
        self.connection = await aio_pika.connect(
            self.amqp_uri, timeout=5, client_properties={"connection_name": "gateway-events"})
        arrived: asyncio.Queue[Any] = asyncio.Queue()
        self.connection.close_callbacks.add(lambda *_: arrived.put_nowait(None))
        try:
            channel = await self.connection.channel()
            await channel.set_qos(prefetch_count=self.prefetch)
            # Same arguments as deploy/rabbitmq/definitions.json: durable, no arguments.
            queue = await channel.declare_queue(GATEWAY_EVENT_QUEUE, durable=True)
            for source in EVENT_SOURCES:
                exchange = await channel.declare_exchange(
                    event_exchange(source), aio_pika.ExchangeType.TOPIC, durable=True)
                await queue.bind(exchange, routing_key="#")
            await queue.consume(arrived.put)
            self.ready.set()
            while True:
                batch = [await arrived.get()]
                while not arrived.empty() and len(batch) < self.prefetch:
                    batch.append(arrived.get_nowait())
                if None in batch:
                    raise ConnectionError("event log connection closed")
                await self.handle_batch([message.body for message in batch])
                # in order on one channel: acking the last acks the whole batch
                await batch[-1].ack(multiple=True)
        finally:
            with contextlib.suppress(Exception):
                await self.connection.close()

    async def handle_batch(self, bodies: list[bytes]) -> None:
        envelopes: list[Envelope] = []
        for body in bodies:
            try:
                envelopes.append(Envelope.model_validate(json.loads(body)))
            except (ValueError, ValidationError) as exc:
                EVENTS_LOGGED.labels("rejected").inc()
                await self.store.events.reject(body, str(exc))
        if not envelopes:
            return
        known = await self.store.events.fan_out_state([e.id for e in envelopes])
        new: dict[str, Envelope] = {}
        for envelope in envelopes:
            if envelope.id not in known:
                new.setdefault(envelope.id, envelope)  # twice in one batch: stored once
        subscriptions = await self.store.subscriptions.active()
        stored = await self._store_new(list(new.values()), subscriptions)
        for doc in stored:
            EVENTS_LOGGED.labels("stored").inc()
            self.hub.publish(doc)
        # Redeliveries: done, unless we stopped before fanning out (finish the job).
        unfinished = [event_id for event_id, doc in known.items() if not doc.get("fanned_out")]
        for _ in range(len(envelopes) - len(stored)):
            EVENTS_LOGGED.labels("duplicate").inc()
        pending = [doc for doc in stored if not doc["fanned_out"]]
        if unfinished:
            pending += await self.store.events.by_ids(unfinished)
        for doc in pending:
            await self.dispatcher.on_event(doc)
        await self.store.events.mark_fanned_out([doc["_id"] for doc in pending])

    async def _store_new(self, envelopes: list[Envelope],
                         subscriptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert the events with consecutive sequence numbers (arrival order); returns
        those stored here (another replica may have stored some meanwhile)."""
        if not envelopes:
            return []
        now = utc_now()
        docs = []
        for envelope in envelopes:
            doc = envelope.model_dump(mode="python")
            event_id = doc.pop("id")
            # nothing to fan out to webhooks: finished as soon as it is stored
            fanned_out = not any(wants(s, envelope.type) for s in subscriptions)
            docs.append({**doc, "_id": event_id, "received_at": now,
                         "fanned_out": fanned_out})
        return await self.store.events.add_in_order(docs)


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
