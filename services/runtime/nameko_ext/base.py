"""Base classes of the nameko services: the dependencies and operator RPC methods they all
share. A service subclasses `PlatformService` (and `EventConsumerService` if it consumes)."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from services.contracts.envelope import Envelope
from services.contracts.events import EventPayload
from services.runtime.inbox import EventInbox, Handler
from services.runtime.nameko_ext.entrypoints import CONSUMER_ATTRIBUTE, rpc_method
from services.runtime.nameko_ext.ops_http import OpsHttp
from services.runtime.nameko_ext.providers import Database, EntrypointMetrics, Inbox
from services.runtime.settings import ServiceSettings


class PlatformService:
    name: ClassVar[str]
    settings_class: ClassVar[type[ServiceSettings]] = ServiceSettings

    metrics = EntrypointMetrics()
    ops_http = OpsHttp()
    db = Database()

    @rpc_method()
    def ops_ping(self) -> dict[str, str]:
        return {"service": self.name, "status": "ok"}


class EventConsumerService(PlatformService):
    inbox: EventInbox = Inbox()

    @rpc_method()
    def ops_dead_letters(self, status: str = "pending", limit: int = 100) -> list[dict[str, Any]]:
        return self.inbox.list_dead_letters(status, min(max(limit, 1), 1000))

    @rpc_method()
    def ops_replay_dead_letters(self, ids: list[str]) -> dict[str, str]:
        handlers = self._consumer_handlers()
        return {i: self.inbox.replay(i, handlers) for i in ids}

    @rpc_method()
    def ops_event_status(self, event_id: str) -> list[dict[str, Any]]:
        """How each consumer of this service has processed one event."""
        return self.inbox.status_of(event_id)

    def _consumer_handlers(self) -> dict[str, tuple[str, Handler]]:
        handlers: dict[str, tuple[str, Handler]] = {}
        for name, member in inspect.getmembers(type(self), inspect.isfunction):
            event_type = getattr(member, CONSUMER_ATTRIBUTE, None)
            if event_type is None:
                continue
            original = getattr(member, "__wrapped__")  # noqa: B009 - set by functools.wraps

            def bound(envelope: Envelope, payload: EventPayload, fn: Any = original) -> None:
                fn(self, envelope, payload)

            handlers[f"{self.inbox.service}.{name}"] = (event_type, bound)
        return handlers
