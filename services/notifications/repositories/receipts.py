"""Receipts besides acknowledgements (`acknowledgements.py`): `reads` (a unit's first read of
a notice, `_id` "<notice>:<unit>") and `escalations`, one document per step taken (`_id` the
step key), so each is recorded once whoever records it: the unit of work inserts them at
commit and reports one that existed as refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from services.contracts.envelope import Envelope
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import CommitResult, DocumentWrite, Repository

READS = "reads"
ESCALATIONS = "escalations"
Document = dict[str, Any]


class ReceiptsRepository(InDatabase, Repository):
    stored_in = READS
    indexes = (Index(ESCALATIONS, "notice", (("notice_id", ASCENDING),)),)

    # -- reads ------------------------------------------------------------------------------

    def reads(self, keys: list[str]) -> dict[str, Document]:
        """Reads by their key "<notice>:<unit>"."""
        if not keys:
            return {}
        return {r["_id"]: r for r in self._records.find({"_id": {"$in": keys}})}

    def read(self, key: str) -> Document | None:
        return self._records.find_one({"_id": key}, {"at": 1})

    def add_read(self, notice_id: str, unit_id: str, at: datetime, actor: str | None
                 ) -> Document:
        """The unit's read of the notice, kept if it is the first (at commit)."""
        doc = {"_id": f"{notice_id}:{unit_id}", "notice_id": notice_id, "unit_id": unit_id,
               "at": at, "actor": actor}
        self.queue(DocumentWrite(READS, doc["_id"], insert=doc))
        return doc

    @staticmethod
    def read_added(result: CommitResult, key: str) -> bool:
        """Whether the commit kept the read (False: the unit had read the notice before)."""
        return not result.was_refused(READS, key)

    # -- escalation steps -------------------------------------------------------------------

    def steps_taken(self, notice_id: str) -> set[str]:
        return {e["_id"] for e in self._collection(ESCALATIONS).find(
            {"notice_id": notice_id}, {"_id": 1})}

    def step_taken(self, key: str) -> bool:
        return bool(self._collection(ESCALATIONS).count_documents({"_id": key}))

    def add_step(self, doc: Document, events: list[Envelope]) -> None:
        """A step with its events, in the same write (at commit)."""
        self.queue(DocumentWrite(ESCALATIONS, doc["_id"], insert=doc, events=events))

    @staticmethod
    def step_added(result: CommitResult, key: str) -> bool:
        """Whether the commit took the step (False: it was taken already)."""
        return not result.was_refused(ESCALATIONS, key)
