"""Idempotent event consumption and the dead-letter store.

Each consumer records the event ids it has applied (unique per consumer); a redelivered event
is skipped. A message that cannot be applied (not JSON, a wrong envelope, an unknown version,
or a handler error) is stored in `_dead_letters` with the reason, never dropped: nameko acks a
message even when its handler fails, so this store is the only place it survives.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.contracts.envelope import Envelope
from services.contracts.events import EnvelopeError, EventPayload, parse_event
from services.runtime.logging import correlation_id
from services.runtime.metrics import DEAD_LETTERED, DEAD_LETTERS, INBOX_DUPLICATES

log = logging.getLogger(__name__)

INBOX = "_inbox"
DEAD_LETTERS_COLLECTION = "_dead_letters"

Handler = Callable[[Envelope, EventPayload], None]
PROCESS_EXITS = (KeyboardInterrupt, SystemExit, GeneratorExit)


@dataclass(frozen=True)
class UndecodableBody:
    """A message body the transport could not decode (stands in for the payload)."""

    raw: str
    error: str


class DeadLettered(Exception):
    """Raised after a message was stored as a dead letter, so the entrypoint counts an error."""


class EventInbox:
    def __init__(self, db: Database, service: str) -> None:
        self.db = db
        self.service = service
        self.inbox = db[INBOX]
        self.dead_letters = db[DEAD_LETTERS_COLLECTION]

    def ensure_indexes(self) -> None:
        self.inbox.create_index([("consumer", 1), ("event_id", 1)], unique=True,
                                name="consumer_event")
        self.dead_letters.create_index([("status", 1), ("first_at", 1)], name="status_first")
        self.refresh_gauge()

    def process(self, consumer: str, expected_type: str, body: Any, handler: Handler) -> str:
        """Apply `body` once; returns "applied" or "duplicate", or raises DeadLettered."""
        if isinstance(body, UndecodableBody):
            self._dead_letter(consumer, expected_type, body.raw, "malformed", body.error)
        try:
            envelope, payload = parse_event(body, expected_type)
        except EnvelopeError as exc:
            self._dead_letter(consumer, expected_type, body, "malformed", str(exc))
        token = correlation_id.set(envelope.correlationid or envelope.id)
        try:
            if not self._claim(consumer, envelope):
                INBOX_DUPLICATES.labels(self.service, consumer).inc()
                log.info("duplicate event skipped", extra={
                    "consumer": consumer, "event_id": envelope.id, "event_type": envelope.type})
                return "duplicate"
            try:
                handler(envelope, payload)
            except BaseException as exc:
                # eventlet's Timeout derives from BaseException: a handler timing out must be
                # dead-lettered like any failure, not acked with its claim left "processing".
                if isinstance(exc, PROCESS_EXITS) or type(exc).__name__ == "GreenletExit":
                    raise
                self.inbox.delete_one({"_id": claim_id(consumer, envelope.id)})
                self._dead_letter(consumer, expected_type, envelope.model_dump(mode="json"),
                                  "handler_error", f"{type(exc).__name__}: {exc}",
                                  traceback.format_exc(), envelope.id)
            self.inbox.update_one({"_id": claim_id(consumer, envelope.id)},
                                  {"$set": {"status": "done", "done_at": datetime.now(UTC)}})
            return "applied"
        finally:
            correlation_id.reset(token)

    def _claim(self, consumer: str, envelope: Envelope) -> bool:
        """Reserve the event for this consumer; False if it was already applied."""
        try:
            self.inbox.insert_one({
                "_id": claim_id(consumer, envelope.id), "consumer": consumer,
                "event_id": envelope.id,
                "event_type": envelope.type, "status": "processing",
                "received_at": datetime.now(UTC)})
            return True
        except DuplicateKeyError:
            existing = self.inbox.find_one({"consumer": consumer, "event_id": envelope.id})
            # A claim left "processing" by a killed worker is taken over: the broker only
            # redelivers a message that was never acked, so nobody else is applying it.
            if existing is None or existing.get("status") == "done":
                return False
            if existing["_id"] != claim_id(consumer, envelope.id):  # stored before ids were keys
                self.inbox.delete_one({"_id": existing["_id"]})
                return self._claim(consumer, envelope)
            return True

    def _dead_letter(self, consumer: str, event_type: str, body: Any, reason: str, error: str,
                     trace: str | None = None, event_id: str | None = None) -> NoReturn:
        if isinstance(body, bytes | bytearray):
            body = body.decode("utf-8", errors="replace")
        now = datetime.now(UTC)
        self.dead_letters.insert_one({
            "_id": uuid.uuid4().hex, "service": self.service, "consumer": consumer,
            "event_type": event_type, "event_id": event_id or _event_id_of(body),
            "body": body if isinstance(body, dict | str) else repr(body)[:10_000],
            "reason": reason, "error": error[:2000], "traceback": (trace or "")[-4000:],
            "status": "pending", "first_at": now, "replays": 0})
        DEAD_LETTERED.labels(self.service, consumer, reason).inc()
        self.refresh_gauge()
        log.error("message dead-lettered", extra={
            "consumer": consumer, "reason": reason, "error": error[:500]})
        raise DeadLettered(f"{reason}: {error}")

    def refresh_gauge(self) -> None:
        DEAD_LETTERS.labels(self.service).set(
            self.dead_letters.count_documents({"status": "pending"}))

    def list_dead_letters(self, status: str = "pending", limit: int = 100) -> list[dict[str, Any]]:
        rows = self.dead_letters.find({"status": status}).sort("first_at", 1).limit(limit)
        return [{**row, "id": row.pop("_id")} for row in rows]

    def replay(self, dead_letter_id: str, handlers: dict[str, tuple[str, Handler]]) -> str:
        """Run a dead letter through its consumer again. `handlers` maps a consumer name to
        (event type, handler). Returns the outcome; a new failure makes a new dead letter."""
        row = self.dead_letters.find_one({"_id": dead_letter_id, "status": "pending"})
        if row is None:
            return "not_found"
        if row["consumer"] not in handlers:
            return "unknown_consumer"
        event_type, handler = handlers[row["consumer"]]
        self.dead_letters.update_one({"_id": dead_letter_id}, {
            "$set": {"status": "replayed", "replayed_at": datetime.now(UTC)},
            "$inc": {"replays": 1}})
        try:
            outcome = self.process(row["consumer"], event_type, row["body"], handler)
        except DeadLettered:
            outcome = "failed_again"
        self.refresh_gauge()
        return outcome

    def status_of(self, event_id: str) -> list[dict[str, Any]]:
        return [{"consumer": r["consumer"], "status": r["status"]}
                for r in self.inbox.find({"event_id": event_id})]


def claim_id(consumer: str, event_id: str) -> str:
    """The inbox key: deterministic, so marking and releasing a claim are `_id` writes
    (SecantusDB scans the whole collection for a write filtered on any other field)."""
    return f"{consumer}|{event_id}"


def _event_id_of(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return str(body["id"])[:200]
    return None
