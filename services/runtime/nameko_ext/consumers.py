"""Queue consumers that survive the broker going away, and an event handler entrypoint that
never loses a message it cannot decode.

nameko's consumer raises inside its connection loop when a body is not valid JSON (kombu's
`on_decode_error` is unset), which redelivers the poison message forever. Ours hands the raw
body to the handler as `UndecodableBody`, so the inbox can dead-letter it and ack it.

Events arrive as `application/cloudevents+json` (CloudEvents structured mode), or as plain
`application/json` when queued before that: kombu decodes by content type and refuses types it
does not accept, so the structured type is registered as JSON and accepted here.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from kombu.serialization import register
from kombu.utils import json as kombu_json
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from pymongo.errors import ConnectionFailure

from services.contracts.envelope import STRUCTURED_CONTENT_TYPE
from services.runtime.inbox import UndecodableBody

log = logging.getLogger(__name__)

CLOUDEVENTS_SERIALIZER = "cloudevents-json"
register(CLOUDEVENTS_SERIALIZER, kombu_json.dumps, kombu_json.loads,
         content_type=STRUCTURED_CONTENT_TYPE, content_encoding="utf-8")


class ConnectionSafeQueueConsumer(QueueConsumer):
    """nameko's queue consumer, made to survive losing the broker (fault tests, issue #8).

    - A connection whose heartbeats stopped is abandoned, not closed politely: kombu notices
      the missed heartbeats, then cancels the consumers and waits for the broker's close-ok
      on that same connection; over a stalled link the answer never comes, so the service
      consumed nothing until the network healed. Dropping the socket (`collect`) lets it
      reconnect at once; the broker requeues whatever was unacked.
    - An ack that fails with a socket error is logged, not raised (see `ack_message`)."""

    def create_connection(self) -> Any:
        connection = super().create_connection()
        check = connection.heartbeat_check

        def heartbeat_check(rate: int = 2) -> Any:
            try:
                return check(rate=rate)
            except connection.connection_errors:
                connection.collect()
                raise

        connection.heartbeat_check = heartbeat_check
        return connection

    def ack_message(self, message: Any) -> None:
        self._settle(super().ack_message, message, "ack")

    def requeue_message(self, message: Any) -> None:
        self._settle(super().requeue_message, message, "requeue")

    @staticmethod
    def _settle(settle: Any, message: Any, what: str) -> None:
        # nameko ignores amqp's ConnectionError here, but a socket error (the broker went
        # away a moment ago) escaped and nameko killed the whole service for it. The broker
        # redelivers an unsettled message; the inbox skips what was already applied.
        try:
            settle(message)
        except OSError as exc:
            log.warning(f"{what} lost with the broker connection; the broker redelivers",
                        extra={"error": f"{type(exc).__name__}: {exc}"})


class DecodeSafeQueueConsumer(ConnectionSafeQueueConsumer):
    @property
    def accept(self) -> list[str]:
        """The service's serializers (JSON), and CloudEvents structured JSON."""
        return [*self.container.accept, CLOUDEVENTS_SERIALIZER]

    def get_consumers(self, consumer_cls: Any, channel: Any) -> Any:
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._on_decode_error, provider)
        return consumers

    def _on_decode_error(self, provider: Any, message: Any, exc: Exception) -> None:
        raw = message.body
        if isinstance(raw, bytes | bytearray):
            raw = raw.decode("utf-8", errors="replace")
        body = UndecodableBody(raw=str(raw)[:100_000],
                               error=f"undecodable {message.content_type!r} body: {exc}")
        self.handle_message(provider, body, message)


class SafeEventHandler(EventHandler):
    queue_consumer = DecodeSafeQueueConsumer()

    def handle_message_processed(self, message: Any, result: Any = None,
                                 exc_info: Any = None) -> None:
        # nameko acks a message whatever its handler did; the inbox stores every failure it
        # can as a dead letter first. With the database unreachable it cannot, and the ack
        # dropped the event (seen killing the database under load): give it back to the
        # broker instead, to be applied once the database answers again.
        if exc_info is not None and isinstance(exc_info[1], ConnectionFailure):
            log.warning("database unreachable; event returned to the queue", extra={
                "routing_key": message.delivery_info.get("routing_key"),
                "error": str(exc_info[1])[:200]})
            self.queue_consumer.requeue_message(message)
            return
        super().handle_message_processed(message, result, exc_info)


safe_event_handler = SafeEventHandler.decorator
