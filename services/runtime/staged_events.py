"""Staged events: the outbox's companion for documents written in bulk whose events are
derived from the stored documents alone (their ids too, so publishing one twice is one event
to consumers, which drop the repeat). Such events can skip the outbox in the common case: an
outbox document costs the database a decode, copy and encode of every event at each of the
relay's claim, lease and settle.

1. before the documents of a group are written, one *staged* document per group
   (`staged_at`, the group's document ids): the relay ignores it;
2. the group's documents are written, each naming its staged document (the caller's field);
3. `settle`: their events are published directly, with publisher confirms, and the staged
   document is deleted. When the broker does not take them, they are pushed onto the staged
   document instead, which becomes pending for the outbox relay (one update by `_id`), and
   for `DIRECT_PAUSE_SECONDS` the next groups go to the outbox at once instead of each
   waiting out a connection or confirm timeout.

A worker that dies between 1 and 3 leaves its group staged; `sweep` (a timer) releases, after
a grace period, the events of those of its documents that were stored (`rebuild`), and deletes
staged documents the relay has emptied. Staged documents are keyed by time, so the sweep reads
only those older than the grace period, by `_id` range.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from services.contracts.envelope import Envelope
from services.runtime.outbox import PENDING, merge_updates, outbox_push, with_outbox

log = logging.getLogger(__name__)
Document = dict[str, Any]

STAGED = "staged_at"  # on a staged document until its group's events are released
MEMBERS = "item_ids"  # the ids of the documents whose events it stages
# A worker releases its groups within seconds; a group staged for longer lost its worker.
STAGED_GRACE_SECONDS = 120.0
DIRECT_PAUSE_SECONDS = 30.0

# Publishes envelopes and returns once the broker confirmed them all.
Publish = Callable[[Sequence[Envelope]], None]
# The events of a staged group's stored documents: (member ids, staged id, correlation id).
Rebuild = Callable[[list[str], str, str | None], list[Envelope]]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_key(moment: datetime) -> str:
    """Milliseconds since the epoch, fixed width: ids and sort keys that begin with it sort
    by time. Integer arithmetic, so an instant read back from the database (which keeps
    milliseconds) gives the key it was stored under."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{(moment - EPOCH) // timedelta(milliseconds=1):014d}"


class StagedEvents:
    def __init__(self, collection: Collection[Document], rebuild: Rebuild,
                 publish: Publish | None = None) -> None:
        """`publish`: the direct path; without it every group's events take the outbox."""
        self.collection = collection
        self.rebuild = rebuild
        self.publish = publish
        self._direct_from = 0.0  # monotonic time from which `publish` is tried again

    def stage(self, groups: Sequence[Sequence[str]], now: datetime,
              correlation_id: str | None) -> list[str]:
        """One staged document per group of document ids, written before any of them: if
        this worker dies before settling, the sweep finds the group by it."""
        if not groups:
            return []
        batch = f"{time_key(now)}-{uuid.uuid4().hex[:12]}"
        staged: list[dict[str, Any]] = [
            {"_id": f"{batch}-{number:03d}", STAGED: now, "correlation_id": correlation_id,
             MEMBERS: list(members)}
            for number, members in enumerate(groups)]
        self.collection.insert_many(staged)
        return [doc["_id"] for doc in staged]

    def settle(self, staged_id: str, events: list[Envelope]) -> bool:
        """Publish a stored group's events, or hand them to the outbox relay; True when they
        wait for the relay (wake it: `events_staged`, in the caller's worker)."""
        if self._publish_directly(staged_id, events):
            return False
        self.release(staged_id, events)
        return bool(events)

    def _publish_directly(self, staged_id: str, events: list[Envelope]) -> bool:
        if self.publish is None or not events or time.monotonic() < self._direct_from:
            return False
        try:
            self.publish(events)
        except Exception as exc:
            self._direct_from = time.monotonic() + DIRECT_PAUSE_SECONDS
            log.warning("staged events go through the outbox: the broker did not take them",
                        extra={"events": len(events), "error": str(exc)[:300],
                               "direct_again_in_s": DIRECT_PAUSE_SECONDS})
            return False
        try:
            self.collection.delete_one({"_id": staged_id, STAGED: {"$exists": True}})
        except PyMongoError as exc:
            # Left staged, the group is released again by the sweep: the same event ids a
            # second time, which consumers drop. The documents are stored either way.
            log.warning("a published group stays staged until the sweep",
                        extra={"staged_id": staged_id, "error": str(exc)[:300]})
        return True

    def release(self, staged_id: str, events: list[Envelope]) -> None:
        """Hand a staged group's events to the outbox relay (one update by `_id`)."""
        staged = {"_id": staged_id, STAGED: {"$exists": True}}
        if not events:
            self.collection.delete_one(staged)
            return
        release = merge_updates({"$unset": {STAGED: "", MEMBERS: ""}}, outbox_push(events))
        if self.collection.update_one(staged, release).modified_count == 0:
            # The sweep took this group first (this worker outlived the grace period) and may
            # have missed documents stored since: publish them all again. The event ids derive
            # from the documents, so consumers drop the repeats.
            self.collection.insert_one(with_outbox({"_id": f"{staged_id}-late"}, events))

    def sweep(self, now: datetime | None = None,
              grace_seconds: float = STAGED_GRACE_SECONDS) -> int:
        """Release the events of groups whose worker died between staging and settling them
        (only the documents that were stored), and delete staged documents the relay has
        emptied. Returns how many events it released."""
        now = now or datetime.now(UTC)
        before = time_key(now - timedelta(seconds=grace_seconds))
        released = 0
        relayed: list[str] = []
        for doc in self.collection.find({"_id": {"$lt": before}}, {
                STAGED: 1, PENDING: 1, MEMBERS: 1, "correlation_id": 1}):
            if STAGED in doc:
                events = self.rebuild(doc.get(MEMBERS) or [], doc["_id"],
                                      doc.get("correlation_id"))
                self.release(doc["_id"], events)
                released += len(events)
            elif PENDING not in doc:
                relayed.append(doc["_id"])
        if relayed:
            self.collection.delete_many({"_id": {"$in": relayed}, PENDING: {"$exists": False},
                                         STAGED: {"$exists": False}})
        if released:
            log.warning("released the events of an interrupted batch",
                        extra={"events": released})
        return released
