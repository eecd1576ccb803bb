"""Entrypoint decorators: RPC methods with validated payloads and typed errors, and event
consumers that are idempotent and dead-letter what they cannot apply."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange
from pydantic import BaseModel, ValidationError
from pymongo.errors import ConnectionFailure

from services.contracts.envelope import Envelope
from services.contracts.errors import ErrorCode, ServiceError, as_service_error
from services.contracts.events import EventPayload, source_service_of
from services.contracts.rpc import RequestT, RpcMethod
from services.runtime.json_values import rebuilt
from services.runtime.nameko_ext.consumers import ConnectionSafeQueueConsumer, safe_event_handler

F = TypeVar("F", bound=Callable[..., Any])

CONSUMER_ATTRIBUTE = "_consumes_event_type"

log = logging.getLogger(__name__)


class UnconfirmedPublisher(Publisher):
    use_confirms = False


class ReplyResponder(Responder):
    """Replies go out without publisher confirms. A confirm makes every reply wait for the
    broker, and it would save nothing: a reply lost with the broker leaves the caller to time
    out, which is what happens anyway when the confirm fails (see below)."""

    publisher_cls = UnconfirmedPublisher


class ReplySafeRpcConsumer(RpcConsumer):
    """nameko kills the whole container when a reply cannot be published, which is what
    happens to every call in flight when the broker restarts: the service process exited and
    never came back. A lost reply is not a reason to die: the caller times out (the gateway
    answers 503) and, the request being unacked on a dead channel, the broker redelivers it;
    mutating methods take an idempotency key, so the retry returns the first result."""

    queue_consumer = ConnectionSafeQueueConsumer()

    def setup(self) -> None:
        super().setup()
        # Read once: nameko looked these up and built the exchange again for every reply.
        config = self.container.config
        self._reply_route = (config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                             config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER))
        self._reply_connection = {"ssl": config.get(AMQP_SSL_CONFIG_KEY),
                                  "login_method": config.get(LOGIN_METHOD_CONFIG_KEY)}

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        try:
            responder = ReplyResponder(*self._reply_route, message, **self._reply_connection)
            result, exc_info = responder.send_response(result, exc_info)
            self.queue_consumer.ack_message(message)
            return result, exc_info
        except Exception as exc:
            log.warning("RPC reply not sent; the caller will time out", extra={
                "routing_key": message.delivery_info.get("routing_key"),
                "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
            # A no-op when the channel died with the connection (the broker requeues it);
            # otherwise the request is settled like any answered one, not executed again.
            with contextlib.suppress(Exception):
                self.queue_consumer.ack_message(message)
            return result, exc_info


class ReplySafeRpc(Rpc):
    rpc_consumer = ReplySafeRpcConsumer()


def to_wire(value: Any) -> Any:
    """Make an RPC result JSON-ready (pydantic models dumped in JSON mode)."""
    return rebuilt(value, _model_dumped)


def _model_dumped(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def validation_details(exc: ValidationError) -> dict[str, Any]:
    return {"errors": [
        {"loc": [str(p) for p in err["loc"]], "msg": err["msg"], "type": err["type"]}
        for err in exc.errors()[:20]]}


def rpc_method(declaration: RpcMethod[Any, Any] | type[BaseModel] | None = None
               ) -> Callable[[F], F]:
    """An RPC method, registered from its catalogue entry (`services.contracts.rpc_catalogue`;
    a bare request model is the older form). Keyword arguments are validated into the request
    model and the method receives the model; unknown fields and bad values answer
    `validation_failed`. Domain errors (anything with code/message/details) travel as
    `ServiceError`."""
    request_model = declaration.request if isinstance(declaration, RpcMethod) else declaration

    def decorate(fn: F) -> F:
        if isinstance(declaration, RpcMethod) and declaration.name != fn.__name__:
            raise TypeError(f"{fn.__qualname__} serves {declaration.routing_key}: the method "
                            "must have the declared name")
        @functools.wraps(fn)
        def entry(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                if request_model is None:
                    return to_wire(fn(self, *args, **kwargs))
                if args:
                    raise ServiceError(ErrorCode.VALIDATION_FAILED,
                                       "pass the request fields as keyword arguments")
                try:
                    request = request_model.model_validate(kwargs)
                except ValidationError as exc:
                    raise ServiceError(ErrorCode.VALIDATION_FAILED, "invalid request",
                                       validation_details(exc)) from None
                return to_wire(fn(self, request))
            except ServiceError:
                raise
            except ConnectionFailure:
                # The database is unreachable (down, restarting): a retry later can succeed,
                # so the caller gets service_unavailable (503 with Retry-After), not a 500.
                raise ServiceError(ErrorCode.SERVICE_UNAVAILABLE,
                                   "the service's database is unavailable") from None
            except Exception as exc:
                error = as_service_error(exc)
                if error is None:
                    raise
                raise error from None

        return ReplySafeRpc.decorator(expected_exceptions=(ServiceError,))(entry)

    return decorate


def serves(declaration: RpcMethod[RequestT, Any],
           use_case: Callable[[RequestT, Any], Any]) -> Callable[[Any, RequestT], Any]:
    """The RPC method of a use case `use_case(request, context)` that needs nothing else: the
    request model comes from the catalogue entry, the context from the service's `context`.
    `add_task = serves(plans_rpc.ADD_TASK, tasks.add_task)` replaces a method that only passes
    both on, and the type checker matches the use case's request with the declared one."""
    def entry(self: Any, request: RequestT) -> Any:
        return use_case(request, self.context)

    entry.__name__ = entry.__qualname__ = declaration.name
    return rpc_method(declaration)(entry)


def consumes(event_type: str) -> Callable[[F], F]:
    """An event handler `fn(self, envelope, payload)`, applied once per event id.

    The service must declare an `inbox = Inbox()` dependency; the queue is the one declared
    for (event type, service, method name) in contracts/topology.py."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def entry(self: Any, body: Any) -> None:
            inbox = self.inbox
            consumer = f"{inbox.service}.{fn.__name__}"

            def apply(envelope: Envelope, payload: EventPayload) -> None:
                fn(self, envelope, payload)

            inbox.process(consumer, event_type, body, apply)

        setattr(entry, CONSUMER_ATTRIBUTE, event_type)
        handler = safe_event_handler(source_service_of(event_type), event_type)
        return handler(entry)

    return decorate
