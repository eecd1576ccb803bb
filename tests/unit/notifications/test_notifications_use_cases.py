"""Notifications' use cases on an in-memory unit of work (no database, no broker): what a
translator, a reviewer and a recipient unit get, what is stored, and which events travel with
the write. The same use cases run against the real database in tests/integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from notifications_fakes import FakeNotificationsUnitOfWork, FakeTranslations
from notifications_fixtures import T0, build_notice

from services.notifications.context import Context
from services.notifications.domain.errors import (
    InvalidTransitionError,
    NotFoundError,
    UnknownRecipientError,
    ValidationFailedError,
)
from services.notifications.domain.translations import request_translation
from services.notifications.domain.vocabulary import AckVia
from services.notifications.repositories import ACKS, NOTICES, TRANSLATIONS
from services.notifications.repositories.codec import notice_document, translation_fields
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases import translations
from services.notifications.use_cases.receipts import (
    acknowledge_unit,
    configure_escalation,
    escalation_settings,
)

pytestmark = pytest.mark.unit

NOTICE = "ntc-1"
UNIT = "unit-chupah"


def context(uow: FakeNotificationsUnitOfWork | None = None) -> Context:
    return Context(uow or FakeNotificationsUnitOfWork(), NotificationsSettings(),
                   clock=lambda: T0 + timedelta(hours=1))


def with_notice(ctx: Context, **fields: Any) -> None:
    notice = build_notice(ack_deadline=T0 + timedelta(days=3), **fields)
    ctx.uow.documents[NOTICES][notice.id] = notice_document(notice)  # type: ignore[attr-defined]


def with_task(ctx: Context, language: str = "jra", submitted: bool = False) -> None:
    task = request_translation(NOTICE, language, T0)
    if submitted:
        task = task.submit("translator-h", "Tơlơi pơtô", "Bruă pơgang", T0)
    ctx.uow.documents[TRANSLATIONS][task.key] = {  # type: ignore[attr-defined]
        "_id": task.key, **translation_fields(task)}


def stored(ctx: Context, collection: str, key: str) -> dict[str, Any]:
    return ctx.uow.documents[collection][key]  # type: ignore[attr-defined, no-any-return]


def outbox_types(ctx: Context) -> list[str]:
    return [envelope.type for envelope in ctx.uow.documents.outbox]  # type: ignore[attr-defined]


def test_a_submitted_translation_is_stored_with_the_text_to_translate_beside_it() -> None:
    ctx = context()
    with_notice(ctx)
    with_task(ctx)
    reply = translations.submit_translation(ctx, NOTICE, "jra", "translator-h",
                                            " Tơlơi pơtô ", "Bruă pơgang")
    assert (reply["status"], reply["subject"], reply["translator_id"]) == (
        "submitted", "Tơlơi pơtô", "translator-h")
    assert reply["source_subject"] == build_notice().subject
    assert stored(ctx, TRANSLATIONS, f"{NOTICE}:jra")["status"] == "submitted"
    assert outbox_types(ctx) == []  # a submission is no event


def test_an_approval_travels_with_its_event_in_the_same_write() -> None:
    ctx = context()
    with_task(ctx, submitted=True)  # its notice is gone: nothing to plan
    reply = translations.approve_translation(ctx, NOTICE, "jra", "officer-le")
    assert (reply["status"], reply["reviewer_id"]) == ("approved", "officer-le")
    document = stored(ctx, TRANSLATIONS, f"{NOTICE}:jra")
    assert document["status"] == "approved"
    assert [e["type"] for e in document["_outbox"]] == ["translation.approved"]
    assert outbox_types(ctx) == ["translation.approved"]


def test_a_rejection_returns_the_task_with_its_reason_and_it_can_be_submitted_again() -> None:
    ctx = context()
    with_notice(ctx)
    with_task(ctx, submitted=True)
    rejected = translations.reject_translation(ctx, NOTICE, "jra", "officer-le", "Sai thuật ngữ")
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Sai thuật ngữ")
    again = translations.submit_translation(ctx, NOTICE, "jra", "translator-h", "Sửa", "Sửa")
    assert again["status"] == "submitted" and again["revision"] > rejected["revision"]
    with pytest.raises(ValidationFailedError, match="needs a reviewer and a reason"):
        translations.reject_translation(ctx, NOTICE, "jra", "officer-le", " ")
    assert stored(ctx, TRANSLATIONS, f"{NOTICE}:jra")["status"] == "submitted"


def test_an_approval_of_a_text_resubmitted_meanwhile_is_refused_and_writes_nothing() -> None:
    class ResubmittedWhileRead(FakeTranslations):
        def get(self, notice_id: str, language: str) -> Any:
            found = super().get(notice_id, language)
            self.documents[TRANSLATIONS][f"{notice_id}:{language}"]["revision"] += 1
            return found

    uow = FakeNotificationsUnitOfWork()
    uow.translations = ResubmittedWhileRead(uow.documents)
    ctx = context(uow)
    with_task(ctx, submitted=True)
    with pytest.raises(InvalidTransitionError, match="changed meanwhile"):
        translations.approve_translation(ctx, NOTICE, "jra", "officer-le")
    assert stored(ctx, TRANSLATIONS, f"{NOTICE}:jra")["status"] == "submitted"
    assert outbox_types(ctx) == []


def test_a_translation_nobody_needs_is_refused_with_the_reason() -> None:
    ctx = context()
    with pytest.raises(ValidationFailedError, match="no translation workflow"):
        translations.submit_translation(ctx, NOTICE, "en", "t", "s", "b")
    with pytest.raises(NotFoundError, match=f"notice {NOTICE} not found"):
        translations.submit_translation(ctx, NOTICE, "jra", "t", "s", "b")
    with_notice(ctx)
    with pytest.raises(NotFoundError, match="none of its recipients reads jra"):
        translations.submit_translation(ctx, NOTICE, "jra", "t", "s", "b")


def test_a_unit_acknowledges_once_and_a_repeat_answers_the_first() -> None:
    ctx = context()
    with_notice(ctx)
    first = acknowledge_unit(ctx, NOTICE, UNIT, AckVia.API, "can-bo-h")
    assert first["created"] is True and first["via"] == "api" and first["late"] is False
    assert outbox_types(ctx) == ["notification.acknowledged"]
    later = context(ctx.uow)  # type: ignore[arg-type]
    later.clock = lambda: T0 + timedelta(days=5)
    again = acknowledge_unit(later, NOTICE, UNIT, AckVia.LINK, None)
    assert again["created"] is False
    assert again["acknowledged_at"] == first["acknowledged_at"]
    assert outbox_types(ctx) == ["notification.acknowledged"]  # no second event
    assert stored(ctx, ACKS, f"{NOTICE}:{UNIT}")["actor"] == "can-bo-h"


def test_an_acknowledgement_recorded_by_another_worker_meanwhile_is_the_answer() -> None:
    ctx = context()
    with_notice(ctx)
    other = context(ctx.uow.fresh())  # type: ignore[arg-type]
    other.clock = lambda: T0 + timedelta(minutes=5)

    class WonMeanwhile(type(ctx.uow.acks)):  # type: ignore[misc]
        def get(self, key: str) -> Any:
            if key not in self.documents[ACKS]:
                acknowledge_unit(other, NOTICE, UNIT, AckVia.LINK, "first")
                return None  # this worker read before the other one wrote
            return super().get(key)

    ctx.uow.acks = WonMeanwhile(ctx.uow.documents)  # type: ignore[attr-defined]
    answer = acknowledge_unit(ctx, NOTICE, UNIT, AckVia.API, "second")
    assert answer["created"] is False and answer["via"] == "link"
    assert outbox_types(ctx) == ["notification.acknowledged"]


def test_only_a_recipient_acknowledges_and_a_notice_that_reached_nobody_says_so() -> None:
    ctx = context()
    with_notice(ctx)
    with pytest.raises(UnknownRecipientError, match="not a recipient"):
        acknowledge_unit(ctx, NOTICE, "unit-other", AckVia.API)
    ctx.uow.documents[NOTICES]["ntc-nobody"] = {  # type: ignore[attr-defined]
        "_id": "ntc-nobody", "recipients": [], "status": "undeliverable"}
    with pytest.raises(UnknownRecipientError, match="reached none of its recipients"):
        acknowledge_unit(ctx, "ntc-nobody", UNIT, AckVia.API)
    assert ctx.uow.documents[ACKS] == {}  # type: ignore[attr-defined]


def test_an_escalation_before_its_reminder_is_refused_and_the_policy_stays() -> None:
    ctx = context()
    assert escalation_settings(ctx)["escalation_delay_seconds"] == 86_400  # the default
    changed = configure_escalation(ctx, {"reminder_delay_seconds": 3600,
                                         "escalation_delay_seconds": 7200})
    assert (changed["reminder_delay_seconds"], changed["escalation_delay_seconds"]) == (
        3600, 7200)
    with pytest.raises(ValidationFailedError, match="after the reminder"):
        configure_escalation(ctx, {"escalation_delay_seconds": 1800})
    assert escalation_settings(ctx)["escalation_delay_seconds"] == 7200
