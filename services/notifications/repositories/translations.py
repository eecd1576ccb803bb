"""Translation tasks: `translations`, one document per (notice, language), `_id`
"<notice>:<language>". A task changes in a unit of work: its write is guarded by the status
and revision it was read at, and carries its events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo import ASCENDING

from services.notifications.domain.translations import TranslationTask
from services.notifications.domain.vocabulary import TranslationStatus
from services.notifications.repositories.changing import Changing
from services.notifications.repositories.codec import (
    translation_fields,
    translation_id,
    translation_to_domain,
)
from services.runtime.mongo import keyset_after
from services.runtime.mongo_repository import InDatabase, Index
from services.runtime.unit_of_work import AggregateRepository

TRANSLATIONS = "translations"
Document = dict[str, Any]
ROW = {"_outbox": 0, "_outbox_pending": 0}


class TranslationsRepository(InDatabase, AggregateRepository[Changing[TranslationTask]]):
    collection = TRANSLATIONS
    # A reviewer approves the text they read: a resubmission in between (same status, a new
    # revision) makes the write stale as surely as a status change does.
    GUARD = ("status", "revision")

    stored_in = TRANSLATIONS
    indexes = (Index(TRANSLATIONS, "status", (("status", ASCENDING),)),)

    def document_of(self, aggregate: Changing[TranslationTask]) -> Document:
        task = aggregate.value
        return {"_id": translation_id(task.notice_id, task.language),
                **translation_fields(task)}

    def aggregate_of(self, document: Mapping[str, Any]) -> Changing[TranslationTask]:
        return Changing(translation_to_domain(dict(document)))

    def _guard(self, original: Mapping[str, Any], changed: Iterable[str]) -> dict[str, Any]:
        return {name: original.get(name) for name in self.GUARD}

    def get(self, notice_id: str, language: str) -> Changing[TranslationTask] | None:
        row = self._records.find_one({"_id": translation_id(notice_id, language)}, ROW)
        return None if row is None else self._loaded(row)

    def of_notice(self, notice_id: str) -> list[TranslationTask]:
        return [translation_to_domain(t)
                for t in self._records.find({"notice_id": notice_id})]

    def approved_of(self, notice_ids: list[str]) -> list[TranslationTask]:
        return [translation_to_domain(t) for t in self._records.find(
            {"notice_id": {"$in": notice_ids}, "status": TranslationStatus.APPROVED.value})]

    def backlog(self) -> int:
        """Translations waiting for a translator or a reviewer."""
        return self._records.count_documents(
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
            query.update(keyset_after(self._records, after, "requested_at"))
        return list(self._records.find(query, ROW)
                    .sort([("requested_at", 1), ("_id", 1)]).limit(limit))
