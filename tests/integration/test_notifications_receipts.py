"""Acknowledgements, escalation, translations, templates, inbox and commune bulletins
against the real database (and the local SMTP server where a message must arrive)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.events.plans import TaskAssigned
from services.contracts.notifications import (
    CreateNoticeRequest,
    RecipientUnitModel,
    SaveTemplateRequest,
    TemplateKeyRequest,
)
from services.contracts.notifications_deliveries import BulletinRequest
from services.notifications import dispatch
from services.notifications.domain.errors import (
    InvalidSignatureError,
    InvalidTemplateError,
    InvalidTransitionError,
    UnknownRecipientError,
    ValidationFailedError,
)
from services.notifications.domain.vocabulary import AckVia
from services.notifications.repositories import (
    ACKS,
    DELIVERIES,
    ESCALATIONS,
    NOTICES,
    TRANSLATIONS,
)
from services.notifications.use_cases import (
    directory,
    intake,
    notices,
    receipts,
    translations,
    views,
)

JRAI_SUBJECT = "Mơ̆ng pơtô bruă tơlơi pơgang (Jrai) ư̆"


@pytest.fixture
def ctx(clocked_context):
    return clocked_context(department_unit_id="gl-svhttdl")


def unit(ctx, unit_id, channel="inbox", address=None, **extra):
    directory.upsert(ctx, RecipientUnitModel(
        unit_id=unit_id, name=extra.pop("name", f"Đơn vị {unit_id}"),
        contacts=[{"channel": channel, "address": address or unit_id}],
        preferences={"channel_order": [channel]}, **extra))


def notice(ctx, recipients, **fields):
    request = CreateNoticeRequest(**{"subject": "Hướng dẫn tuyên truyền phòng, chống ma túy",
                                     "body": "Đề nghị tăng thời lượng tuyên truyền.",
                                     "recipients": recipients, "plan_id": "plan-25", **fields})
    return notices.create_from_request(ctx, request)


def drain(ctx):
    dispatcher = dispatch.Dispatcher()
    for _ in range(20):
        dispatcher.run(ctx)
        if not ctx.uow.db[DELIVERIES].count_documents({"status": {"$in": ["pending", "retrying"]},
                                                   "next_attempt_at": {"$lte": ctx.now()}}):
            return


def test_ack_by_signed_link_is_recorded_once_and_emits_the_event(ctx):
    unit(ctx, "gl-baogialai")
    doc = notice(ctx, ["gl-baogialai"], ack_deadline=ctx.now() + timedelta(days=2))
    [delivery] = ctx.uow.db[DELIVERIES].find({"notice_id": doc["_id"]})
    token = delivery["ack_url"].rsplit("/", 1)[1]

    first = receipts.acknowledge_token(ctx, token, actor="phong-vien")
    again = receipts.acknowledge_token(ctx, token, actor=None)
    by_api = receipts.acknowledge_unit(ctx, doc["_id"], "gl-baogialai", AckVia.API)
    assert first["created"] is True and first["via"] == "link" and first["late"] is False
    assert again["created"] is False and by_api["created"] is False
    assert again["acknowledged_at"] == first["acknowledged_at"]
    [ack] = ctx.uow.db[ACKS].find()
    [event] = ack["_outbox"]
    assert event["type"] == "notification.acknowledged"
    assert event["data"]["plan_id"] == "plan-25" and event["data"]["via"] == "link"

    with pytest.raises(InvalidSignatureError):
        receipts.acknowledge_token(ctx, token[:-3] + "AAA", actor=None)


def test_acknowledging_a_notice_that_reached_nobody_is_not_found_not_an_internal_error(ctx):
    # A plan issued to units nobody knows is kept as an "undeliverable" record (schemathesis
    # found acknowledging it answered internal_error).
    intake.on_task_assigned(ctx, TaskAssigned(
        task_id="task-ghost", plan_id="plan-25", plan_number="25/KH-STTTT",
        title="Tuyên truyền phòng, chống ma túy", lead_unit_id="gl-ghost"))
    [record] = ctx.uow.db[NOTICES].find({"task_id": "task-ghost"})
    assert record["status"] == "undeliverable" and record["recipients"] == []
    with pytest.raises(UnknownRecipientError) as info:
        receipts.acknowledge_unit(ctx, record["_id"], "gl-ghost", AckVia.API)
    assert info.value.code == "not_found"
    assert info.value.message == (f"unit gl-ghost is not a recipient of notice {record['_id']}"
                                  " (it reached none of its recipients)")
    assert info.value.details == {"notice_id": record["_id"], "unit_ids": ["gl-ghost"]}
    assert ctx.uow.db[ACKS].count_documents({}) == 0

    unit(ctx, "gl-baogialai")
    doc = notice(ctx, ["gl-baogialai"])
    with pytest.raises(UnknownRecipientError, match="gl-other is not a recipient of notice"):
        receipts.acknowledge_unit(ctx, doc["_id"], "gl-other", AckVia.API)


def test_a_deadline_within_the_millisecond_of_creation_is_refused_not_stored_unusable(ctx):
    # Times are stored to the millisecond: validated at that precision, a notice accepted is
    # a notice that can be acknowledged.
    unit(ctx, "gl-baogialai")
    ctx.clock.now = datetime(2021, 6, 1, 3, 0, 0, 100, tzinfo=UTC)
    with pytest.raises(ValidationFailedError) as info:
        notice(ctx, ["gl-baogialai"], ack_deadline=ctx.clock.now + timedelta(microseconds=800))
    assert "ack_deadline must be after created_at" in info.value.details["problems"]
    doc = notice(ctx, ["gl-baogialai"], ack_deadline=ctx.clock.now + timedelta(milliseconds=2))
    ack = receipts.acknowledge_unit(ctx, doc["_id"], "gl-baogialai", AckVia.API)
    assert ack["created"] is True and ack["late"] is False


def test_unacknowledged_notices_get_a_reminder_then_go_to_the_parent(ctx):
    unit(ctx, "gl-ubnd-chupah")
    unit(ctx, "gl-vhtt-chupah", parent_id="gl-ubnd-chupah")
    unit(ctx, "gl-vhtt-iagrai")  # no parent: escalates to the Department
    unit(ctx, "gl-svhttdl")
    receipts.configure_escalation(ctx, {"reminder_delay_seconds": 0,
                                        "escalation_delay_seconds": 3600})
    deadline = ctx.now() + timedelta(hours=1)
    doc = notice(ctx, ["gl-vhtt-chupah", "gl-vhtt-iagrai"], ack_deadline=deadline)
    receipts.acknowledge_unit(ctx, doc["_id"], "gl-vhtt-iagrai", AckVia.API)
    assert receipts.escalate_due(ctx) == 0

    ctx.clock.now = deadline + timedelta(minutes=1)
    assert receipts.escalate_due(ctx) == 1
    assert receipts.escalate_due(ctx) == 0  # each step once
    ctx.clock.now = deadline + timedelta(hours=2)
    assert receipts.escalate_due(ctx) == 1
    steps = {e["step"]: e for e in ctx.uow.db[ESCALATIONS].find()}
    assert steps["reminder"]["target_unit_id"] == "gl-vhtt-chupah"
    assert steps["escalation"]["target_unit_id"] == "gl-ubnd-chupah"
    assert steps["escalation"]["_outbox"][0]["type"] == "notification.escalated"
    follow_up = ctx.uow.db[NOTICES].find_one({"escalation_of": doc["_id"],
                                          "recipients": "gl-ubnd-chupah"})
    assert follow_up["subject"].startswith("Đơn vị chưa xác nhận:")
    assert follow_up["priority"] == "high"
    assert ctx.uow.db[NOTICES].find_one({"_id": doc["_id"]})["escalation_open"] is False


def test_translation_is_sent_only_after_approval_with_marks_intact(ctx, smtp):
    address = f"{uuid.uuid4().hex[:6]}@ia-hrung.example.org"
    unit(ctx, "gl-xa-iahrung", channel="email", address=address, languages=["vi", "jra"])
    doc = notice(ctx, ["gl-xa-iahrung"], translation_policy="send_vi_now")
    drain(ctx)
    assert [m.message["Content-Language"] for m in smtp.to(address)] == ["vi"]
    [task] = translations.list_translations(ctx, "requested", "jra", None, 10)
    assert task["notice_id"] == doc["_id"]
    assert ctx.uow.db[TRANSLATIONS].find_one()["_outbox"][0]["type"] == "translation.requested"

    decomposed = unicodedata.normalize("NFD", JRAI_SUBJECT)
    translations.submit_translation(ctx, doc["_id"], "jra", "translator-h", decomposed,
                                "Bruă pơtruh kơ ană plơi (Jrai).")
    drain(ctx)
    assert len(smtp.to(address)) == 1  # submitted is not approved
    with pytest.raises(ValidationFailedError):
        translations.approve_translation(ctx, doc["_id"], "jra", "translator-h")
    translations.approve_translation(ctx, doc["_id"], "jra", "officer-le")
    with pytest.raises(InvalidTransitionError):
        translations.approve_translation(ctx, doc["_id"], "jra", "officer-le")
    drain(ctx)
    jrai = [m for m in smtp.to(address) if m.message["Content-Language"] == "jra"]
    assert len(jrai) == 1
    assert jrai[0].message["Subject"] == unicodedata.normalize("NFC", JRAI_SUBJECT)
    assert "\u0306" in jrai[0].message["Subject"]  # the breve survives


def test_policy_wait_holds_vietnamese_until_the_translation_is_approved(ctx):
    unit(ctx, "gl-xa-kon", languages=["bdq"])
    doc = notice(ctx, ["gl-xa-kon"], translation_policy="wait")
    held = {"notice_id": doc["_id"], "status": "held"}
    assert ctx.uow.db[DELIVERIES].count_documents(held) == 2  # vi and bdq, nothing to send
    translations.submit_translation(ctx, doc["_id"], "bdq", "translator-b", "Tơblơ̆ng (Bahnar)",
                                "Nội dung bằng tiếng Bahnar.")
    translations.reject_translation(ctx, doc["_id"], "bdq", "officer-le", "Sai thuật ngữ")
    assert ctx.uow.db[DELIVERIES].count_documents(held) == 2
    translations.submit_translation(ctx, doc["_id"], "bdq", "translator-b", "Tơblơ̆ng (Bahnar)",
                                "Nội dung đã sửa bằng tiếng Bahnar.")
    translations.approve_translation(ctx, doc["_id"], "bdq", "officer-le")
    released = sorted((d["language"], d["status"]) for d in ctx.uow.db[DELIVERIES].find(
        {"notice_id": doc["_id"]}))
    assert released == [("bdq", "pending"), ("vi", "pending")]


def test_invalid_templates_are_rejected_at_save_time_with_the_error(ctx):
    with pytest.raises(InvalidTemplateError) as info:
        notices.save_template(ctx, SaveTemplateRequest(
            kind="task_assigned", subject="Giao nhiệm vụ {{ task_title }",
            text="Kính gửi {{ recipient_name }}\n{{ unknown_thing }}"))
    errors = info.value.details["errors"]
    assert {k: errors[0][k] for k in ("part", "line")} == {"part": "subject", "line": 1}
    assert any(e["part"] == "text" and e["line"] == 2 and "unknown_thing" in e["message"]
               for e in errors)

    saved = notices.save_template(ctx, SaveTemplateRequest(
        kind="guidance", subject="[Khẩn] {{ notice_subject }}",
        text="Kính gửi: {{ recipient_name }}.\n{{ notice_body }}"))
    assert saved["source"] == "saved"
    unit(ctx, "gl-tpl")
    doc = notice(ctx, ["gl-tpl"])
    [delivery] = ctx.uow.db[DELIVERIES].find({"notice_id": doc["_id"]})
    assert delivery["subject"] == "[Khẩn] Hướng dẫn tuyên truyền phòng, chống ma túy"
    default = notices.get_template(ctx, TemplateKeyRequest(kind="alert"))
    assert default["source"] == "default" and "xấu độc" in default["subject"]


def test_inbox_lists_received_notices_with_their_receipt(ctx):
    unit(ctx, "gl-inbox")
    first = notice(ctx, ["gl-inbox"], subject="Thông báo thứ nhất",
                   ack_deadline=ctx.now() + timedelta(days=1))
    notice(ctx, ["gl-inbox"], subject="Thông báo thứ hai")
    drain(ctx)
    receipts.acknowledge_unit(ctx, first["_id"], "gl-inbox", AckVia.API)
    page = views.inbox(ctx, "gl-inbox", False, None, 10)
    assert {i["subject"] for i in page["items"]} == {"Thông báo thứ nhất",
                                                      "Thông báo thứ hai"}
    acked = {i["subject"]: i["acknowledged_at"] for i in page["items"]}
    assert acked["Thông báo thứ nhất"] is not None and acked["Thông báo thứ hai"] is None
    unacked = views.inbox(ctx, "gl-inbox", True, None, 10)["items"]
    assert [i["subject"] for i in unacked] == ["Thông báo thứ hai"]


def test_commune_bulletin_in_its_languages_for_a_period(ctx):
    unit(ctx, "gl-xa-iahrung", name="xã Ia Hrung", languages=["vi", "jra"])
    doc = notice(ctx, ["gl-xa-iahrung"], subject="Cảnh giác với tội phạm mua bán người",
                 body="Từ ngày 01/03/2021, bà con không nghe theo lời rủ rê đi làm ăn xa.")
    translations.submit_translation(ctx, doc["_id"], "jra", "translator-h",
                                "Răng pơkă kơ tơlơi sĭ mơnuih", "Bruă pơhiăp (Jrai).")
    translations.approve_translation(ctx, doc["_id"], "jra", "officer-le")
    today = ctx.now().astimezone(UTC).date()
    result = views.bulletin(ctx, BulletinRequest(
        commune_id="gl-xa-iahrung", period_start=today - timedelta(days=1),
        period_end=today + timedelta(days=1)))
    assert result["notice_ids"] == [doc["_id"]]
    assert "Đài Truyền thanh xã Ia Hrung" in result["text"]
    assert "1 tháng 3 năm 2021" in result["text"]
    assert "bằng tiếng Jrai" in result["text"] and "Bruă pơhiăp (Jrai)." in result["text"]
    assert result["filename"].endswith(".txt")


def test_plans_directory_is_asked_for_units_unknown_here(ctx):
    class Plans:
        def get_unit(self, unit_id):
            if unit_id == "gl-vhtt-ayunpa":
                return {"id": unit_id, "name": "Phòng VH&TT thị xã Ayun Pa",
                        "parent": "gl-ubnd-ayunpa", "languages": ["vi", "jra"],
                        "contacts": [{"kind": "email", "address": "vhtt@ayunpa.example.org"}]}
            return None

        def resolve_group(self, group, as_of):
            raise TimeoutError("plans did not answer")

        def get_plan(self, plan_id):
            return None

    ctx.remote = Plans()
    event = TaskAssigned(task_id="t-remote", plan_id="plan-25", plan_number="25/KH-STTTT",
                         title="Tuyên truyền trên hệ thống truyền thanh cơ sở",
                         lead_unit_id="gl-vhtt-ayunpa", coordinating_unit_ids=["gl-missing"])
    intake.on_task_assigned(ctx, event)
    fetched = directory.get(ctx, "gl-vhtt-ayunpa")
    assert fetched["source"] == "plans" and fetched["parent_id"] == "gl-ubnd-ayunpa"
    # The Vietnamese copy now; the Jrai one held until its translation is approved.
    assert sorted((d["language"], d["status"]) for d in ctx.uow.db[DELIVERIES].find(
        {"unit_id": "gl-vhtt-ayunpa"})) == [("jra", "held"), ("vi", "pending")]
    missing = ctx.uow.db[NOTICES].find_one({"task_id": "t-remote", "variables.role": "phối hợp"})
    assert missing["status"] == "undeliverable"
    assert missing["unreachable"] == [{"unit_id": "gl-missing", "reason": "unknown_recipient",
                                       "channels_considered": []}]


def test_a_notice_whose_rendering_failed_is_planned_when_retried(ctx):
    unit(ctx, "gl-retry")
    notices.save_template(ctx, SaveTemplateRequest(
        kind="guidance", subject="{{ notice_subject }}",
        text="Thực hiện Kế hoạch số {{ plan_number }}: {{ notice_body }}"))
    request = {"recipients": ["gl-retry"], "idempotency_key": "officer-retry-1"}
    with pytest.raises(ValidationFailedError):
        notice(ctx, **request)  # plan_number is not given: the render fails
    assert ctx.uow.db[DELIVERIES].count_documents({}) == 0
    notices.save_template(ctx, SaveTemplateRequest(
        kind="guidance", subject="{{ notice_subject }}",
        text="{% if plan_number is defined %}Kế hoạch số {{ plan_number }}: {% endif %}"
             "{{ notice_body }}"))
    doc = notice(ctx, **request)
    assert doc["planned"] is True
    [delivery] = ctx.uow.db[DELIVERIES].find()
    assert delivery["text"] == "Đề nghị tăng thời lượng tuyên truyền.\n"


def test_normal_notices_wait_for_the_daily_digest_and_go_as_one_message(ctx, smtp):
    address = f"digest-{uuid.uuid4().hex[:6]}@example.org"
    directory.upsert(ctx, RecipientUnitModel(
        unit_id="gl-digest", name="Phòng VH&TT huyện Đak Đoa",
        contacts=[{"channel": "email", "address": address}],
        preferences={"channel_order": ["email"], "digest_at": "16:30"}))
    for subject in ("Hướng dẫn thứ nhất", "Hướng dẫn thứ hai"):
        notice(ctx, ["gl-digest"], subject=subject)
    notice(ctx, ["gl-digest"], subject="Hướng dẫn khẩn", priority="high")
    drain(ctx)
    assert [m.message["Subject"] for m in smtp.to(address)] == ["Hướng dẫn khẩn"]

    held = list(ctx.uow.db[DELIVERIES].find({"digest": True}))
    assert len(held) == 2 and all(d["status"] == "pending" for d in held)
    ctx.clock.now = max(d["next_attempt_at"] for d in held) + timedelta(minutes=1)
    drain(ctx)
    [digest] = [m for m in smtp.to(address) if m.message["Subject"] != "Hướng dẫn khẩn"]
    assert digest.message["Subject"].startswith("Tổng hợp 2 thông báo ngày ")
    text = digest.message.get_payload(decode=True).decode("utf-8")
    assert "1. Hướng dẫn thứ nhất" in text and "2. Hướng dẫn thứ hai" in text
    assert {d["status"] for d in ctx.uow.db[DELIVERIES].find({"digest": True})} == {"delivered"}
