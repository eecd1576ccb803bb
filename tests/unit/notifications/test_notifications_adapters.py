"""The service layer's pure pieces: request contracts, settings, the plans unit mapping,
provider payloads and HTTP outcome classification (no I/O)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from services.contracts.notifications import AcknowledgeRequest, CreateNoticeRequest
from services.notifications.channels import (
    _http_outcome,
    default_config,
    provider_text,
    view,
    webhook_body,
)
from services.notifications.domain.errors import OversizeBodyError
from services.notifications.domain.vocabulary import AttemptOutcome, Channel
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases.directory import from_plans_unit
from services.notifications.use_cases.notices import notice_id_for

DELIVERY = {"_id": "dlv_1", "notice_id": "ntc_1", "unit_id": "gl-baogialai", "kind": "guidance",
            "priority": "high", "language": "vi", "plan_id": "plan-25", "task_id": None,
            "subject": "Hướng dẫn tuyên truyền phòng, chống ma túy",
            "text": "Kính gửi: Báo Gia Lai.\nĐề nghị tăng thời lượng tuyên truyền.\n",
            "ack_url": "https://campaign.example/acks/a1.x.y", "ack_deadline": None}


def test_an_ack_needs_a_token_or_both_notice_and_unit() -> None:
    assert AcknowledgeRequest(token="a1.x.y").token == "a1.x.y"
    assert AcknowledgeRequest(notice_id="n", unit_id="u").unit_id == "u"
    with pytest.raises(ValidationError):
        AcknowledgeRequest(notice_id="n")


def test_create_notice_rejects_unknown_fields_and_empty_recipients() -> None:
    with pytest.raises(ValidationError):
        CreateNoticeRequest(subject="a", body="b", recipients=[])
    with pytest.raises(ValidationError):
        CreateNoticeRequest.model_validate({"subject": "a", "body": "b", "recipients": ["u"],
                                            "colour": "red"})


def test_production_refuses_the_development_ack_secret(monkeypatch) -> None:
    monkeypatch.delenv("ACK_LINK_SECRET", raising=False)
    with pytest.raises(ValidationError, match="ACK_LINK_SECRET"):
        NotificationsSettings(environment="production")
    settings = NotificationsSettings(environment="production",
                                     ack_link_secret="a-real-secret-of-enough-length",
                                     outbound_allowlist="10.0.0.0/8, hooks.local",
                                     alert_recipients="")
    assert settings.allowlist() == ["10.0.0.0/8", "hooks.local"]
    assert settings.alert_recipient_list() == ["gl-svhttdl"]


def test_units_from_plans_are_mapped_tolerantly() -> None:
    model = from_plans_unit({
        "id": "gl-vhtt-chupah", "type": "culture_office", "parent": "gl-ubnd-chupah",
        "name": "Phòng Văn hóa và Thông tin huyện Chư Păh", "languages": ["vi", "jra"],
        "area": {"province": "64", "district": "624"},
        "contacts": [{"kind": "email", "address": "vhtt@chupah.example.org"},
                     {"kind": "fax", "address": "0269 000"}]})
    assert model is not None
    assert (model.unit_id, model.parent_id, model.unit_type, model.area_code) == (
        "gl-vhtt-chupah", "gl-ubnd-chupah", "culture_office", "624")
    assert [(c.channel, c.address) for c in model.contacts] == [
        ("email", "vhtt@chupah.example.org")]
    assert from_plans_unit({"name": "no id"}) is None


def test_sms_carries_the_subject_and_link_within_the_part_limit() -> None:
    config = default_config(Channel.SMS, NotificationsSettings())
    text, extra = provider_text(DELIVERY, Channel.SMS, config)
    assert text == f"{DELIVERY['subject']} {DELIVERY['ack_url']}"
    assert extra["encoding"] == "ucs2" and extra["parts"] == 2 and not extra["unaccented"]
    with pytest.raises(OversizeBodyError):
        provider_text(DELIVERY, Channel.SMS, {**config, "sms_max_parts": 1,
                                              "sms_unaccent": "never"})
    chat, _ = provider_text(DELIVERY, Channel.ZALO, config)
    assert chat == DELIVERY["text"]


def test_webhook_body_is_utf8_json_with_the_delivery_key() -> None:
    body = json.loads(webhook_body(DELIVERY).decode("utf-8"))
    assert body["id"] == "dlv_1" and body["subject"] == DELIVERY["subject"]


@pytest.mark.parametrize("status, outcome", [
    (200, AttemptOutcome.OK), (202, AttemptOutcome.OK), (429, AttemptOutcome.TRANSIENT),
    (503, AttemptOutcome.TRANSIENT), (400, AttemptOutcome.PERMANENT),
    (410, AttemptOutcome.PERMANENT)])
def test_http_status_decides_retry_or_failure(status, outcome) -> None:
    assert _http_outcome(status, b'{"error": "x"}')[0] is outcome


def test_channel_views_never_show_secrets() -> None:
    config = {**default_config(Channel.SMS, NotificationsSettings()), "provider_token": "t",
              "smtp_password": "p"}
    shown = view(config)
    assert "provider_token" not in shown and "smtp_password" not in shown
    assert shown["has_provider_token"] is True


def test_notice_ids_follow_the_natural_key() -> None:
    assert notice_id_for("plan_issued:p:0") == notice_id_for("plan_issued:p:0")
    assert notice_id_for("plan_issued:p:0") != notice_id_for("plan_issued:p:1")


def test_alerts_and_guidance_may_stand_alone_but_directives_refer_to_a_plan() -> None:
    from datetime import UTC, datetime

    from services.notifications.domain.errors import ValidationFailedError
    from services.notifications.domain.notices import Notice
    from services.notifications.domain.vocabulary import NoticeKind, Priority

    fields = {"id": "n", "subject": "Cảnh báo", "body": "Nội dung", "priority": Priority.HIGH,
              "created_at": datetime(2021, 3, 1, tzinfo=UTC), "recipients": ("gl-stttt",)}
    assert Notice(kind=NoticeKind.ALERT, **fields).plan_id is None
    assert Notice(kind=NoticeKind.GUIDANCE, **fields).task_id is None
    with pytest.raises(ValidationFailedError):
        Notice(kind=NoticeKind.TASK_OVERDUE, **fields)
