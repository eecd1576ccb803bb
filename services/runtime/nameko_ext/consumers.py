"""Event handler entrypoint that never loses a message it cannot decode.

nameko's consumer raises inside its connection loop when a body is not valid JSON (kombu's
`on_decode_error` is unset), which redelivers the poison message forever. Ours hands the raw
body to the handler as `UndecodableBody`, so the inbox can dead-letter it and ack it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from nameko.events import EventHandler
from nameko.messaging import QueueConsumer

from services.runtime.inbox import UndecodableBody


class DecodeSafeQueueConsumer(QueueConsumer):
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


safe_event_handler = SafeEventHandler.decorator
