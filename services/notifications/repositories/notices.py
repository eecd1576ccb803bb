"""Notices: `notices`, one document per notice (`_id` derived from the natural key of what
caused it, so a replayed cause finds the notice it made).

Reads run at once; writes (a new notice, its planning done, its escalation or translation
hold closed, the recipients it could not reach) are queued and made by the unit of work at
`commit()`, each one document by `_id`. A new notice whose id exists is refused, never
raised (`added`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.cursor import Cursor

from services.notifications.domain.notices import Notice
from services.notifications.repositories.codec import notice_document, notice_to_domain
from services.runtime.mongo import keyset_after
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import CommitResult, DocumentWrite, Repository

NOTICES = "notices"
Document = dict[str, Any]
# A notice without its pending events (the outbox's fields).
NOTICE_PROJECTION = {"_outbox": 0, "_outbox_pending": 0, "_outbox_lease": 0}


class NoticesRepository(InDatabase, Repository):
    stored_in = NOTICES
    indexes = (
        Index(NOTICES, "recipients", (("recipients", ASCENDING),)),
        Index(NOTICES, "plan", (("plan_id", ASCENDING),)),
        Index(NOTICES, "newest", (("created_at", DESCENDING),)),
        Index(NOTICES, "escalation_open", (("escalation_open", ASCENDING),
                                           ("ack_deadline", ASCENDING)), sparse=True),
        Index(NOTICES, "translation_hold", (("translation_hold_open", ASCENDING),
                                            ("translation_deadline", ASCENDING)), sparse=True))

    # -- reads ------------------------------------------------------------------------------

    def stored(self, notice_id: str) -> Document | None:
        """The notice's document as stored (its events included)."""
        return self._records.find_one({"_id": notice_id})

    def find(self, notice_id: str) -> Document | None:
        return self._records.find_one({"_id": notice_id}, NOTICE_PROJECTION)

    def by_id(self, notice_ids: list[str]) -> dict[str, Document]:
        return {n["_id"]: n for n in self._records.find({"_id": {"$in": notice_ids}},
                                                        NOTICE_PROJECTION)}

    def page(self, *, plan_id: str | None, task_id: str | None, unit_id: str | None,
             kind: str | None, after: str | None, limit: int) -> list[Document]:
        """Notices newest first after the notice `after`; `limit` + 1 to tell whether a next
        page exists."""
        query: dict[str, Any] = {}
        for name, value in (("plan_id", plan_id), ("task_id", task_id), ("kind", kind)):
            if value:
                query[name] = value
        if unit_id:
            query["recipients"] = unit_id
        return list(self._newest_first(query, after).limit(limit + 1))

    def of_recipient_newest_first(self, unit_id: str, after: str | None
                                  ) -> Iterator[Document]:
        return iter(self._newest_first({"recipients": unit_id}, after))

    def _newest_first(self, query: dict[str, Any], after: str | None) -> Cursor[Document]:
        """Notices newest first by creation (their ids are hashes, in no order of time);
        `after` is the id of the last notice of the previous page."""
        if after:
            query = {**query, **keyset_after(self._records, after, "created_at",
                                             newest_first=True)}
        return self._records.find(query, NOTICE_PROJECTION).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)])

    def approved_for(self, unit_id: str) -> list[Notice]:
        return [notice_to_domain(n) for n in self._records.find(
            {"recipients": unit_id, "status": "approved"}, NOTICE_PROJECTION)]

    def unreachable(self, notice_id: str) -> list[Document]:
        """The recipients the notice could not reach, as recorded."""
        found = self._records.find_one({"_id": notice_id}, {"unreachable": 1}) or {}
        return list(found.get("unreachable") or [])

    def awaiting_escalation(self, now: datetime, limit: int) -> list[Document]:
        """Notices whose ack deadline passed and whose escalation is not finished."""
        return list(self._records.find({"escalation_open": True,
                                        "ack_deadline": {"$lte": now}}, limit=limit))

    def past_translation_deadline(self, now: datetime, limit: int = 100) -> list[Document]:
        """Notices under policy wait whose translation deadline passed and whose held
        Vietnamese copies were not released for it yet (the `translation_hold` index)."""
        return list(self._records.find({"translation_hold_open": True,
                                        "translation_deadline": {"$lte": now}}, limit=limit))

    # -- writes, made at commit -------------------------------------------------------------

    def add(self, notice: Notice, **fields: Any) -> Document:
        """A new notice with what the service keeps beside it; returns its document."""
        doc = notice_document(notice, **fields)
        self.add_record(doc)
        return doc

    def add_record(self, doc: Document) -> None:
        """A notice's document as it is (the record of a notice nobody could receive)."""
        self.queue(DocumentWrite(NOTICES, doc["_id"], insert=doc))

    @staticmethod
    def added(result: CommitResult, notice_id: str) -> bool:
        """Whether the commit stored the new notice (False: its id existed, the same cause
        again)."""
        return not result.was_refused(NOTICES, notice_id)

    def mark_planned(self, notice_id: str) -> None:
        self._update(notice_id, {"planned": True})

    def close_escalation(self, notice_id: str) -> None:
        self._update(notice_id, {"escalation_open": False})

    def close_translation_hold(self, notice_id: str, now: datetime) -> None:
        """Once per notice: a hold closed already is left as it is."""
        self._update(notice_id, {"translation_hold_open": False,
                                 "translation_hold_closed_at": now},
                     guard={"translation_hold_open": True})

    def _update(self, notice_id: str, fields: Document, guard: Document | None = None,
                **operators: Document) -> None:
        update = {"$set": fields, **operators} if fields else dict(operators)
        self.queue(DocumentWrite(NOTICES, notice_id, update=update, guard=guard or {},
                                 stale_if_unmatched=False))

    def record_unreachable(self, notice_id: str, unreachable: list[Document],
                           unsupported: dict[str, list[str]]) -> list[Document]:
        """Add the recipients the notice could not reach (each once) and the audience
        languages with no translation workflow (at commit); returns the entries new to the
        notice."""
        if not unreachable and not unsupported:
            return []
        known = {(u["unit_id"], u["reason"]) for u in self.unreachable(notice_id)}
        fresh = [u for u in unreachable if (u["unit_id"], u["reason"]) not in known]
        if fresh or unsupported:
            self._update(notice_id, {f"unsupported_languages.{k}": v
                                     for k, v in unsupported.items()},
                         **({"$push": {"unreachable": {"$each": fresh}}} if fresh else {}))
        return fresh
