"""Notifications' repositories in memory: the real codecs and write paths (the unit of work's
diffs, guards, refused inserts and events) over `InMemoryDocuments`, with the named queries
answered in Python instead of MongoDB's query language (only those the use cases under test
call: another one reaches the real repository's missing database and fails loudly)."""

from __future__ import annotations

from typing import Any

from fake_unit_of_work import FakeUnitOfWork, InMemory, InMemoryDocuments

from services.notifications.domain.ack import Acknowledgement
from services.notifications.domain.delivery import Delivery
from services.notifications.domain.translations import TranslationTask
from services.notifications.domain.vocabulary import TranslationStatus
from services.notifications.repositories import NOTICES, TRANSLATIONS, NotificationsUnitOfWork
from services.notifications.repositories.acknowledgements import (
    ACKS,
    AcknowledgementsRepository,
)
from services.notifications.repositories.changing import Changing
from services.notifications.repositories.codec import delivery_to_domain, translation_to_domain
from services.notifications.repositories.configuration import (
    CONFIG,
    ESCALATION,
    ConfigurationRepository,
)
from services.notifications.repositories.deliveries import (
    DELIVERIES,
    DeliveriesRepository,
    DeliveryRecord,
)
from services.notifications.repositories.dispatching import DispatchRepository
from services.notifications.repositories.notices import NoticesRepository
from services.notifications.repositories.receipts import READS, ReceiptsRepository
from services.notifications.repositories.recipients import RECIPIENTS, RecipientsRepository
from services.notifications.repositories.translations import TranslationsRepository

Document = dict[str, Any]
WAITING = {TranslationStatus.REQUESTED.value, TranslationStatus.SUBMITTED.value}


def visible(doc: Document) -> Document:
    return {k: v for k, v in doc.items() if not k.startswith("_outbox")}


class FakeTranslations(InMemory, TranslationsRepository):
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


class FakeAcks(InMemory, AcknowledgementsRepository):
    def get(self, key: str) -> Changing[Acknowledgement] | None:
        found = self.documents[ACKS].get(key)
        return None if found is None else self._loaded(visible(found))

    def by_key(self, keys: list[str]) -> dict[str, Document]:
        return {k: visible(self.documents[ACKS][k]) for k in keys if k in self.documents[ACKS]}


class FakeDeliveries(InMemory, DeliveriesRepository):
    def _all(self) -> list[Document]:
        return [visible(d) for d in self.documents[DELIVERIES].values()]

    def get(self, delivery_id: str) -> DeliveryRecord | None:
        found = self.documents[DELIVERIES].get(delivery_id)
        return None if found is None else self._loaded(visible(found))

    def row(self, delivery_id: str) -> Document | None:
        found = self.documents[DELIVERIES].get(delivery_id)
        return None if found is None else visible(found)

    def by_provider_message(self, channel: str, provider_message_id: str
                            ) -> list[DeliveryRecord]:
        return [self.aggregate_of(d) for d in self._all()
                if d.get("provider_message_id") == provider_message_id
                and d["channel"] == channel]

    def sent_until(self, now: Any, limit: int = 500) -> list[DeliveryRecord]:
        return [self.aggregate_of(d) for d in self._all()
                if d["status"] == "sent" and d.get("expires_at") and d["expires_at"] <= now]

    def planned(self, notice_id: str) -> list[Delivery]:
        return [delivery_to_domain(d) for d in self._all() if d["notice_id"] == notice_id]

    def release_held(self, releases: list[tuple[str, Document]]) -> int:
        held = [(key, fields) for key, fields in releases
                if self.documents[DELIVERIES][key]["status"] == "held"]
        for key, fields in held:
            self.documents[DELIVERIES][key].update(fields)
            self.documents[DELIVERIES][key].pop("hold_reason", None)
        return len(held)


class FakeDispatching(InMemory, DispatchRepository):
    """The claims a dead dispatcher left (no dispatch logs in these tests)."""

    def unapplied_logs(self, now: Any, limit: int) -> list[Document]:
        return []

    def delete_settled_logs(self) -> None:
        return None

    def expired_claims(self, now: Any, lease_seconds: float, limit: int = 200
                       ) -> list[Document]:
        return [visible(d) for d in self.documents[DELIVERIES].values()
                if d["status"] == "sending" and d["lease_until"] < now]

    def named_by_intents(self, claims: list[str]) -> set[str]:
        return set()


class FakeRecipients(InMemory, RecipientsRepository):
    def find(self, unit_id: str) -> Document | None:
        return self.documents[RECIPIENTS].get(unit_id)

    def by_id(self, unit_ids: Any) -> dict[str, Document]:
        return {u: self.documents[RECIPIENTS][u] for u in unit_ids
                if u in self.documents[RECIPIENTS]}


class FakeReceipts(InMemory, ReceiptsRepository):
    def reads(self, keys: list[str]) -> dict[str, Document]:
        return {k: self.documents[READS][k] for k in keys if k in self.documents[READS]}


class FakeNotices(InMemory, NoticesRepository):
    def stored(self, notice_id: str) -> Document | None:
        return self.documents[NOTICES].get(notice_id)

    def find(self, notice_id: str) -> Document | None:
        found = self.documents[NOTICES].get(notice_id)
        return None if found is None else visible(found)

    def unreachable(self, notice_id: str) -> list[Document]:
        return list((self.documents[NOTICES].get(notice_id) or {}).get("unreachable") or [])


class FakeConfiguration(InMemory, ConfigurationRepository):
    """The escalation policy as stored (the other settings are absent in these tests)."""

    def escalation(self) -> Document:
        return dict(self.documents[CONFIG].get(ESCALATION) or {})

    def saved_templates(self) -> list[Any]:
        return []

    def known_plan(self, plan_id: str) -> Document | None:
        return None


class FakeNotificationsUnitOfWork(FakeUnitOfWork, NotificationsUnitOfWork):
    def __init__(self, documents: InMemoryDocuments | None = None) -> None:
        super().__init__(documents)
        self.translations = FakeTranslations(self.documents)
        self.acks = FakeAcks(self.documents)
        self.notices = FakeNotices(self.documents)
        self.configuration = FakeConfiguration(self.documents)
        self.deliveries = FakeDeliveries(self.documents)
        self.dispatching = FakeDispatching(self.documents)
        self.recipients = FakeRecipients(self.documents)
        self.receipts = FakeReceipts(self.documents)

    def fresh(self) -> FakeNotificationsUnitOfWork:
        return FakeNotificationsUnitOfWork(self.documents)
