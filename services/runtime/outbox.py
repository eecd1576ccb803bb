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
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from kombu import Connection, Exchange, Queue
from pymongo import ReturnDocument
from pymongo.database import Database

from services.contracts.envelope import Envelope
from services.contracts.topology import event_exchange, subscriptions_from
from services.runtime.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG

log = logging.getLogger(__name__)

OUTBOX = "_outbox"
PENDING = "_outbox_pending"
LEASE = "_outbox_lease"
OWNER = "_outbox_owner"
LEASE_SECONDS = 30


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


class EventPublisher:
    """Publishes envelopes to the service's topic exchange with publisher confirms."""

    def __init__(self, amqp_uri: str, service: str, heartbeat: int = 15) -> None:
        self.service = service
        self.exchange = Exchange(event_exchange(service), type="topic", durable=True)
        self._connection = Connection(
            amqp_uri, heartbeat=heartbeat, connect_timeout=5,
            transport_options={"confirm_publish": True})
        self._producer: Any = None

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
        if self._producer is None:
            self._connection.ensure_connection(max_retries=1)
            self._producer = self._connection.Producer()
        headers = {}
        if envelope.get("correlationid"):
            headers["nameko.correlation_id"] = envelope["correlationid"]
        self._producer.publish(
            json.dumps(envelope, ensure_ascii=False),
            exchange=self.exchange, routing_key=envelope["type"],
            content_type="application/json", content_encoding="utf-8",
            delivery_mode=2, message_id=envelope["id"], headers=headers,
            retry=False,
        )
        EVENTS_PUBLISHED.labels(self.service, envelope["type"]).inc()

    def reset(self) -> None:
        self._producer = None
        with contextlib.suppress(Exception):
            self._connection.release()
        self._connection = self._connection.clone()

    def close(self) -> None:
        self._connection.release()


class OutboxRelay:
    """Moves events from the outbox documents of some collections to the broker."""

    def __init__(self, db: Database, collections: Iterable[str],
                 publisher: EventPublisher, batch_size: int = 1,
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
        # >1: claim and settle up to this many documents per database round trip (services
        # that store many small aggregates at once, e.g. monitoring's items).
        self.batch_size = batch_size

    def flush(self) -> int:
        """Publish every pending event; return how many were published."""
        published = 0
        for name in self.collections:
            if self.batch_size > 1:
                while docs := self._claim_batch(name):
                    published += self._publish_batch(name, docs)
                continue
            while (doc := self._claim(name)) is not None:
                published += self._publish_document(name, doc)
        self.update_backlog()
        return published

    def _claim_batch(self, name: str) -> list[dict[str, Any]]:
        """Lease up to `batch_size` pending documents in three round trips. The lease carries
        a token per claim, so a document claimed by another relay meanwhile is not ours."""
        now = datetime.now(UTC)
        free = {PENDING: True, "$or": [{LEASE: {"$exists": False}}, {LEASE: {"$lt": now}}]}
        ids = [d["_id"] for d in self.db[name].find(free, {"_id": 1}).limit(self.batch_size)]
        if not ids:
            return []
        token = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        # no $or next to $in here: some servers (SecantusDB) evaluate that combination slowly
        self.db[name].update_many({"_id": {"$in": ids}, PENDING: True,
                                   LEASE: {"$not": {"$gt": now}}}, {"$set": {
            LEASE: now + timedelta(seconds=self.lease_seconds), OWNER: token}})
        return list(self.db[name].find({"_id": {"$in": ids}, OWNER: token}, {OUTBOX: 1}))

    def _publish_batch(self, name: str, docs: list[dict[str, Any]]) -> int:
        done: list[str] = []
        settled: list[Any] = []
        try:
            for doc in docs:
                for envelope in doc.get(OUTBOX) or []:
                    self._failpoint("outbox.before_publish")
                    self.publisher.publish(envelope)
                    self._failpoint("outbox.after_publish")
                    done.append(envelope["id"])
                settled.append(doc["_id"])
        except Exception:
            self.publisher.reset()
            raise
        finally:
            ids = [doc["_id"] for doc in docs]
            collection = self.db[name]
            release: dict[str, Any] = {"$unset": {LEASE: "", OWNER: ""}}
            if done:
                release["$pull"] = {OUTBOX: {"id": {"$in": done}}}
            collection.update_many({"_id": {"$in": ids}}, release)
            if settled:
                collection.update_many({"_id": {"$in": settled}, OUTBOX: {"$size": 0}},
                                       {"$unset": {PENDING: ""}})
        return len(done)

    def _claim(self, name: str) -> dict[str, Any] | None:
        now = datetime.now(UTC)
        doc: dict[str, Any] | None = self.db[name].find_one_and_update(
            {PENDING: True, "$or": [{LEASE: {"$exists": False}}, {LEASE: {"$lt": now}}]},
            {"$set": {LEASE: now + timedelta(seconds=self.lease_seconds)}},
            projection={OUTBOX: 1}, return_document=ReturnDocument.AFTER)
        return doc

    def _publish_document(self, name: str, doc: dict[str, Any]) -> int:
        done: list[str] = []
        try:
            for envelope in doc.get(OUTBOX) or []:
                self._failpoint("outbox.before_publish")
                self.publisher.publish(envelope)
                self._failpoint("outbox.after_publish")
                done.append(envelope["id"])
        except Exception:
            self.publisher.reset()
            raise
        finally:
            collection = self.db[name]
            collection.update_one({"_id": doc["_id"]}, {
                "$pull": {OUTBOX: {"id": {"$in": done}}}, "$unset": {LEASE: ""}})
            collection.update_one({"_id": doc["_id"], OUTBOX: {"$size": 0}},
                                  {"$unset": {PENDING: ""}})
        return len(done)

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

    def update_backlog(self) -> None:
        OUTBOX_BACKLOG.labels(self.publisher.service).set(self.backlog())
