"""Asynchronous client of nameko's RPC protocol over one AMQP connection.

The gateway's throughput is decided here (see ARCHITECTURE.md): nameko's standalone proxy is
single-threaded and costly to create, so we speak the protocol directly: publish
`{"args": [], "kwargs": {...}}` to the `nameko-rpc` exchange with routing key
`<service>.<method>`, `reply_to` our exclusive reply queue (bound to the same exchange) and a
`correlation_id`; many calls share the connection, each waits on its own future, and every
call has a timeout. Nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.topology import RPC_EXCHANGE

log = logging.getLogger(__name__)


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float = 10.0, max_in_flight: int = 512,
                 client_name: str = "client") -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.client_name = client_name
        self._slots = asyncio.Semaphore(max_in_flight)
        self.max_in_flight = max_in_flight
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._connection: Any = None
        self._channel: Any = None
        self._exchange: Any = None
        self._reply_queue_name = f"rpc.reply-{client_name}-{uuid.uuid4().hex}"
        self._ready = asyncio.Event()
        self._connector: asyncio.Task[None] | None = None

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    @property
    def connected(self) -> bool:
        return (self._ready.is_set() and self._connection is not None
                and not self._connection.is_closed)

    async def start(self, retry_in_background: bool = False) -> None:
        """Connect. With `retry_in_background`, return at once and keep trying (the gateway
        starts and answers 503 while the broker is down)."""
        if retry_in_background:
            self._connector = asyncio.create_task(self._connect_until_done())
        else:
            await self._connect()

    async def _connect_until_done(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._connect()
                return
            except Exception as exc:
                log.warning("broker not reachable, retrying",
                            extra={"retry_in_s": delay, "error": str(exc)[:200]})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _connect(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.amqp_uri, timeout=5, client_properties={"connection_name": self.client_name})
        self._connection.reconnect_callbacks.add(self._on_reconnect)
        self._connection.close_callbacks.add(self._on_close)
        await self._open_channel()

    async def _open_channel(self) -> None:
        self._channel = await self._connection.channel(on_return_raises=True)
        self._exchange = await self._channel.declare_exchange(
            RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await self._channel.declare_queue(
            self._reply_queue_name, exclusive=True, auto_delete=True)
        await queue.bind(self._exchange, routing_key=self._reply_queue_name)
        await queue.consume(self._on_reply, no_ack=True)
        self._ready.set()

    def _on_close(self, *_: Any) -> None:
        self._ready.clear()
        self._fail_pending(ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                        "connection to the message broker was lost"))

    def _on_reconnect(self, *_: Any) -> None:
        # Robust connections restore channels, queues and consumers themselves.
        self._ready.set()

    def _fail_pending(self, error: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()

    async def close(self) -> None:
        self._fail_pending(ServiceError(ErrorCode.SERVICE_UNAVAILABLE, "client closed"))
        if self._connector is not None:
            self._connector.cancel()
        if self._connection is not None:
            await self._connection.close()

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self._pending.pop(message.correlation_id or "", None)
        if future is None or future.done():
            return
        try:
            payload = json.loads(message.body, object_hook=_untag)
        except ValueError as exc:
            future.set_exception(ServiceError(ErrorCode.INTERNAL, f"undecodable reply: {exc}"))
            return
        error = payload.get("error")
        if error:
            future.set_exception(remote_error(error))
        else:
            future.set_result(payload.get("result"))

    async def call(self, service: str, method: str, timeout: float | None = None,
                   correlation_id: str | None = None, **kwargs: Any) -> Any:
        """Call `service.method(**kwargs)`; raises ServiceError on a typed remote error,
        `service_unavailable` when the broker is down and `timeout` past the deadline."""
        if not self.connected:
            raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE, "message broker unavailable",
                               {"service": service})
        deadline = timeout or self.timeout
        async with self._slots:
            call_id = uuid.uuid4().hex
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._pending[call_id] = future
            headers: dict[str, Any] = {"nameko.correlation_id": correlation_id or call_id}
            body = json.dumps({"args": [], "kwargs": kwargs}, ensure_ascii=False).encode()
            try:
                await self._exchange.publish(
                    aio_pika.Message(body, content_type="application/json",
                                     content_encoding="utf-8", correlation_id=call_id,
                                     reply_to=self._reply_queue_name, headers=headers,
                                     expiration=deadline),
                    routing_key=f"{service}.{method}", mandatory=True)
                return await asyncio.wait_for(future, deadline)
            except TimeoutError:
                raise ServiceError(ErrorCode.TIMEOUT,
                                   f"{service}.{method} did not answer in {deadline:g}s",
                                   {"service": service}) from None
            except aio_pika.exceptions.DeliveryError:
                raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                   f"service {service} is not running",
                                   {"service": service}) from None
            except (aio_pika.exceptions.AMQPConnectionError, ConnectionError,
                    aio_pika.exceptions.ChannelInvalidStateError) as exc:
                raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                   f"message broker unavailable: {exc}",
                                   {"service": service}) from None
            finally:
                self._pending.pop(call_id, None)


def _untag(obj: dict[str, Any]) -> Any:
    """kombu's JSON encoder tags values JSON lacks (datetime, date, UUID, Decimal) as
    {"__type__": ..., "__value__": <its JSON form>}: take the JSON form (ISO text)."""
    if len(obj) == 2 and "__type__" in obj and "__value__" in obj:
        return obj["__value__"]
    return obj


def remote_error(error: dict[str, Any]) -> ServiceError:
    """Turn nameko's serialised exception into a ServiceError."""
    if error.get("exc_type") == "ServiceError":
        args = error.get("exc_args") or []
        if len(args) >= 2:
            details = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
            return ServiceError(str(args[0]), str(args[1]), details)
    if error.get("exc_type") == "MethodNotFound":
        return ServiceError(ErrorCode.NOT_FOUND, f"no such RPC method: {error.get('value')}")
    return ServiceError(ErrorCode.INTERNAL, "the service failed to handle the request",
                        {"exc_type": error.get("exc_type")})
