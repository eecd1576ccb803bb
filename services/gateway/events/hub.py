"""In-process fan-out of logged events to open SSE streams. A stream that falls too far behind
is closed (its client resumes with Last-Event-ID from the event log); it never slows others."""

from __future__ import annotations

import asyncio
from typing import Any

from services.gateway.metrics import SSE_CLIENTS

Doc = dict[str, Any]


class Listener:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Doc] = asyncio.Queue(maxsize=size)
        self.overflowed = False


class EventHub:
    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self._listeners: set[Listener] = set()

    def listen(self) -> Listener:
        listener = Listener(self.queue_size)
        self._listeners.add(listener)
        SSE_CLIENTS.set(len(self._listeners))
        return listener

    def leave(self, listener: Listener) -> None:
        self._listeners.discard(listener)
        SSE_CLIENTS.set(len(self._listeners))

    def publish(self, event: Doc) -> None:
        for listener in list(self._listeners):
            try:
                listener.queue.put_nowait(event)
            except asyncio.QueueFull:
                listener.overflowed = True
                self.leave(listener)
