"""Notices to deliveries over real peers: aiosmtpd, a local webhook receiver and a local
SMS/chat provider, against the real database. Retries, fallback, faults, exactly once."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sending_kit import (
    SECRET,
    add_unit,
    deliveries,
    drain,
    events_of,
    make_settings,
    only_delivery,
    task_event,
)
from standardwebhooks import Webhook

from services.contracts.events.plans import PlanIssued
from services.contracts.notifications import CreateNoticeRequest
from services.notifications import channels, dispatch
from services.notifications.domain.errors import UnknownRecipientError
from services.notifications.domain.vocabulary import Channel
from services.notifications.repositories import (
    DELIVERIES,
    NOTICES,
)
from services.notifications.use_cases import delivery_outcomes, intake, notices


def test_task_assigned_is_emailed_with_a_vietnamese_subject_and_an_ack_link(ctx, smtp):
    add_unit(ctx, "gl-baogialai", [("email", "toasoan@baogialai.example.org")],
             name="Báo Gia Lai")
    intake.on_task_assigned(ctx, task_event("gl-baogialai"))
    drain(ctx)

    [mail] = smtp.to("toasoan@baogialai.example.org")
    assert mail.message["Subject"] == ("Giao nhiệm vụ: Tuyên truyền phòng, chống ma túy trên "
                                       "báo in và báo điện tử (Kế hoạch số 25/KH-STTTT)")
    text = mail.message.get_content()
    assert "Kính gửi: Báo Gia Lai." in text
    assert "chủ trì thực hiện nhiệm vụ" in text
    assert "http://127.0.0.1:8000/api/v1/acks/a1." in text
    [delivery] = deliveries(ctx)
    assert delivery["status"] == "delivered"
    assert events_of(ctx, delivery["_id"]) == ["notification.sent", "notification.delivered"]


def test_webhook_is_signed_and_verified_by_the_receiver(ctx, peer):
    url = peer.hook_url("ok", f"u{uuid.uuid4().hex[:6]}")
    add_unit(ctx, "gl-vhtt-chupah", [("webhook", url)])
    intake.on_task_assigned(ctx, task_event("gl-vhtt-chupah"))
    drain(ctx)

    [call] = [c for c in peer.calls if url.endswith(c.path)]
    assert call.verified is True
    # and by the official Standard Webhooks package, not only our own implementation
    assert Webhook(SECRET).verify(call.body, call.headers) == call.json()
    body = call.json()
    assert body["subject"].startswith("Giao nhiệm vụ:")
    assert call.headers["webhook-id"] == body["id"]
    assert deliveries(ctx)[0]["status"] == "delivered"


def test_a_redelivered_event_and_a_second_dispatcher_never_send_twice(ctx, smtp, peer):
    names = [f"r{uuid.uuid4().hex[:6]}" for _ in range(12)]
    for name in names:
        add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    event = PlanIssued(plan_id="plan-x", number="25/KH-STTTT", issuer_unit_id="gl-stttt",
                       title="tuyên truyền phòng, chống tội phạm năm 2021", year=2021,
                       recipient_unit_ids=names)
    intake.on_plan_issued(ctx, event)
    intake.on_plan_issued(ctx, event)  # the same fact again (a redelivery or a replay)
    assert ctx.uow.db[NOTICES].count_documents({}) == 1
    assert ctx.uow.db[DELIVERIES].count_documents({}) == len(names)

    threads = [threading.Thread(target=drain, args=(ctx,), kwargs={
        "dispatcher": dispatch.Dispatcher()}) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in names:
        assert len(peer.hook_calls(name)) == 1, name
    intake.on_plan_issued(ctx, event)
    drain(ctx)
    assert sum(len(peer.hook_calls(n)) for n in names) == len(names)


def test_provider_5xx_is_retried_with_backoff_then_delivered(ctx, peer):
    name = f"f{uuid.uuid4().hex[:6]}"
    delivery = only_delivery(ctx, name, [("webhook", peer.hook_url("flaky2", name))])
    assert delivery["status"] == "delivered"
    assert [a["outcome"] for a in delivery["attempts"]] == ["transient", "transient", "ok"]
    assert delivery["attempts"][0]["reason"].startswith("HTTP 503")
    assert len(peer.hook_calls(name)) == 3


def test_exhausted_retries_fall_back_to_the_next_channel(ctx, smtp, peer):
    name = f"x{uuid.uuid4().hex[:6]}"
    add_unit(ctx, name, [("webhook", peer.hook_url("e500", name)),
                         ("email", f"{name}@example.org")])
    intake.on_task_assigned(ctx, task_event(name))
    drain(ctx)
    webhook, mail = deliveries(ctx)
    assert (webhook["channel"], webhook["status"]) == ("webhook", "failed")
    assert len(webhook["attempts"]) == 3 and webhook["fallback_channel"] == "email"
    assert (mail["channel"], mail["status"]) == ("email", "delivered")
    assert len(smtp.to(f"{name}@example.org")) == 1
    assert events_of(ctx, webhook["_id"]) == ["notification.failed"]


def test_provider_4xx_fails_at_once_with_the_reason(ctx, peer):
    channels.configure(ctx, Channel.SMS, {"provider_base_url": peer.provider_url("e400")})
    delivery = only_delivery(ctx, "gl-xa-iahrung", [("sms", "+84900000001")])
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == 1
    assert delivery["failure_reason"] == 'HTTP 400: {"error": "invalid recipient number"}'


def test_a_hanging_webhook_receiver_times_out_and_is_retried(ctx, peer):
    channels.configure(ctx, Channel.WEBHOOK, {"timeout_seconds": 0.3, "max_attempts": 2})
    name = f"h{uuid.uuid4().hex[:6]}"
    add_unit(ctx, name, [("webhook", peer.hook_url("hang", name))])
    intake.on_task_assigned(ctx, task_event(name))
    started = time.monotonic()
    drain(ctx)
    [delivery] = deliveries(ctx)
    assert delivery["status"] == "failed"
    assert [a["reason"] for a in delivery["attempts"]] == ["timeout", "timeout"]
    assert time.monotonic() - started < 5


def test_sms_through_the_provider_waits_for_the_delivery_report(ctx, peer):
    channels.configure(ctx, Channel.SMS, {"provider_base_url": peer.provider_url("ok"),
                                             "provider_token": "tok-123"})
    delivery = only_delivery(ctx, "gl-xa-iadok", [("sms", "+84900000002")])
    assert delivery["status"] == "sent" and delivery["provider_message_id"].startswith("msg-")
    [call] = [c for c in peer.provider_calls() if c.json()["to"] == "+84900000002"]
    assert call.headers["authorization"] == "Bearer tok-123"
    assert call.headers["idempotency-key"] == delivery["_id"]
    sent = call.json()
    assert sent["encoding"] == "ucs2" and sent["parts"] <= 5
    assert sent["text"].startswith("Giao nhiệm vụ:")

    report = delivery_outcomes.delivery_report(ctx, "sms", delivery["provider_message_id"],
                                      "delivered", None)
    assert report == {"delivery_id": delivery["_id"], "status": "delivered", "changed": True}
    again = delivery_outcomes.delivery_report(ctx, "sms", delivery["provider_message_id"],
                                     "delivered", None)
    assert again["changed"] is False
    assert deliveries(ctx)[0]["status"] == "delivered"


def test_sms_over_the_ucs2_limit_is_unaccented_or_rejected(ctx, peer):
    channels.configure(ctx, Channel.SMS, {"provider_base_url": peer.provider_url("ok"),
                                             "sms_max_parts": 2,
                                             "sms_unaccent": "if_oversize"})
    add_unit(ctx, "gl-xa-a", [("sms", "+84900000003")])
    intake.on_task_assigned(ctx, task_event("gl-xa-a"))
    drain(ctx)
    [call] = [c for c in peer.provider_calls() if c.json()["to"] == "+84900000003"]
    assert call.json()["unaccented"] is True
    assert call.json()["text"].startswith("Giao nhiem vu: Tuyen truyen phong, chong ma tuy")
    assert call.json()["encoding"] == "gsm7"

    channels.configure(ctx, Channel.SMS, {"sms_unaccent": "never"})
    add_unit(ctx, "gl-xa-b", [("sms", "+84900000004")])
    intake.on_task_assigned(ctx, task_event("gl-xa-b"))
    drain(ctx)
    [failed] = deliveries(ctx, unit_id="gl-xa-b")
    assert failed["status"] == "failed"
    assert failed["failure_reason"].startswith("oversize_body: SMS body needs")


def test_smtp_rejections_fail_permanently_and_451_is_retried(ctx, smtp):
    add_unit(ctx, "gl-u550", [("email", "reject@example.org")])
    add_unit(ctx, "gl-u451", [("email", "busy@example.org")])
    intake.on_task_assigned(ctx, task_event("gl-u550", ["gl-u451"]))
    drain(ctx)
    rejected = deliveries(ctx, unit_id="gl-u550")[0]
    busy = deliveries(ctx, unit_id="gl-u451")[0]
    assert rejected["status"] == "failed" and len(rejected["attempts"]) == 1
    assert rejected["failure_reason"].startswith("SMTP 550")
    assert busy["status"] == "failed" and len(busy["attempts"]) == 3
    assert busy["attempts"][0]["outcome"] == "transient"


def test_unknown_units_and_units_without_contacts_are_reported(ctx):
    add_unit(ctx, "gl-nocontact", [])
    add_unit(ctx, "gl-ok", [("inbox", "gl-ok")])
    intake.on_task_assigned(ctx, task_event("gl-ok", ["gl-nocontact", "gl-ghost"]))
    by_role = {n["variables"]["role"]: n for n in ctx.uow.db[NOTICES].find()}
    coordinating = by_role["phối hợp"]
    assert {(u["unit_id"], u["reason"]) for u in coordinating["unreachable"]} == {
        ("gl-ghost", "unknown_recipient"), ("gl-nocontact", "no_usable_contact")}
    with pytest.raises(UnknownRecipientError) as info:
        notices.create_from_request(ctx, CreateNoticeRequest(
            subject="Hướng dẫn", body="Nội dung", recipients=["gl-ghost", "group:none"]))
    assert info.value.details["unit_ids"] == ["group:none", "gl-ghost"]


def test_outbound_http_to_loopback_is_refused_without_the_allowlist(ctx, smtp, peer):
    ctx.settings = make_settings(smtp, outbound_allowlist="")
    name = f"s{uuid.uuid4().hex[:6]}"
    delivery = only_delivery(ctx, name, [("webhook", peer.hook_url("ok", name))])
    assert delivery["status"] == "failed"
    assert delivery["failure_reason"].startswith("address not allowed: loopback")
    assert peer.hook_calls(name) == []
