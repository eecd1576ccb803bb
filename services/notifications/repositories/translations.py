"""Translation tasks: `translations`, one document per (notice, language), `_id`
"<notice>:<language>"."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.contracts.envelope import Envelope
from services.notifications.domain.translations import TranslationStatus, TranslationTask
from services.notifications.repositories.codec import (
    translation_fields,
    translation_id,
    translation_to_domain,
)
from services.notifications.repositories.deliveries import with_events
from services.runtime.mongo import keyset_after
from services.runtime.mongo_unit_of_work import collection
from services.runtime.outbox import with_outbox
from services.runtime.unit_of_work import Repository

TRANSLATIONS = "translations"
Document = dict[str, Any]
ROW = {"_outbox": 0, "_outbox_pending": 0}


class TranslationsRepository(Repository):
    def __init__(self, db: Database[Document]) -> None:
        super().__init__()
        self.db = db

    @staticmethod
    def ensure_indexes(db: Database[Document]) -> None:
        db[TRANSLATIONS].create_index([("status", ASCENDING)], name="status")

    @property
    def _translations(self) -> Collection[Document]:
        return collection(self.db, TRANSLATIONS)

    def find(self, notice_id: str, language: str) -> TranslationTask | None:
        row = self._translations.find_one({"_id": translation_id(notice_id, language)})
        return translation_to_domain(row) if row is not None else None

    def of_notice(self, notice_id: str) -> list[TranslationTask]:
        return [translation_to_domain(t)
                for t in self._translations.find({"notice_id": notice_id})]

    def approved_of(self, notice_ids: list[str]) -> list[TranslationTask]:
        return [translation_to_domain(t) for t in self._translations.find(
            {"notice_id": {"$in": notice_ids}, "status": TranslationStatus.APPROVED.value})]

    def backlog(self) -> int:
        """Translations waiting for a translator or a reviewer."""
        return self._translations.count_documents(
            {"status": {"$in": [TranslationStatus.REQUESTED.value,
                                TranslationStatus.SUBMITTED.value]}})

    def rows(self, *, status: str | None, language: str | None, notice_id: str | None,
             limit: int, after: str | None = None) -> list[Document]:
        """Translation tasks, oldest request first (then by id), as stored (without their
        events); `after` is the id of the last row of the previous page."""
        query: dict[str, Any] = {}
        for name, value in (("status", status), ("language", language),
                            ("notice_id", notice_id)):
            if value:
                query[name] = value
        if after:
            query.update(keyset_after(self._translations, after, "requested_at"))
        return list(self._translations.find(query, ROW)
                    .sort([("requested_at", 1), ("_id", 1)]).limit(limit))

    def insert(self, task: TranslationTask, events: list[Envelope]) -> bool:
        """A new translation task with its events; False when the notice has it already."""
        doc = with_outbox({"_id": translation_id(task.notice_id, task.language),
                           **translation_fields(task)}, events)
        try:
            self._translations.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    def save(self, before: TranslationTask, after: TranslationTask,
             events: list[Envelope]) -> bool:
        """Write the task's new state if nobody changed it since `before` was read."""
        result = self._translations.update_one(
            {"_id": translation_id(before.notice_id, before.language),
             "status": before.status.value, "revision": before.revision},
            with_events({"$set": translation_fields(after)}, events))
        return result.matched_count == 1
