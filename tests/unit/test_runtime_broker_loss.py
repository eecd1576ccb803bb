"""What the nameko glue does when the broker or the database goes away under it: the fault
tests (tests/reliability/test_faults.py) found each of these killing a service or dropping an
event; these pin the decisions without a broker."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from amqp.exceptions import ConnectionForced
from kombu.exceptions import OperationalError
from pymongo.errors import ServerSelectionTimeoutError

from services.contracts.errors import ErrorCode, ServiceError
from services.runtime.inbox import DeadLettered
from services.runtime.nameko_ext import consumers, entrypoints


class Recorder:
    """Stands in for nameko's queue consumer: records what was done with each message."""

    def __init__(self) -> None:
        self.acked: list[Any] = []
        self.requeued: list[Any] = []

    def ack_message(self, message: Any) -> None:
        self.acked.append(message)

    def requeue_message(self, message: Any) -> None:
        self.requeued.append(message)


class Message:
    def __init__(self) -> None:
        self.delivery_info = {"routing_key": "plan.created"}
        self.properties = {"content_type": "application/json"}


def exc_info_of(exc: BaseException) -> Any:
    try:
        raise exc
    except BaseException:
        return sys.exc_info()


def event_handler() -> tuple[consumers.SafeEventHandler, Recorder]:
    handler = consumers.SafeEventHandler("plans", "plan.created")
    recorder = Recorder()
    handler.queue_consumer = recorder  # type: ignore[assignment]
    return handler, recorder


def test_an_event_whose_failure_could_not_be_stored_goes_back_to_the_queue():
    handler, recorder = event_handler()
    message = Message()
    handler.handle_message_processed(
        message, None, exc_info_of(ServerSelectionTimeoutError("database down")))
    assert recorder.requeued == [message] and recorder.acked == []


@pytest.mark.parametrize("outcome", [None, DeadLettered("handler_error: boom")])
def test_an_applied_or_dead_lettered_event_is_acked(outcome):
    handler, recorder = event_handler()
    message = Message()
    handler.handle_message_processed(message, None,
                                     None if outcome is None else exc_info_of(outcome))
    assert recorder.acked == [message] and recorder.requeued == []


class DeadChannelMessage:
    """A delivered message whose connection died: acking it raises a socket error."""

    class channel:  # kombu's attribute name
        connection = object()

    def ack(self) -> None:
        raise ConnectionResetError(104, "Connection reset by peer")

    def requeue(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_acking_on_a_connection_that_just_died_does_not_raise():
    consumer = consumers.ConnectionSafeQueueConsumer()
    consumer.ack_message(DeadChannelMessage())  # nameko would have killed the service
    consumer.requeue_message(DeadChannelMessage())


def test_a_connection_that_missed_its_heartbeats_is_dropped_without_a_close_handshake():
    collected: list[bool] = []

    class Connection:
        connection_errors = (ConnectionForced,)

        def heartbeat_check(self, rate: int = 2) -> None:
            raise ConnectionForced("Too many heartbeats missed")

        def collect(self) -> None:
            collected.append(True)

    class Consumer(consumers.ConnectionSafeQueueConsumer):
        @property
        def connection(self) -> Any:
            return self._made

    consumer = Consumer()

    class Made:
        def clone(self) -> Connection:
            return Connection()

    consumer._made = Made()  # type: ignore[attr-defined]
    connection = consumer.create_connection()
    with pytest.raises(ConnectionForced):
        connection.heartbeat_check()
    assert collected == [True]


def test_an_rpc_reply_lost_with_the_broker_does_not_kill_the_service(monkeypatch):
    def broker_gone(self: Any, result: Any, exc_info: Any) -> Any:
        raise OperationalError("[Errno 111] ECONNREFUSED")

    monkeypatch.setattr("nameko.rpc.Responder.send_response", broker_gone)
    consumer = entrypoints.ReplySafeRpcConsumer()
    consumer.container = type("Container", (), {"config": {"AMQP_URI": "amqp://x//"}})()
    recorder = Recorder()
    consumer.queue_consumer = recorder  # type: ignore[assignment]
    message = Message()
    result, exc_info = consumer.handle_result(message, {"ok": True}, None)
    assert result == {"ok": True} and exc_info is None
    assert recorder.acked == [message]  # a no-op on the dead channel in real life


def test_an_rpc_method_whose_database_is_unreachable_answers_service_unavailable():
    class Service:
        @entrypoints.rpc_method()
        def ping(self) -> None:
            raise ServerSelectionTimeoutError("127.0.0.1:27027: connection refused")

    with pytest.raises(ServiceError) as raised:
        Service().ping()
    assert raised.value.code == ErrorCode.SERVICE_UNAVAILABLE
