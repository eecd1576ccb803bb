"""What the dispatcher writes (services/notifications/dispatch.py says why): claims on
`deliveries` (`sending`, a lease, a claim token) and `dispatch_log`, one document per batch
(its intent, then its outcomes and events), applied to the deliveries by `_id`s.

Writes go by `_id` first: SecantusDB picks the first clause it can serve from an index, and
a write planned on `status` would read every pending delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateMany
from pymongo.collection import Collection

from services.contracts.envelope import Envelope
from services.notifications.domain.vocabulary import DeliveryStatus
from services.notifications.repositories.codec import SENDING
from services.notifications.repositories.deliveries import DELIVERIES, RELEASE, with_events
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.outbox import PENDING, with_outbox
from services.runtime.unit_of_work import Repository

DISPATCH_LOG = "dispatch_log"
Document = dict[str, Any]
CLAIMABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)
SETTLED_LOGS_DELETED = 500


class DispatchRepository(InDatabase, Repository):
    stored_in = DISPATCH_LOG
    indexes = (Index(DISPATCH_LOG, "unapplied", (("applied", ASCENDING),
                                                 ("lease_until", ASCENDING))),
               Index(DISPATCH_LOG, "claims", (("claims", ASCENDING),)))

    @property
    def _deliveries(self) -> Collection[Document]:
        """The deliveries the dispatcher claims (its own collection is the log)."""
        return self._collection(DELIVERIES)

    # -- claims -----------------------------------------------------------------------------

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        """Ids of the `limit` deliveries due first. One query per claimable status: equality
        on `status` plus a range on `next_attempt_at` walks only the due part of the `due`
        index, where `status: {$in: [...]}` would read every pending delivery, held ones
        included."""
        rows: list[Document] = []
        for status in CLAIMABLE:
            rows += self._deliveries.find({"status": status, "next_attempt_at": {"$lte": now}},
                                          {"_id": 1, "next_attempt_at": 1}
                                          ).sort("next_attempt_at", 1).limit(limit)
        rows.sort(key=lambda d: d["next_attempt_at"])
        return [d["_id"] for d in rows[:limit]]

    def claim(self, ids: list[str], now: datetime, lease_until: datetime, owner: str,
              token: str) -> list[Document]:
        """Claim those of `ids` still due; returns the ones this claim won (another
        dispatcher may have won some meanwhile)."""
        self._deliveries.update_many(
            {"_id": {"$in": ids}, "status": {"$in": list(CLAIMABLE)},
             "next_attempt_at": {"$lte": now}},
            {"$set": {"status": SENDING, "lease_until": lease_until, "lease_owner": owner,
                      "claim": token}})
        return self.held_under(ids, [token])

    def held_under(self, ids: list[str], claims: list[str]) -> list[Document]:
        """Those of `ids` still held under one of `claims`."""
        claim: Any = claims[0] if len(claims) == 1 else {"$in": claims}
        return list(self._deliveries.find({"_id": {"$in": ids}, "claim": claim}))

    def expired_claims(self, now: datetime, lease_seconds: float, limit: int = 200
                       ) -> list[Document]:
        """Deliveries in `sending` whose lease is over. Read through the `due` index: a lease
        ends at least `lease_seconds` (the shortest lease given) after the delivery fell due,
        so only those due that long ago can be expired; a filter on `status` and
        `lease_until` would read every delivery in `sending`."""
        candidates = self._deliveries.find(
            {"status": SENDING,
             "next_attempt_at": {"$lt": now - timedelta(seconds=lease_seconds)}}).limit(limit)
        return [d for d in candidates if d.get("lease_until") is None or d["lease_until"] < now]

    def release_never_started(self, claim: str, ids: list[str], now: datetime) -> int:
        """Deliveries planned claimed and never attempted: pending again, due at once."""
        return self._deliveries.update_many(
            {"_id": {"$in": ids}, "claim": claim, "status": SENDING},
            {"$set": {"status": DeliveryStatus.PENDING.value, "next_attempt_at": now},
             "$unset": RELEASE}).modified_count

    # -- the dispatch log -------------------------------------------------------------------

    def write_intent(self, entry: Document) -> None:
        self._records.insert_one(entry)

    def record_batch(self, entry: Document, events: list[Envelope], intent: str | None
                     ) -> None:
        """A batch's outcomes and events: a new log document, or the batch's intent
        completed (the intent keeps its own lease, the one covering the sends)."""
        if intent is None:
            self._records.insert_one(with_outbox(entry, events) if events else entry)
            return
        update = {"$set": {k: v for k, v in entry.items() if k not in ("_id", "lease_until")}}
        self._records.update_one({"_id": intent}, with_events(update, events))

    def apply_log(self, entry: Document, outcomes: list[Document],
                  mark_applied: bool = True) -> None:
        """Apply grouped outcomes (`ids`, `fields`) to the deliveries still held under the
        log's claims (idempotent: one released or claimed again since is left alone).

        One `update_many` by `_id`s per group: SecantusDB commits, and syncs, every statement
        on its own."""
        claims = entry.get("claims")
        # A log written before claim tokens were recorded: the deliveries it left `sending`.
        guard: dict[str, Any] = {"claim": {"$in": claims}} if claims else {"status": SENDING}
        operations = [UpdateMany({"_id": {"$in": group["ids"]}, **guard},
                                 {"$set": group["fields"], "$unset": RELEASE})
                      for group in outcomes]
        if operations:
            self._deliveries.bulk_write(operations, ordered=False)
        if mark_applied:
            self._records.update_one({"_id": entry["_id"]}, {
                "$set": {"applied": True}, "$unset": {"outcomes": "", "results": ""}})

    def unapplied_logs(self, now: datetime, limit: int) -> list[Document]:
        """Logs whose lease is over and that were not applied (their writer died)."""
        return list(self._records.find({"applied": False, "lease_until": {"$lt": now}},
                                   limit=limit))

    def mark_applied(self, log_id: str) -> None:
        self._records.update_one({"_id": log_id}, {"$set": {"applied": True}})

    def delete_settled_logs(self) -> None:
        """Applied logs whose events are published are done; deleted by `_id` (a delete
        filtered on another field reads the whole collection on SecantusDB)."""
        done = [d["_id"] for d in self._records.find(
            {"applied": True, PENDING: {"$exists": False}}, {"_id": 1}
        ).limit(SETTLED_LOGS_DELETED)]
        if done:
            self._records.delete_many({"_id": {"$in": done}, PENDING: {"$exists": False}})

    def named_by_intents(self, claims: list[str]) -> set[str]:
        """The deliveries an intent of these claims names (their sends may have started)."""
        if not claims:
            return set()
        return {delivery_id for log in self._records.find({"claims": {"$in": claims}}, {"ids": 1})
                for delivery_id in log.get("ids") or []}
