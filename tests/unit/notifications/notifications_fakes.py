"""Notifications' repositories in memory: the real codecs and write paths (the unit of work's
diffs, guards, refused inserts and events) over `InMemoryDocuments`, with the named queries
answered in Python instead of MongoDB's query language. A repository a test does not give
is absent: a use case that reaches it fails loudly."""

from __future__ import annotations

from typing import Any

from fake_unit_of_work import FakeUnitOfWork, InMemoryDocuments

from services.notifications.domain.ack import Acknowledgement
from services.notifications.domain.translations import TranslationStatus, TranslationTask
from services.notifications.repositories import NOTICES, TRANSLATIONS, NotificationsUnitOfWork
from services.notifications.repositories.acknowledgements import (
    ACKS,
    AcknowledgementsRepository,
)
from services.notifications.repositories.changing import Changing
from services.notifications.repositories.codec import translation_to_domain
from services.notifications.repositories.configuration import (
    CONFIG,
    ESCALATION,
    ConfigurationRepository,
)
from services.notifications.repositories.notices import NoticesRepository
from services.notifications.repositories.translations import TranslationsRepository

Document = dict[str, Any]
WAITING = {TranslationStatus.REQUESTED.value, TranslationStatus.SUBMITTED.value}


def visible(doc: Document) -> Document:
    return {k: v for k, v in doc.items() if not k.startswith("_outbox")}


class FakeTranslations(TranslationsRepository):
    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.documents = documents

    def get(self, notice_id: str, language: str) -> Changing[TranslationTask] | None:
        found = self.documents[TRANSLATIONS].get(f"{notice_id}:{language}")
        return None if found is None else self._loaded(visible(found))

    def of_notice(self, notice_id: str) -> list[TranslationTask]:
        return [translation_to_domain(d) for d in self.documents[TRANSLATIONS].values()
                if d["notice_id"] == notice_id]

    def backlog(self) -> int:
        return sum(d["status"] in WAITING for d in self.documents[TRANSLATIONS].values())

    def rows(self, *, status: str | None, language: str | None, notice_id: str | None,
             limit: int, after: str | None = None) -> list[Document]:
        wanted = {"status": status, "language": language, "notice_id": notice_id}
        rows = [visible(d) for d in self.documents[TRANSLATIONS].values()
                if all(d.get(k) == v for k, v in wanted.items() if v)]
        return sorted(rows, key=lambda d: (d["requested_at"], d["_id"]))[:limit]


class FakeAcks(AcknowledgementsRepository):
    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.documents = documents

    def get(self, key: str) -> Changing[Acknowledgement] | None:
        found = self.documents[ACKS].get(key)
        return None if found is None else self._loaded(visible(found))


class FakeNotices(NoticesRepository):
    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.documents = documents

    def stored(self, notice_id: str) -> Document | None:
        return self.documents[NOTICES].get(notice_id)

    def find(self, notice_id: str) -> Document | None:
        found = self.documents[NOTICES].get(notice_id)
        return None if found is None else visible(found)


class FakeConfiguration(ConfigurationRepository):
    """The escalation policy as stored (the other settings are absent in these tests)."""

    def __init__(self, documents: InMemoryDocuments) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.documents = documents

    def escalation(self) -> Document:
        return dict(self.documents[CONFIG].get(ESCALATION) or {})

    def configure_escalation(self, changes: Document) -> None:
        self.documents[CONFIG].setdefault(ESCALATION, {"_id": ESCALATION}).update(changes)


class Absent:
    """A repository the test did not give."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, method: str) -> Any:
        raise AssertionError(f"the use case reached {self.name}.{method}, absent in this test")


class FakeNotificationsUnitOfWork(FakeUnitOfWork, NotificationsUnitOfWork):
    def __init__(self, documents: InMemoryDocuments | None = None) -> None:
        super().__init__(documents)
        self.translations = FakeTranslations(self.documents)
        self.acks = FakeAcks(self.documents)
        self.notices = FakeNotices(self.documents)
        self.configuration = FakeConfiguration(self.documents)
        for name in ("recipients", "deliveries", "dispatching", "receipts"):
            setattr(self, name, Absent(name))

    def fresh(self) -> FakeNotificationsUnitOfWork:
        return FakeNotificationsUnitOfWork(self.documents)
