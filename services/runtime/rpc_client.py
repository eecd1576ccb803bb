"""Asynchronous client of nameko's RPC protocol over one AMQP connection.

The gateway's throughput is decided here (docs/decisions/0003-the-rpc-path.md): nameko's
standalone proxy is
single-threaded and costly to create, so we speak the protocol directly: publish
`{"args": [], "kwargs": {...}}` to the `nameko-rpc` exchange with routing key
`<service>.<method>`, `reply_to` our exclusive reply queue (bound to the same exchange) and a
`correlation_id`; many calls share the connection, each waits on its own future, and every
call has a timeout. Nothing here blocks the event loop.

What a call costs (measured: docs/decisions/0003-the-rpc-path.md):
- Nothing is declared per call: the exchange, the reply queue and its no-ack consumer are set
  up once per connection. aio-pika's robust connection keeps them across broker restarts; the
  hot paths (publishing a request, receiving a reply) use the underlying aiormq channels
  directly, because aio-pika's message objects and its extra task per delivery cost more than
  the rest of the call.
- Publisher confirms only where they buy something. A request to a service with no queue at
  all (never started on this broker) must fail at once with `service_unavailable`, not wait
  for its deadline; the broker returns such a `mandatory` message, and aiormq reports the
  return only on a confirming channel. So the first calls to a service go through the
  confirming channel; once the service has answered, its (durable) queue exists and its
  calls go through a channel without confirms (and not `mandatory`), which saves a broker
  acknowledgement and a wake-up per call. A service is probed again after a timeout, and
  all of them after the connection drops.
- One write per event-loop iteration: aiormq writes every frame with its own system call,
  and on a small machine each one (a wake-up of the broker) costs more than the Python
  around it; under load many requests publish in the same iteration, so their frames leave
  together (`_CoalescingTransportFactory`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import uuid
from typing import Any

import aio_pika
import aiormq
import orjson
from aiormq.abc import DeliveredMessage
from aiormq.connection import TCPTransportFactory
from yarl import URL

from services.contracts.errors import ErrorCode, ServiceError
from services.contracts.topology import RPC_EXCHANGE

log = logging.getLogger(__name__)

# kombu's JSON encoder marks the values JSON lacks; a reply without the marker is decoded by
# orjson without the per-object hook (see _untag).
_KOMBU_TYPE_MARKER = b'"__type__"'


class _CoalescingTransportFactory(TCPTransportFactory):
    """aiormq's plain TCP transport, with the frames written during one event-loop iteration
    sent in one write at the end of it (the order is kept; nothing waits longer than the
    current iteration)."""

    async def create(self, url: URL, **kwargs: Any) -> tuple[asyncio.StreamReader,
                                                              asyncio.StreamWriter]:
        reader, writer = await super().create(url, **kwargs)
        _coalesce_writes(writer)
        return reader, writer


def _coalesce_writes(writer: asyncio.StreamWriter) -> None:
    loop = asyncio.get_running_loop()
    pending: list[bytes | bytearray | memoryview] = []
    write_now, close_now = writer.write, writer.close

    def flush() -> None:
        if pending:
            data = b"".join(pending)
            pending.clear()
            if not writer.transport.is_closing():
                write_now(data)

    def write(data: bytes | bytearray | memoryview) -> None:
        if not pending:
            loop.call_soon(flush)
        pending.append(data)

    def close() -> None:
        flush()  # Connection.Close must leave before the socket closes
        close_now()

    writer.write = write  # type: ignore[method-assign]
    writer.close = close  # type: ignore[method-assign]


class _RobustConnection(aio_pika.RobustConnection):
    """aio-pika's robust connection over the coalescing transport (plain `amqp://` only;
    TLS keeps aiormq's own)."""

    def __init__(self, url: URL, loop: asyncio.AbstractEventLoop | None = None,
                 **kwargs: Any) -> None:
        super().__init__(url, loop, **kwargs)
        if self.url.scheme == "amqp":
            self.kwargs["transport_factory"] = _CoalescingTransportFactory()


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
        # Confirming channel: declarations, the reply consumer, calls to unproven services.
        self._channel: Any = None
        self._confirming: aiormq.abc.AbstractChannel | None = None
        # Channel without confirms: calls to services that have answered.
        self._fast_channel: Any = None
        self._fast: aiormq.abc.AbstractChannel | None = None
        self._answered: set[str] = set()
        client_id = uuid.uuid4().hex
        self._reply_queue_name = f"rpc.reply-{client_name}-{client_id}"
        # Correlation ids only need to be unique among this client's calls.
        self._call_ids = (f"{client_id[:12]}.{n}" for n in itertools.count())
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
            self.amqp_uri, timeout=5, client_properties={"connection_name": self.client_name},
            connection_class=_RobustConnection)
        self._connection.reconnect_callbacks.add(self._on_reconnect)
        self._connection.close_callbacks.add(self._on_close)
        await self._open_channels()

    async def _open_channels(self) -> None:
        self._channel = await self._connection.channel(publisher_confirms=True,
                                                       on_return_raises=True)
        exchange = await self._channel.declare_exchange(
            RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        # Declared through aio-pika so the robust channel declares and binds it again after
        # a reconnection; the consumer is ours and is restarted in _use_channels.
        queue = await self._channel.declare_queue(
            self._reply_queue_name, exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=self._reply_queue_name)
        self._fast_channel = await self._connection.channel(publisher_confirms=False)
        self._channel.reopen_callbacks.add(self._on_channel_reopened)
        self._fast_channel.reopen_callbacks.add(self._on_channel_reopened)
        await self._use_channels()

    async def _use_channels(self) -> None:
        confirming = await self._channel.get_underlay_channel()
        if confirming is not self._confirming:  # a consumer lives and dies with its channel
            await confirming.basic_consume(self._reply_queue_name, self._on_reply,
                                           no_ack=True, exclusive=True)
            self._confirming = confirming
        self._fast = await self._fast_channel.get_underlay_channel()
        self._ready.set()

    async def _on_channel_reopened(self, *_: Any) -> None:
        # A robust channel reopened (after a reconnection or a channel error), with the
        # reply queue declared again: take the new underlying channels.
        await self._use_channels()

    def _on_close(self, *_: Any) -> None:
        self._ready.clear()
        self._answered.clear()  # the broker we reconnect to may have lost their queues
        self._fail_pending(ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                        "connection to the message broker was lost"))

    def _on_reconnect(self, *_: Any) -> None:
        # The channels' reopen callbacks have taken the new channels by now.
        if self._confirming is not None and not self._confirming.is_closed:
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

    async def _on_reply(self, message: DeliveredMessage) -> None:
        future = self._pending.pop(message.header.properties.correlation_id or "", None)
        if future is None or future.done():
            return
        try:
            payload = decode_reply(message.body)
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
        proven = service in self._answered
        channel = self._fast if proven else self._confirming
        if channel is None or not self.connected:
            raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE, "message broker unavailable",
                               {"service": service})
        deadline = timeout or self.timeout
        body = encode_request(kwargs)
        async with self._slots:
            call_id = next(self._call_ids)
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._pending[call_id] = future
            properties = aiormq.spec.Basic.Properties(
                content_type="application/json", content_encoding="utf-8",
                correlation_id=call_id, message_id=call_id, reply_to=self._reply_queue_name,
                headers={"nameko.correlation_id": correlation_id or call_id},
                expiration=str(int(deadline * 1000)))
            try:
                async with asyncio.timeout(deadline):
                    await channel.basic_publish(body, exchange=RPC_EXCHANGE,
                                                routing_key=f"{service}.{method}",
                                                properties=properties, mandatory=not proven)
                    try:
                        result = await future
                    except ServiceError as exc:
                        if exc.code != ErrorCode.SERVICE_UNAVAILABLE:
                            self._answered.add(service)  # a remote error is an answer
                        raise
                self._answered.add(service)
                return result
            except TimeoutError:
                # Its queue may be gone (deleted by hand, a new broker): probe it again with
                # the next call, which then fails at once if nothing can receive it.
                self._answered.discard(service)
                raise ServiceError(ErrorCode.TIMEOUT,
                                   f"{service}.{method} did not answer in {deadline:g}s",
                                   {"service": service}) from None
            except aiormq.exceptions.DeliveryError:
                raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                   f"service {service} is not running",
                                   {"service": service}) from None
            except (aiormq.exceptions.AMQPError, ConnectionError,
                    aiormq.exceptions.ChannelInvalidStateError) as exc:
                raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                   f"message broker unavailable: {exc}",
                                   {"service": service}) from None
            finally:
                self._pending.pop(call_id, None)


def encode_request(kwargs: dict[str, Any]) -> bytes:
    """The request body nameko expects. orjson writes UTF-8 like
    `json.dumps(ensure_ascii=False)`; what it refuses (lone surrogates, huge integers) goes
    through the standard library, which raises the errors the gateway already maps."""
    payload = {"args": [], "kwargs": kwargs}
    try:
        return orjson.dumps(payload)
    except orjson.JSONEncodeError:
        return json.dumps(payload, ensure_ascii=False).encode()


def decode_reply(body: bytes) -> dict[str, Any]:
    if _KOMBU_TYPE_MARKER in body:
        payload: dict[str, Any] = json.loads(body, object_hook=_untag)
    else:
        payload = orjson.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("the reply is not a JSON object")
    return payload


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
