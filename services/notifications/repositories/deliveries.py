"""Deliveries: `deliveries`, one document per (notice, unit, channel, language), its `_id` the
delivery key, so each exists once; the message travels in it.

A use case changes a delivery through a `DeliveryRecord` it gets from here and commits it on
its unit of work (an officer's resend, a provider's report, an expiry, an interrupted send,
a fallback opened): the write is guarded by the status (and the claim's lease, the resend
count) read, and carries the change's events. Planning's inserts and releases and the
dispatcher's claims and batches stay bulk writes (`dispatching.py`): one statement for many
deliveries, as monitoring's ingestion does (docs/decisions/0001-unit-of-work.md)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.database import Database

from services.contracts.envelope import Envelope
from services.notifications.domain.delivery import Delivery
from services.notifications.domain.vocabulary import DeliveryStatus
from services.notifications.repositories.codec import (
    SENDING,
    delivery_document,
    delivery_fields,
    delivery_to_domain,
)
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.outbox import merge_updates, outbox_push
from services.runtime.unit_of_work import RUNTIME_FIELD_PREFIX, AggregateRepository

DELIVERIES = "deliveries"
Document = dict[str, Any]
# A delivery without its message: what planning and status lists need.
WITHOUT_MESSAGE = {"subject": 0, "text": 0, "html": 0, "_outbox": 0}
STATUS_ROW = {**WITHOUT_MESSAGE, "_outbox_pending": 0}
# A dispatcher's claim on a delivery, removed when its outcome is written or it is released.
RELEASE = {"lease_until": "", "lease_owner": "", "claim": "", "queued": ""}
# What a fallback delivery carries over from the one it replaces: the message and its context.
MESSAGE_FIELDS = ("subject", "text", "html", "ack_url", "kind", "priority", "priority_rank",
                  "plan_id", "task_id", "ack_deadline", "sender_name", "recipient_name")


@dataclass
class DeliveryRecord:
    """A stored delivery: its document (the message and the claim beside the domain's
    fields), the domain value read from it, and the events its change records; the unit of
    work writes the document's changed fields with those events."""

    stored: dict[str, Any]
    events: list[Any] = field(default_factory=list)

    @classmethod
    def new(cls, delivery: Delivery, **fields: Any) -> DeliveryRecord:
        return cls(delivery_document(delivery, **fields))

    @classmethod
    def fallback(cls, delivery: Delivery, replaced: Mapping[str, Any]) -> DeliveryRecord:
        """A delivery on another channel with the message of the one it replaces."""
        return cls.new(delivery, **{k: replaced.get(k) for k in MESSAGE_FIELDS},
                       fallback_of=replaced["_id"])

    @property
    def value(self) -> Delivery:
        return delivery_to_domain(self.stored)

    @property
    def key(self) -> str:
        return str(self.stored["_id"])

    def change(self, value: Delivery | None, *events: Any, **fields: Any) -> None:
        """The domain's new value (None: unchanged), fields of the document beside it, and
        the events the change causes."""
        if value is not None:
            self.stored.update(delivery_fields(value))
        self.stored.update(fields)
        self.events.extend(events)

    def drop(self, names: Iterable[str]) -> None:
        for name in names:
            self.stored.pop(name, None)

    def release_claim(self) -> None:
        self.drop(RELEASE)

    def claim_for(self, owner: str, claim: str, lease_until: datetime) -> None:
        """Stored claimed for a dispatcher (`sending`, its lease and claim token); `queued`
        tells the housekeeping that none was attempted yet, so one whose lease runs out is
        released, not treated as an interrupted send (dispatch.py)."""
        self.stored.update(status=SENDING, lease_until=lease_until, lease_owner=owner,
                           claim=claim, queued=True)


def with_events(update: dict[str, Any], events: list[Envelope]) -> dict[str, Any]:
    return merge_updates(update, outbox_push(events)) if events else update


class DeliveriesRepository(InDatabase, AggregateRepository[DeliveryRecord]):
    collection = DELIVERIES
    # Another writer that changed one of these since the read makes the write stale: a
    # report or an expiry that settled the delivery first, a claim taken over, a resend.
    guarded_fields: ClassVar[frozenset[str] | None] = frozenset(
        {"status", "lease_until", "resends"})

    def document_of(self, aggregate: DeliveryRecord) -> Document:
        return {name: value for name, value in aggregate.stored.items()
                if name == "_id" or not name.startswith(RUNTIME_FIELD_PREFIX)}

    def aggregate_of(self, document: Mapping[str, Any]) -> DeliveryRecord:
        return DeliveryRecord(copy.deepcopy(dict(document)))

    def _guard(self, original: Mapping[str, Any], changed: Iterable[str]) -> dict[str, Any]:
        # Every change of a delivery is decided from its status: guarded by it even when the
        # status itself stays.
        return {"status": original.get("status"), **super()._guard(original, changed)}

    def watching(self, document: Mapping[str, Any]) -> DeliveryRecord:
        """A delivery read before this unit of work began (a batch read once, settled one by
        one), remembered as read: its change is written guarded by what was read."""
        return self._loaded(document)

    stored_in = DELIVERIES
    indexes = (
        Index(DELIVERIES, "due", (("status", ASCENDING), ("next_attempt_at", ASCENDING))),
        Index(DELIVERIES, "notice", (("notice_id", ASCENDING),)),
        Index(DELIVERIES, "unit", (("unit_id", ASCENDING), ("created_at", DESCENDING))),
        Index(DELIVERIES, "provider_message", (("provider_message_id", ASCENDING),),
              sparse=True))

    @classmethod
    def ensure_indexes(cls, db: Database[Document]) -> None:
        # Claims are re-read by `_id`s and token: an index on the token was one more entry
        # to rewrite on every claim and outcome (SecantusDB rewrites all of a document's).
        if "claim" in db[DELIVERIES].index_information():
            db[DELIVERIES].drop_index("claim")
        super().ensure_indexes(db)


    # -- planning ---------------------------------------------------------------------------

    def planned(self, notice_id: str) -> list[Delivery]:
        """Every delivery of a notice (held ones included), without the messages."""
        return [delivery_to_domain(d) for d in self._records.find(
            {"notice_id": notice_id}, WITHOUT_MESSAGE)]

    def release_held(self, releases: list[tuple[str, Document]]) -> int:
        """Held deliveries made due, each with its message: one round trip; one already
        released (a concurrent approval, a re-run) is left alone."""
        if not releases:
            return 0
        operations = [UpdateOne({"_id": key, "status": DeliveryStatus.HELD.value},
                                {"$set": fields, "$unset": {"hold_reason": ""}})
                      for key, fields in releases]
        return self._records.bulk_write(operations, ordered=False).modified_count

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
        return list(self._records.find(query, STATUS_ROW).sort("_id", 1).limit(limit + 1))

    def counts(self, notice_id: str, unit_ids: list[str] | None = None) -> dict[str, int]:
        """A notice's deliveries counted by status (only `unit_ids`' when given)."""
        query: dict[str, Any] = {"notice_id": notice_id}
        if unit_ids is not None:
            query["unit_id"] = {"$in": unit_ids}
        counts: dict[str, int] = {}
        for row in self._records.find(query, {"status": 1}):
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        return counts

    def received_by(self, notice_id: str, unit_id: str) -> list[Document]:
        """A unit's copies of a notice (languages, channels) with their text."""
        return list(self._records.find({"notice_id": notice_id, "unit_id": unit_id},
                                          {"subject": 1, "text": 1, "language": 1,
                                           "status": 1}))

    def get(self, delivery_id: str) -> DeliveryRecord | None:
        """The delivery, to change."""
        doc = self._records.find_one({"_id": delivery_id})
        return None if doc is None else self._loaded(doc)

    def row(self, delivery_id: str) -> Document | None:
        return self._records.find_one({"_id": delivery_id}, STATUS_ROW)

    # -- reports and expiry -----------------------------------------------------------------

    def by_provider_message(self, channel: str, provider_message_id: str
                            ) -> list[DeliveryRecord]:
        """The deliveries a provider's message carried (a digest carries several), each to
        change in a unit of work of its own (`watching`)."""
        return [self.aggregate_of(d) for d in self._records.find(
            {"provider_message_id": provider_message_id, "channel": channel})]

    def sent_until(self, now: datetime, limit: int = 500) -> list[DeliveryRecord]:
        """`sent` deliveries awaiting a report whose deadline passed, each to change in a
        unit of work of its own (`watching`)."""
        return [self.aggregate_of(d) for d in self._records.find(
            {"status": DeliveryStatus.SENT.value, "expires_at": {"$lte": now}}, limit=limit)]
