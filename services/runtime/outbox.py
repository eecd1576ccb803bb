"""Transactional outbox: events are stored in the same single-document write as the change
they describe, then published by a relay with publisher confirms and removed once confirmed.

Storing: an aggregate document carries `_outbox` (a list of CloudEvents envelopes) and
`_outbox_pending` (indexed, so the relay never scans whole collections). Use `outbox_push` in
an update, or `with_outbox` on a new document. Single-document atomicity is enough: no
transactions needed, which SecantusDB and a standalone MongoDB both support.

Publishing: at least once. A relay that dies after the broker confirmed but before removing
the event publishes it again on restart; consumers deduplicate by event id (the inbox).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import amqp
from amqp import spec
from amqp.method_framing import frame_writer
from amqp.serialization import dumps
from kombu import Connection, Exchange, Queue
from pymongo.database import Database

from services.contracts.envelope import STRUCTURED_CONTENT_TYPE, Envelope
from services.contracts.topology import event_exchange, subscriptions_from
from services.runtime.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
LEASE = "_outbox_lease"
OWNER = "_outbox_owner"
LEASE_SECONDS = 30
DEFAULT_BATCH = 100
BACKLOG_REFRESH_SECONDS = 5.0


# Set when the current worker stored events, so the relay is woken only when there is work.
events_staged: contextvars.ContextVar[bool] = contextvars.ContextVar("events_staged",
                                                                     default=False)


def outbox_push(envelopes: Sequence[Envelope]) -> dict[str, Any]:
    """Update operators that append events to a document's outbox; merge into your update."""
    events_staged.set(True)
    return {
        "$push": {OUTBOX: {"$each": [e.model_dump(mode="json") for e in envelopes]}},
        "$set": {PENDING: True},
    }


def merge_updates(*updates: dict[str, Any]) -> dict[str, Any]:
    """Merge update documents operator by operator ({"$set": a} + {"$set": b})."""
    merged: dict[str, dict[str, Any]] = {}
    for update in updates:
        for operator, fields in update.items():
            merged.setdefault(operator, {}).update(fields)
    return merged


def with_outbox(document: dict[str, Any], envelopes: Sequence[Envelope]) -> dict[str, Any]:
    """A new document that carries its creation events."""
    events_staged.set(True)
    return {**document, OUTBOX: [e.model_dump(mode="json") for e in envelopes], PENDING: True}


def ensure_outbox_index(db: Database, collection: str) -> None:
    db[collection].create_index(PENDING, sparse=True, name="outbox_pending")


class PublishNotConfirmed(Exception):
    """The broker refused (nack) or did not confirm a batch in time: publish it again."""


class Outgoing(NamedTuple):
    """An envelope serialised for the wire, with what routes and labels it."""

    body: bytes
    type: str
    id: str
    correlation_id: str | None


class _FrameBuffer:
    """Stands in for a py-amqp transport: keeps what its frame writer writes."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def write(self, data: bytes | memoryview) -> None:
        self.frames.append(bytes(data))  # py-amqp reuses the buffer behind a memoryview

    def take(self) -> bytes:
        out, self.frames = b"".join(self.frames), []
        return out


class EventPublisher:
    """Publishes envelopes to the service's topic exchange with publisher confirms.

    A batch is published on a confirm-mode channel and its confirms are awaited once: one
    broker round trip per batch instead of one per event. The batch's frames, built by
    py-amqp's own frame writer, go to the socket in one write: a write per event (py-amqp's
    `basic_publish`) was most of the publishing CPU under eventlet (the figures:
    docs/decisions/0005-publishing-events.md). Threads (green ones in a service) may share a
    publisher: batches take turns on its one channel.
    """

    CONFIRM_TIMEOUT_SECONDS = 10.0

    def __init__(self, amqp_uri: str, service: str, heartbeat: int = 15) -> None:
        self.service = service
        self.exchange = Exchange(event_exchange(service), type="topic", durable=True)
        self._connection = Connection(amqp_uri, heartbeat=heartbeat, connect_timeout=5)
        self._channel: Any = None
        self._published = 0  # delivery tags of the confirm channel run 1, 2, ...
        self._confirmed = 0
        self._refused = False
        self._turn = threading.Lock()  # green under eventlet
        self._frames = _FrameBuffer()
        self._write_frame: Any = None
        self._publish_args: dict[str, bytes] = {}  # routing key -> Basic.Publish arguments

    def declare_topology(self) -> None:
        """Declare the exchange and every consumer queue of our events, so that an event
        published before a consumer first starts is kept, not dropped."""
        channel = self._connection.default_channel
        self.exchange(channel).declare()
        for sub in subscriptions_from(self.service):
            queue = Queue(sub.queue, exchange=self.exchange, routing_key=sub.event_type,
                          durable=True, auto_delete=False, exclusive=False)
            queue(channel).declare()

    def publish(self, envelope: dict[str, Any]) -> None:
        self.publish_batch([envelope])

    def publish_batch(self, envelopes: Sequence[dict[str, Any]]) -> None:
        """Publish every envelope, then return once the broker confirmed them all."""
        self._publish([Outgoing(json.dumps(e, ensure_ascii=False).encode(), e["type"], e["id"],
                                e.get("correlationid")) for e in envelopes])

    def publish_envelopes(self, envelopes: Sequence[Envelope]) -> None:
        """`publish_batch` for envelope models, serialised by pydantic-core: a fraction of the
        CPU of `model_dump` then `json.dumps`."""
        self._publish([Outgoing(e.model_dump_json().encode(), e.type, e.id, e.correlationid)
                       for e in envelopes])

    def _publish(self, messages: Sequence[Outgoing]) -> None:
        if not messages:
            return
        with self._turn:
            try:
                self._publish_confirmed(messages)
            except (OSError, amqp.exceptions.AMQPError, PublishNotConfirmed):
                # An idle connection the broker closed for missed heartbeats (the relay only
                # talks when it has work) fails on first use: reconnect once. A batch that
                # got partly through is published again; consumers drop repeats by event id.
                self.reset()
                self._publish_confirmed(messages)
        for message in messages:
            EVENTS_PUBLISHED.labels(self.service, message.type).inc()

    def _publish_confirmed(self, messages: Sequence[Outgoing]) -> None:
        channel = self._confirm_channel()
        self._frames.take()  # what a batch that failed while being framed left behind
        for outgoing in messages:
            headers = {}
            if outgoing.correlation_id:
                headers["nameko.correlation_id"] = outgoing.correlation_id
            message = amqp.Message(
                outgoing.body, content_type=STRUCTURED_CONTENT_TYPE, content_encoding="utf-8",
                delivery_mode=2, message_id=outgoing.id, application_headers=headers)
            self._write_frame(1, channel.channel_id, spec.Basic.Publish,
                              self._arguments(outgoing.type), message)
        frames = self._frames.take()
        # counted before the write: a write that fails part-way leaves tags in use
        self._published += len(messages)
        self._connection.connection.transport.write(frames)
        self._await_confirms()

    def _arguments(self, routing_key: str) -> bytes:
        args = self._publish_args.get(routing_key)
        if args is None:
            args = dumps("Bssbb", (0, self.exchange.name, routing_key, False, False))
            self._publish_args[routing_key] = args
        return args

    def _confirm_channel(self) -> Any:
        if self._channel is None:
            self._connection.ensure_connection(max_retries=1)
            channel = self._connection.connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._channel, self._published, self._confirmed = channel, 0, 0
            # py-amqp's writer for this connection, writing into our buffer, not the socket
            self._write_frame = frame_writer(self._connection.connection, self._frames)
            self._refused = False
        return self._channel

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        # Confirms may be out of order only across `multiple`; acks at or below the highest
        # tag seen are all settled once the last one arrives, which is what we wait for.
        self._confirmed = max(self._confirmed, delivery_tag)

    def _on_nack(self, delivery_tag: int, multiple: bool, *rest: Any) -> None:
        self._refused = True
        self._confirmed = max(self._confirmed, delivery_tag)

    def _await_confirms(self) -> None:
        deadline = time.monotonic() + self.CONFIRM_TIMEOUT_SECONDS
        connection = self._connection.connection
        while self._confirmed < self._published:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishNotConfirmed(f"{self._published - self._confirmed} events "
                                          f"not confirmed in {self.CONFIRM_TIMEOUT_SECONDS} s")
            try:
                connection.drain_events(timeout=remaining)
            except TimeoutError:
                continue
        if self._refused:
            raise PublishNotConfirmed("the broker refused (nack) an event of the batch")

    def reset(self) -> None:
        self._channel = None
        with contextlib.suppress(Exception):
            self._connection.release()
        self._connection = self._connection.clone()

    def close(self) -> None:
        self._connection.release()


class OutboxRelay:
    """Moves events from the outbox documents of some collections to the broker."""

    def __init__(self, db: Database, collections: Iterable[str],
                 publisher: EventPublisher, batch_size: int = DEFAULT_BATCH,
                 lease_seconds: float = LEASE_SECONDS,
                 failpoints: Iterable[str] = ()) -> None:
        self.db = db
        # How long a claimed document stays ours: a relay killed mid-publish holds its
        # documents this long before another (or its restarted self) takes them over.
        self.lease_seconds = lease_seconds
        # Fault tests only (FAILPOINTS setting): crash the process at a named point.
        self.failpoints = frozenset(failpoints)
        self.collections = list(collections)
        self.publisher = publisher
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        # Documents claimed and settled per database round trip, events confirmed per
        # broker round trip.
        self.batch_size = max(1, batch_size)
        self._backlog_at = -BACKLOG_REFRESH_SECONDS

    def flush(self) -> int:
        """Publish every pending event; return how many were published."""
        published = 0
        for name in self.collections:
            while docs := self._claim_batch(name):
                published += self._publish_batch(name, docs)
        self.update_backlog()
        return published

    def _claim_batch(self, name: str) -> list[dict[str, Any]]:
        """Lease up to `batch_size` pending documents in three round trips. The lease carries
        a token per claim, so a document claimed by another relay meanwhile is not ours.

        Every filter is index- or `_id`-driven: no findAndModify and no `$or`, which
        SecantusDB answers with a collection scan (see docs/DEVELOPING.md)."""
        now = datetime.now(UTC)
        free = {PENDING: True, LEASE: {"$not": {"$gt": now}}}  # no lease, or an expired one
        ids = [d["_id"] for d in self.db[name].find(free, {"_id": 1}).limit(self.batch_size)]
        if not ids:
            return []
        token = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        self.db[name].update_many({"_id": {"$in": ids}, **free}, {"$set": {
            LEASE: now + timedelta(seconds=self.lease_seconds), OWNER: token}})
        return list(self.db[name].find({"_id": {"$in": ids}, OWNER: token},
                                       {OUTBOX: 1, OWNER: 1}))

    def _publish_batch(self, name: str, docs: list[dict[str, Any]]) -> int:
        envelopes = [envelope for doc in docs for envelope in doc.get(OUTBOX) or []]
        published = False
        try:
            self._failpoint("outbox.before_publish")
            self.publisher.publish_batch(envelopes)
            published = True
            self._failpoint("outbox.after_publish")
        except Exception:
            self.publisher.reset()
            raise
        finally:
            self._settle(name, docs, envelopes if published else [])
        return len(envelopes)

    def _settle(self, name: str, docs: list[dict[str, Any]],
                published: list[dict[str, Any]]) -> None:
        """Release the lease; remove what the broker confirmed. An event pushed onto a
        document after we claimed it stays, and keeps the document pending.

        A document whose outbox still holds exactly the events we read (the common case) is
        cleared outright, one statement per outbox length, under our claim token; `$pull`
        with `$in`, which SecantusDB answers in time proportional to the outbox times the
        events published, runs only for the documents that gained an event meanwhile."""
        collection = self.db[name]
        left = [doc["_id"] for doc in docs]
        if published:
            by_length: dict[int, list[Any]] = {}
            for doc in docs:
                by_length.setdefault(len(doc.get(OUTBOX) or []), []).append(doc["_id"])
            token = docs[0][OWNER]
            cleared = sum(collection.update_many(
                {"_id": {"$in": ids}, OWNER: token, OUTBOX: {"$size": length}},
                {"$set": {OUTBOX: []}, "$unset": {PENDING: "", LEASE: "", OWNER: ""}}
            ).modified_count
                for length, ids in by_length.items())
            if cleared == len(docs):
                return
            # Whatever still carries our token gained events since the claim.
            left = [d["_id"] for d in collection.find(
                {"_id": {"$in": left}, OWNER: token}, {"_id": 1})]
            if not left:
                return
        release: dict[str, Any] = {"$unset": {LEASE: "", OWNER: ""}}
        if published:
            release["$pull"] = {OUTBOX: {"id": {"$in": [e["id"] for e in published]}}}
        collection.update_many({"_id": {"$in": left}}, release)
        if published:
            collection.update_many({"_id": {"$in": left}, OUTBOX: {"$size": 0}},
                                   {"$unset": {PENDING: ""}})

    def _failpoint(self, name: str) -> None:
        if name in self.failpoints:
            log.error("failpoint reached: exiting as if killed", extra={"failpoint": name})
            os._exit(137)

    def backlog(self) -> int:
        total = 0
        for name in self.collections:
            for row in self.db[name].aggregate([
                    {"$match": {PENDING: True}},
                    {"$project": {"n": {"$size": {"$ifNull": [f"${OUTBOX}", []]}}}}]):
                total += int(row["n"])
        return total

    def update_backlog(self, force: bool = False) -> None:
        """Refresh the backlog gauge, at most every BACKLOG_REFRESH_SECONDS: it reads every
        pending document, and the relay flushes up to several times a second."""
        now = time.monotonic()
        if force or now - self._backlog_at >= BACKLOG_REFRESH_SECONDS:
            self._backlog_at = now
            OUTBOX_BACKLOG.labels(self.publisher.service).set(self.backlog())
