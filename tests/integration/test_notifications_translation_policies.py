"""Translations end to end against the real database and a real SMTP server: what each
policy sends when, the held versions and their release, the per-recipient status an officer
reads, resend and read receipts, and the errors a user gets for bad requests."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.contracts.notifications import (
    CreateNoticeRequest,
    RecipientUnitModel,
)
from services.contracts.notifications_deliveries import ListDeliveriesRequest
from services.notifications import dispatch
from services.notifications.domain.errors import (
    InvalidTransitionError,
    NotFoundError,
    ValidationFailedError,
)
from services.notifications.domain.vocabulary import AckVia
from services.notifications.repositories import (
    DELIVERIES,
)
from services.notifications.use_cases import (
    deliveries,
    directory,
    notices,
    receipts,
    translations,
    views,
)

JRAI_SUBJECT = "Pơtô kơ bruă pơgang tơlơi soh (Jrai)"


@pytest.fixture
def ctx(clocked_context):
    return clocked_context()


def jrai_office(ctx, address: str, unit_id: str = "pvhtt-ia-grai") -> None:
    directory.upsert(ctx, RecipientUnitModel(
        unit_id=unit_id, name="Phòng Văn hóa và Thông tin huyện Ia Grai",
        languages=["vi", "jra"], contacts=[{"channel": "email", "address": address}],
        preferences={"channel_order": ["email"]}))


def send(ctx, recipients, **fields):
    return notices.create_from_request(ctx, CreateNoticeRequest(**{
        "subject": "Tuyên truyền phòng, chống tội phạm mua bán người",
        "body": "Đề nghị phát thông tin trên hệ thống truyền thanh cơ sở.",
        "recipients": recipients, **fields}))


def drain(ctx):
    dispatcher = dispatch.Dispatcher()
    for _ in range(10):
        dispatcher.run(ctx)


def rows(ctx, notice_id, **filters):
    return deliveries.list_deliveries(ctx, ListDeliveriesRequest(notice_id=notice_id,
                                                                    **filters))["items"]


def by_language(ctx, notice_id, unit_id="pvhtt-ia-grai"):
    return {r["language"]: r for r in rows(ctx, notice_id, unit_id=unit_id)}


def test_vi_first_sends_vietnamese_now_and_the_corrected_jrai_version_once_approved(ctx, smtp):
    address = f"vhtt-{uuid.uuid4().hex[:6]}@ia-grai.example.org"
    jrai_office(ctx, address)
    notice = send(ctx, ["pvhtt-ia-grai"], translation_policy="vi_first")
    drain(ctx)
    assert [m.message["Content-Language"] for m in smtp.to(address)] == ["vi"]
    status = by_language(ctx, notice["_id"])
    assert status["vi"]["status"] == "delivered" and status["vi"]["delivered_at"] is not None
    assert status["jra"]["status"] == "held"
    assert status["jra"]["hold_reason"] == "awaiting_translation"
    assert status["vi"]["address"] == "v***" + address.split("@")[0][-1] + "@ia-grai.example.org"
    assert status["vi"]["unit_name"] == "Phòng Văn hóa và Thông tin huyện Ia Grai"
    assert views.notice_view(ctx, notice, detail=True)["deliveries"] == {
        "delivered": 1, "held": 1}

    # The translator sees the Vietnamese text, submits; the officer returns it with a reason.
    [task] = translations.list_translations(ctx, "requested", "jra", None, 10)
    assert task["source_subject"] == "Tuyên truyền phòng, chống tội phạm mua bán người"
    translations.submit_translation(ctx, notice["_id"], "jra", "translator-rcom-h",
                                    JRAI_SUBJECT, "Bản dịch lần đầu.")
    translations.reject_translation(ctx, notice["_id"], "jra", "officer-le",
                                    "Thuật ngữ 'mua bán người' dịch chưa đúng")
    [returned] = translations.list_translations(ctx, "rejected", "jra", None, 10)
    assert returned["rejection_reason"] == "Thuật ngữ 'mua bán người' dịch chưa đúng"
    drain(ctx)
    assert len(smtp.to(address)) == 1  # nothing unapproved goes out

    translations.submit_translation(ctx, notice["_id"], "jra", "translator-rcom-h",
                                    JRAI_SUBJECT, "Bản dịch đã sửa (Jrai).")
    approved = translations.approve_translation(ctx, notice["_id"], "jra", "officer-le")
    assert approved["status"] == "approved" and approved["revision"] == 2
    drain(ctx)
    jrai = [m for m in smtp.to(address) if m.message["Content-Language"] == "jra"]
    assert len(jrai) == 1 and jrai[0].message["Subject"] == JRAI_SUBJECT
    status = by_language(ctx, notice["_id"])
    assert status["jra"]["status"] == "delivered"
    assert status["jra"]["release_reason"] == "translation_approved"
    [item] = views.inbox(ctx, "pvhtt-ia-grai", False, None, 10)["items"]
    assert (item["language"], item["subject"], item["languages"]) == (
        "jra", JRAI_SUBJECT, ["jra", "vi"])


def test_wait_holds_the_unit_until_approval_or_the_deadline(ctx, smtp):
    address = f"wait-{uuid.uuid4().hex[:6]}@ia-grai.example.org"
    jrai_office(ctx, address)
    vietnamese_only = f"bao-{uuid.uuid4().hex[:6]}@baogialai.example.org"
    directory.upsert(ctx, RecipientUnitModel(
        unit_id="bao-gia-lai", name="Báo Gia Lai",
        contacts=[{"channel": "email", "address": vietnamese_only}],
        preferences={"channel_order": ["email"]}))
    deadline = ctx.now() + timedelta(hours=6)
    notice = send(ctx, ["pvhtt-ia-grai", "bao-gia-lai"], translation_policy="wait",
                  translation_deadline=deadline)
    assert notice["translation_deadline"] is not None
    drain(ctx)
    assert smtp.to(address) == []
    assert len(smtp.to(vietnamese_only)) == 1  # only units reading Jrai wait
    status = by_language(ctx, notice["_id"])
    assert status["vi"]["status"] == "held"
    assert status["vi"]["hold_reason"] == "waiting_for_translations"

    assert translations.release_past_deadline(ctx) == 0  # not yet
    ctx.clock.now = deadline + timedelta(seconds=1)
    assert translations.release_past_deadline(ctx) == 1
    assert translations.release_past_deadline(ctx) == 0  # each notice once
    drain(ctx)
    assert [m.message["Content-Language"] for m in smtp.to(address)] == ["vi"]
    status = by_language(ctx, notice["_id"])
    assert status["vi"]["release_reason"] == "translation_deadline"
    assert status["jra"]["status"] == "held"

    translations.submit_translation(ctx, notice["_id"], "jra", "translator-rcom-h",
                                    JRAI_SUBJECT, "Nội dung tiếng Jrai.")
    translations.approve_translation(ctx, notice["_id"], "jra", "officer-le")
    drain(ctx)
    assert [m.message["Content-Language"] for m in smtp.to(address)] == ["vi", "jra"]


def test_wait_without_a_deadline_gets_the_default(ctx, smtp):
    jrai_office(ctx, f"d-{uuid.uuid4().hex[:6]}@ia-grai.example.org")
    notice = send(ctx, ["pvhtt-ia-grai"], translation_policy="wait",
                  ack_deadline=ctx.now() + timedelta(hours=24))
    created = notice["created_at"]
    assert notice["translation_deadline"] - created == timedelta(hours=12)


def test_per_recipient_filters_scoping_and_pages(ctx, smtp):
    for n in range(3):
        jrai_office(ctx, f"p{n}-{uuid.uuid4().hex[:6]}@example.org", unit_id=f"unit-{n}")
    notice = send(ctx, ["unit-0", "unit-1", "unit-2"])
    drain(ctx)
    assert {r["language"] for r in rows(ctx, notice["_id"], language="jra")} == {"jra"}
    assert len(rows(ctx, notice["_id"], status="held")) == 3
    assert {r["unit_id"] for r in rows(ctx, notice["_id"], unit_ids=["unit-1"])} == {"unit-1"}
    assert rows(ctx, notice["_id"], unit_ids=["unit-1"], unit_id="unit-2") == []
    first = deliveries.list_deliveries(ctx, ListDeliveriesRequest(notice_id=notice["_id"],
                                                                     limit=4))
    second = deliveries.list_deliveries(ctx, ListDeliveriesRequest(
        notice_id=notice["_id"], limit=4, after=first["next_cursor"]))
    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert second["next_cursor"] is None
    counted = views.notice_view(ctx, notice, detail=True, unit_ids=["unit-0"])
    assert counted["deliveries"] == {"delivered": 1, "held": 1}


def test_resend_read_and_acknowledgement_show_per_recipient(ctx, smtp):
    address = f"r-{uuid.uuid4().hex[:6]}@ia-grai.example.org"
    jrai_office(ctx, address)
    notice = send(ctx, ["pvhtt-ia-grai"], ack_deadline=ctx.now() + timedelta(days=2))
    vi_row = by_language(ctx, notice["_id"])["vi"]
    with pytest.raises(InvalidTransitionError, match="still being sent"):
        deliveries.resend_delivery(ctx, notice["_id"], vi_row["id"], "officer-le")
    drain(ctx)
    again = deliveries.resend_delivery(ctx, notice["_id"], vi_row["id"], "officer-le")
    assert (again["status"], again["resends"], again["resent_by"]) == ("pending", 1, "officer-le")
    drain(ctx)
    assert len(smtp.to(address)) == 2
    with pytest.raises(NotFoundError, match="has no delivery dlv_nope"):
        deliveries.resend_delivery(ctx, notice["_id"], "dlv_nope", "officer-le")

    read = deliveries.mark_read(ctx, notice["_id"], "pvhtt-ia-grai", "can-bo-ksor-h")
    assert read["created"] is True
    assert deliveries.mark_read(ctx, notice["_id"], "pvhtt-ia-grai", None)["created"] is False
    receipts.acknowledge_unit(ctx, notice["_id"], "pvhtt-ia-grai", AckVia.API, "can-bo-ksor-h")
    row = by_language(ctx, notice["_id"])["vi"]
    assert row["read_by"] == "can-bo-ksor-h" and row["read_at"] is not None
    assert (row["acknowledged_by"], row["acknowledged_via"]) == ("can-bo-ksor-h", "api")
    assert row["attempts"] == 2 and row["status"] == "delivered"


def test_bad_requests_get_clear_errors(ctx, smtp):
    jrai_office(ctx, f"e-{uuid.uuid4().hex[:6]}@ia-grai.example.org")
    notice = send(ctx, ["pvhtt-ia-grai"])
    with pytest.raises(ValidationFailedError, match="no translation workflow for language 'fr'"):
        translations.submit_translation(ctx, notice["_id"], "fr", "t", "s", "b")
    with pytest.raises(NotFoundError, match="needs no Bahnar translation"):
        translations.submit_translation(ctx, notice["_id"], "bdq", "t", "s", "b")
    with pytest.raises(NotFoundError, match="notice ntc_missing not found"):
        translations.approve_translation(ctx, "ntc_missing", "jra", "officer-le")
    with pytest.raises(InvalidTransitionError, match="from requested to approved"):
        translations.approve_translation(ctx, notice["_id"], "jra", "officer-le")
    assert ctx.uow.db[DELIVERIES].count_documents({"notice_id": notice["_id"],
                                               "language": "jra", "status": "held"}) == 1


def test_the_translation_queue_pages_oldest_request_first_without_gaps_or_repeats(ctx):
    """The translator's queue can be longer than one page (the demo plan alone asks for
    hundreds): each page starts after the last row of the previous one."""
    jrai_office(ctx, f"vhtt-{uuid.uuid4().hex[:6]}@ia-grai.example.org")
    sent = []
    for _ in range(5):
        sent.append(send(ctx, ["pvhtt-ia-grai"])["_id"])
        ctx.clock.now += timedelta(seconds=1)
    seen: list[str] = []
    after = None
    while True:
        page = translations.list_translations(ctx, "requested", "jra", None, 2, after)
        seen += [row["notice_id"] for row in page]
        if len(page) < 2:
            break
        after = page[-1]["id"]
    assert seen == sent
