"""Notifications as a process: events on the real broker in, email on a real SMTP server and
signed webhooks on a real HTTP receiver out, receipts and escalations as events."""

from __future__ import annotations

import contextlib
import functools
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from kombu import Connection, Exchange, Queue

from services.contracts.errors import ServiceError
from services.contracts.events.plans import PlanIssued, TaskAssigned
from services.notifications.domain.webhook_signing import WebhookSecret
from services.runtime.nameko_ext.consumers import CLOUDEVENTS_SERIALIZER
from stack import testkit

SECRET = WebhookSecret(b"e2e-webhook-secret-0123456789ab").serialize()

# This flow's patience; the helper is the shared one.
eventually = functools.partial(testkit.eventually, seconds=20.0)


@pytest.fixture(scope="module")
def webhook_secret():
    return SECRET


@pytest.fixture(scope="module")
def configured(platform, rpc, smtp, peer):
    rpc.call("notifications", "configure_channel", channel="email", smtp_host="127.0.0.1",
             smtp_port=smtp.port, timeout_seconds=2)
    rpc.call("notifications", "configure_channel", channel="sms",
             provider_base_url=peer.provider_url("ok"), provider_token="e2e-token")
    rpc.call("notifications", "configure_channel", channel="webhook", timeout_seconds=1,
             retry_base_seconds=0.1, retry_max_seconds=0.5, max_attempts=3)
    return True


class EventTap:
    """A private queue bound to notifications.events: what the service really published."""

    def __init__(self, amqp_uri: str) -> None:
        self.connection = Connection(amqp_uri)
        self.queue = Queue(f"tap-{uuid.uuid4().hex[:8]}",
                           Exchange("notifications.events", type="topic", durable=True),
                           routing_key="#", exclusive=True, auto_delete=True)
        self.seen: list[dict] = []
        self.consumer = self.connection.Consumer(self.queue, callbacks=[self._on],
                                                 accept=["json", CLOUDEVENTS_SERIALIZER])
        self.consumer.consume()

    def _on(self, body, message) -> None:
        self.seen.append(body if isinstance(body, dict) else json.loads(body))
        message.ack()

    def wait_for(self, predicate, seconds: float = 20.0) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for event in self.seen:
                if predicate(event):
                    return event
            with contextlib.suppress(TimeoutError):
                self.connection.drain_events(timeout=0.3)
        raise AssertionError(f"no matching event among {[e['type'] for e in self.seen]}")

    def close(self) -> None:
        self.connection.release()


@pytest.fixture
def tap(infra):
    events = EventTap(infra.amqp_uri)
    yield events
    events.close()


def publish(amqp_uri: str, payload) -> dict:
    envelope = payload.to_envelope().model_dump(mode="json")
    publish_envelope(amqp_uri, envelope)
    return envelope


def publish_envelope(amqp_uri: str, envelope: dict) -> None:
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(
            json.dumps(envelope, ensure_ascii=False).encode(),
            exchange=Exchange("plans.events", type="topic", durable=True),
            routing_key=envelope["type"], content_type="application/json",
            content_encoding="utf-8", delivery_mode=2)


def add_unit(rpc, unit_id, contacts, **extra):
    return rpc.call("notifications", "upsert_recipient", unit_id=unit_id,
                    name=extra.pop("name", f"Đơn vị {unit_id}"),
                    contacts=[{"channel": c, "address": a} for c, a in contacts],
                    preferences={"channel_order": [c for c, _ in contacts]},
                    webhook_secret=SECRET, **extra)


def test_plan_issued_reaches_email_and_signed_webhook_once(configured, platform, rpc, infra,
                                                            smtp, peer, tap):
    run = uuid.uuid4().hex[:6]
    mail = f"toasoan-{run}@baogialai.example.org"
    hook = peer.hook_url("ok", f"outlet-{run}")
    add_unit(rpc, f"gl-bao-{run}", [("email", mail)], name="Báo Gia Lai",
             groups=[f"press-{run}"])
    add_unit(rpc, f"gl-ptth-{run}", [("webhook", hook)], name="Đài PT-TH Gia Lai",
             groups=[f"press-{run}"])
    event = PlanIssued(plan_id=f"plan-{run}", number="25/KH-STTTT", issuer_unit_id="gl-stttt",
                       title="tuyên truyền phòng, chống tội phạm, tệ nạn xã hội năm 2021",
                       year=2021, recipient_unit_ids=[f"group:press-{run}"])
    envelope = publish(infra.amqp_uri, event)

    [received] = eventually(lambda: _exactly(smtp.to(mail), 1))
    assert received.message["Subject"] == ("Triển khai Kế hoạch số 25/KH-STTTT về tuyên "
                                           "truyền phòng, chống tội phạm, tệ nạn xã hội năm 2021")
    [call] = eventually(lambda: _exactly(peer.hook_calls(f"outlet-{run}"), 1))
    assert call.verified is True
    tap.wait_for(lambda e: e["type"] == "notification.delivered"
                 and e["data"]["unit_id"] == f"gl-ptth-{run}")

    # The same envelope redelivered, and the same fact as a new event: nothing sent again.
    publish_envelope(infra.amqp_uri, envelope)
    publish(infra.amqp_uri, event)
    eventually(lambda: _exactly(rpc.call("notifications", "ops_event_status",
                                         event_id=envelope["id"]), 1))
    time.sleep(1.5)
    assert len(smtp.to(mail)) == 1 and len(peer.hook_calls(f"outlet-{run}")) == 1
    notices = rpc.call("notifications", "list_notices", plan_id=f"plan-{run}")["items"]
    assert len(notices) == 1 and notices[0]["kind"] == "plan_issued"
    metrics = httpx.get(f"http://127.0.0.1:{platform.metrics_ports['notifications']}/metrics"
                        ).text
    assert 'campaign_notices_total{kind="plan_issued",priority="high"}' in metrics
    assert 'campaign_deliveries_total{channel="webhook",status="delivered"}' in metrics
    assert 'campaign_deliveries_total{channel="email",status="delivered"}' in metrics


def test_ack_link_from_the_email_emits_notification_acknowledged(configured, rpc, infra, smtp,
                                                                  tap):
    run = uuid.uuid4().hex[:6]
    mail = f"vhtt-{run}@chupah.example.org"
    add_unit(rpc, f"gl-vhtt-{run}", [("email", mail)])
    publish(infra.amqp_uri, TaskAssigned(
        task_id=f"task-{run}", plan_id="plan-25", plan_number="25/KH-STTTT",
        title="Xây dựng chuyên mục tuyên truyền trên cổng thông tin huyện",
        lead_unit_id=f"gl-vhtt-{run}"))
    [received] = eventually(lambda: _exactly(smtp.to(mail), 1))
    link = next(w for w in received.message.get_content().split() if "/acks/" in w)
    token = link.rsplit("/", 1)[1]

    ack = rpc.call("notifications", "acknowledge", token=token)
    assert ack["created"] is True and ack["via"] == "link"
    assert rpc.call("notifications", "acknowledge", token=token)["created"] is False
    event = tap.wait_for(lambda e: e["type"] == "notification.acknowledged"
                         and e["data"]["unit_id"] == f"gl-vhtt-{run}")
    assert event["data"]["task_id"] == f"task-{run}"
    inbox = rpc.call("notifications", "get_inbox", unit_id=f"gl-vhtt-{run}")["items"]
    assert inbox[0]["acknowledged_at"] is not None


def test_unacknowledged_notice_escalates_to_the_parent(configured, rpc, tap):
    run = uuid.uuid4().hex[:6]
    add_unit(rpc, f"gl-ubnd-{run}", [("inbox", f"gl-ubnd-{run}")])
    add_unit(rpc, f"gl-xa-{run}", [("inbox", f"gl-xa-{run}")], parent_id=f"gl-ubnd-{run}")
    rpc.call("notifications", "configure_escalation", reminder_delay_seconds=0,
             escalation_delay_seconds=1)
    deadline = datetime.now(UTC) + timedelta(seconds=1)
    notice = rpc.call("notifications", "create_notice",
                      subject="Hướng dẫn tuyên truyền về tín dụng đen",
                      body="Đề nghị xã phát trên loa truyền thanh 3 lần/tuần.",
                      recipients=[f"gl-xa-{run}"], plan_id="plan-25",
                      ack_deadline=deadline.isoformat(), priority="high")
    steps = [tap.wait_for(lambda e, s=s: e["type"] == "notification.escalated"
                          and e["data"]["notice_id"] == notice["id"]
                          and e["data"]["step"] == s) for s in ("reminder", "escalation")]
    assert steps[0]["data"]["escalated_to_unit_id"] == f"gl-xa-{run}"
    assert steps[1]["data"]["escalated_to_unit_id"] == f"gl-ubnd-{run}"
    parent_inbox = eventually(lambda: _exactly(rpc.call(
        "notifications", "get_inbox", unit_id=f"gl-ubnd-{run}")["items"], 1))
    assert parent_inbox[0]["subject"].startswith("Đơn vị chưa xác nhận:")


def test_sms_delivery_report_and_rpc_errors(configured, rpc, peer, tap):
    run = uuid.uuid4().hex[:6]
    add_unit(rpc, f"gl-sms-{run}", [("sms", "+84905000111")])
    notice = rpc.call("notifications", "create_notice", subject="Cảnh báo lừa đảo qua mạng",
                      body="Không cung cấp mã OTP cho người lạ.", recipients=[f"gl-sms-{run}"],
                      priority="critical")
    [sent] = eventually(lambda: _exactly(rpc.call(
        "notifications", "list_deliveries", notice_id=notice["id"], status="sent")["items"], 1))
    report = rpc.call("notifications", "delivery_report", channel="sms",
                      provider_message_id=sent["provider_message_id"], status="delivered")
    assert report["status"] == "delivered"
    tap.wait_for(lambda e: e["type"] == "notification.delivered"
                 and e["data"]["notice_id"] == notice["id"])

    with pytest.raises(ServiceError) as invalid:
        rpc.call("notifications", "save_template", kind="guidance",
                 subject="{{ notice_subject", text="x")
    assert invalid.value.code == "invalid_template"
    assert invalid.value.details["errors"][0]["part"] == "subject"
    with pytest.raises(ServiceError) as unknown:
        rpc.call("notifications", "create_notice", subject="x", body="y",
                 recipients=["gl-nobody"])
    assert unknown.value.code == "not_found"
    with pytest.raises(ServiceError) as bad:
        rpc.call("notifications", "create_notice", subject="x", body="y", recipients=["a"],
                 colour="red")
    assert bad.value.code == "validation_failed"


def test_acking_a_notice_that_reached_nobody_answers_404_through_the_gateway(configured, rpc,
                                                                           infra, api):
    """Schemathesis found POST /notices/{id}/ack answered 500 for such a notice."""
    run = uuid.uuid4().hex[:6]
    publish(infra.amqp_uri, TaskAssigned(
        task_id=f"task-{run}", plan_id="plan-25", plan_number="25/KH-STTTT",
        title="Tuyên truyền phòng, chống ma túy", lead_unit_id=f"gl-ghost-{run}"))
    [record] = eventually(lambda: _exactly(rpc.call(
        "notifications", "list_notices", task_id=f"task-{run}")["items"], 1))
    assert record["status"] == "undeliverable"

    reply = api.post(f"/api/v1/notices/{record['id']}/ack", json={"unit_id": f"gl-ghost-{run}"})
    assert reply.status_code == 404, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert "reached none of its recipients" in reply.json()["detail"]


def _exactly(items, n):
    assert len(items) == n, items
    return items


def test_notices_and_the_inbox_list_newest_first_by_a_stable_cursor(configured, rpc):
    """Notice ids are hashes, in no order of time: both lists follow creation time, and a
    notice created between two pages neither repeats nor shifts the next pages."""
    run = uuid.uuid4().hex[:6]
    unit = f"gl-order-{run}"
    add_unit(rpc, unit, [("inbox", unit)])

    def create(number: int) -> str:
        return rpc.call("notifications", "create_notice", subject=f"Thông báo số {number}",
                        body="Đề nghị đơn vị triển khai.", recipients=[unit])["id"]

    def walk(method: str, key: str) -> list[str]:
        seen, cursor = [], None
        while True:
            page = rpc.call("notifications", method, unit_id=unit, limit=2, after=cursor)
            seen += [item[key] for item in page["items"]]
            if cursor is None:
                create(100 + len(seen))  # newer than every listed one: not on later pages
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    created = [create(number) for number in range(5)]
    assert walk("list_notices", "id") == created[::-1]
    # The inbox lists what was delivered: the five and the one created during the walk.
    inbox = eventually(lambda: _exactly(rpc.call(
        "notifications", "get_inbox", unit_id=unit, limit=100)["items"], 6))
    assert [item["notice_id"] for item in inbox][1:] == created[::-1]
    times = [item["created_at"] for item in inbox]
    assert times == sorted(times, reverse=True)
    assert walk("get_inbox", "notice_id") == [item["notice_id"] for item in inbox]
