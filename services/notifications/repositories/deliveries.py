"""Deliveries: `deliveries`, one document per (notice, unit, channel, language), its `_id` the
delivery key, so each exists once; the message travels in it. What the dispatcher's claims
and batches write is in `dispatching.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.contracts.envelope import Envelope
from services.notifications.domain.delivery import Delivery, DeliveryStatus
from services.notifications.repositories.base import InDatabase
from services.notifications.repositories.codec import delivery_fields, delivery_to_domain
from services.runtime.mongo import refused_as_duplicates
from services.runtime.outbox import merge_updates, outbox_push
from services.runtime.unit_of_work import Repository

DELIVERIES = "deliveries"
Document = dict[str, Any]
# A delivery without its message: what planning and status lists need.
WITHOUT_MESSAGE = {"subject": 0, "text": 0, "html": 0, "_outbox": 0}
STATUS_ROW = {**WITHOUT_MESSAGE, "_outbox_pending": 0}


def with_events(update: dict[str, Any], events: list[Envelope]) -> dict[str, Any]:
    return merge_updates(update, outbox_push(events)) if events else update


class DeliveriesRepository(InDatabase, Repository):
    @staticmethod
    def ensure_indexes(db: Database[Document]) -> None:
        deliveries = db[DELIVERIES]
        deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)],
                                name="due")
        deliveries.create_index([("notice_id", ASCENDING)], name="notice")
        # Claims are re-read by `_id`s and token: an index on the token was one more entry
        # to rewrite on every claim and outcome (SecantusDB rewrites all of a document's).
        if "claim" in deliveries.index_information():
            deliveries.drop_index("claim")
        deliveries.create_index([("unit_id", ASCENDING), ("created_at", DESCENDING)],
                                name="unit")
        deliveries.create_index([("provider_message_id", ASCENDING)], sparse=True,
                                name="provider_message")

    @property
    def _deliveries(self) -> Collection[Document]:
        return self._collection(DELIVERIES)

    # -- planning ---------------------------------------------------------------------------

    def planned(self, notice_id: str) -> list[Delivery]:
        """Every delivery of a notice (held ones included), without the messages."""
        return [delivery_to_domain(d) for d in self._deliveries.find(
            {"notice_id": notice_id}, WITHOUT_MESSAGE)]

    def insert_new(self, docs: list[Document]) -> list[Document]:
        """Insert what does not exist yet; returns the documents inserted."""
        if not docs:
            return []
        try:
            self._deliveries.insert_many(docs, ordered=False)
            return docs
        except BulkWriteError as exc:
            existing = refused_as_duplicates(exc)
            return [d for i, d in enumerate(docs) if i not in existing]

    def insert_one_new(self, doc: Document) -> bool:
        """One delivery (a fallback); False when it exists (opened already by a re-run)."""
        try:
            self._deliveries.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def release_held(self, releases: list[tuple[str, Document]]) -> int:
        """Held deliveries made due, each with its message: one round trip; one already
        released (a concurrent approval, a re-run) is left alone."""
        if not releases:
            return 0
        operations = [UpdateOne({"_id": key, "status": DeliveryStatus.HELD.value},
                                {"$set": fields, "$unset": {"hold_reason": ""}})
                      for key, fields in releases]
        return self._deliveries.bulk_write(operations, ordered=False).modified_count

    # -- status per recipient ---------------------------------------------------------------

    def rows(self, *, notice_id: str | None, unit_ids: list[str] | None,
             channel: str | None, status: str | None, language: str | None,
             after: str | None, limit: int) -> list[Document]:
        """Deliveries by `_id` (the cursor), without their messages; `limit` + 1 to tell
        whether a next page exists."""
        query: dict[str, Any] = {}
        if notice_id:
            query["notice_id"] = notice_id
        if unit_ids is not None:
            query["unit_id"] = unit_ids[0] if len(unit_ids) == 1 else {"$in": unit_ids}
        for name, value in (("channel", channel), ("status", status), ("language", language)):
            if value:
                query[name] = value
        if after:
            query["_id"] = {"$gt": after}
        return list(self._deliveries.find(query, STATUS_ROW).sort("_id", 1).limit(limit + 1))

    def counts(self, notice_id: str, unit_ids: list[str] | None = None) -> dict[str, int]:
        """A notice's deliveries counted by status (only `unit_ids`' when given)."""
        query: dict[str, Any] = {"notice_id": notice_id}
        if unit_ids is not None:
            query["unit_id"] = {"$in": unit_ids}
        counts: dict[str, int] = {}
        for row in self._deliveries.find(query, {"status": 1}):
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        return counts

    def received_by(self, notice_id: str, unit_id: str) -> list[Document]:
        """A unit's copies of a notice (languages, channels) with their text."""
        return list(self._deliveries.find({"notice_id": notice_id, "unit_id": unit_id},
                                          {"subject": 1, "text": 1, "language": 1,
                                           "status": 1}))

    def find(self, delivery_id: str) -> Delivery | None:
        doc = self._deliveries.find_one({"_id": delivery_id}, WITHOUT_MESSAGE)
        return delivery_to_domain(doc) if doc is not None else None

    def row(self, delivery_id: str) -> Document | None:
        return self._deliveries.find_one({"_id": delivery_id}, STATUS_ROW)

    def save_resend(self, before: Delivery, after: Delivery, actor: str) -> bool:
        """A delivery sent once more, if nothing changed it since it was read."""
        fields = delivery_fields(after)
        fields.update(expires_at=after.expires_at, resends=after.resends,
                      resent_at=after.updated_at, resent_by=actor)
        result = self._deliveries.update_one(
            {"_id": before.key, "status": before.status.value,
             "resends": before.resends if before.resends else {"$in": [0, None]}},
            {"$set": fields, "$unset": {"provider_message_id": ""}})
        return result.modified_count == 1

    # -- reports and expiry -----------------------------------------------------------------

    def by_provider_message(self, channel: str, provider_message_id: str) -> list[Document]:
        """The deliveries a provider's message carried (a digest carries several)."""
        return list(self._deliveries.find({"provider_message_id": provider_message_id,
                                           "channel": channel}))

    def sent_until(self, now: datetime, limit: int = 500) -> list[Document]:
        """`sent` deliveries awaiting a report whose deadline passed."""
        return list(self._deliveries.find({"status": DeliveryStatus.SENT.value,
                                           "expires_at": {"$lte": now}}, limit=limit))

    def settle_sent(self, delivery_id: str, fields: Document, events: list[Envelope]) -> int:
        """A `sent` delivery's final outcome (a report, its expiry) with its events; 0 when
        something settled it first."""
        return self._deliveries.update_one(
            {"_id": delivery_id, "status": DeliveryStatus.SENT.value},
            with_events({"$set": fields}, events)).modified_count
