"""Notices to deliveries over real peers: aiosmtpd, a local webhook receiver and a local
SMS/chat provider, against the real database. Retries, fallback, faults, exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from services.contracts.events.plans import PlanIssued, TaskAssigned
from services.contracts.notifications import CreateNoticeRequest, RecipientUnitModel
from services.notifications import channels, dispatch
from services.notifications.context import Context
from services.notifications.domain.errors import UnknownRecipientError
from services.notifications.domain.preferences import Channel
from services.notifications.domain.webhook_signing import WebhookSecret
from services.notifications.repositories import (
    DELIVERIES,
    DISPATCH_LOG,
    NOTICES,
    MongoNotificationsUnitOfWork,
    ensure_indexes,
)
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases import delivery_outcomes, directory, intake, notices
from stack.notification_peers import HttpPeer, SmtpSink

SECRET = WebhookSecret(b"integration-webhook-secret-0123").serialize()


@pytest.fixture(scope="module")
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def peer():
    server = HttpPeer(SECRET).start()
    yield server
    server.stop()


def make_settings(smtp: SmtpSink, **overrides) -> NotificationsSettings:
    values = {"outbound_allowlist": "127.0.0.0/8,::1", "smtp_host": "127.0.0.1",
              "smtp_port": smtp.port, "ack_link_secret": "integration-ack-secret-0123456789",
              "webhook_timeout_seconds": 2.0, "dispatch_concurrency": 4}
    values.update(overrides)
    return NotificationsSettings(**values)


@pytest.fixture
def ctx(infra, smtp):
    db = infra.database(f"notifications_{uuid.uuid4().hex[:8]}")
    ensure_indexes(db)
    context = Context(MongoNotificationsUnitOfWork(db), make_settings(smtp))
    for channel in Channel:  # fast retries in tests
        channels.configure(context, channel, {"retry_base_seconds": 0.05,
                                              "retry_max_seconds": 0.2, "max_attempts": 3,
                                              "timeout_seconds": 1.0})
    yield context
    db.client.drop_database(db.name)


def add_unit(ctx, unit_id, contacts, order=None, **extra):
    preferences = extra.pop("preferences", None) or {
        "channel_order": order or [c for c, _ in contacts] or ["inbox"]}
    model = RecipientUnitModel(unit_id=unit_id, name=extra.pop("name", f"Đơn vị {unit_id}"),
                           contacts=[{"channel": c, "address": a} for c, a in contacts],
                           preferences=preferences, webhook_secret=SECRET, **extra)
    directory.upsert(ctx, model)


def drain(ctx, until=None, seconds=10.0, dispatcher=None):
    dispatcher = dispatcher or dispatch.Dispatcher()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dispatcher.run(ctx)
        if until is None:
            if ctx.uow.db[DELIVERIES].count_documents(
                    {"status": {"$in": ["pending", "retrying", "sending"]}}) == 0:
                return
        elif until():
            return
        time.sleep(0.05)
    raise AssertionError("deliveries did not settle")


def events_of(ctx, delivery_id):
    """Events stored for a delivery: in the dispatch log of its batches, or on itself."""
    stored = [e for row in ctx.uow.db[DISPATCH_LOG].find() for e in row.get("_outbox") or []]
    stored += [e for row in ctx.uow.db[DELIVERIES].find({"_id": delivery_id})
               for e in row.get("_outbox") or []]
    return [e["type"] for e in stored if e["data"]["delivery_id"] == delivery_id]


def deliveries(ctx, **query):
    return list(ctx.uow.db[DELIVERIES].find(query).sort("created_at", 1))


def task_event(lead, coordinating=(), task_id=None):
    return TaskAssigned(task_id=task_id or f"task-{uuid.uuid4().hex[:6]}", plan_id="plan-25",
                        plan_number="25/KH-STTTT",
                        title="Tuyên truyền phòng, chống ma túy trên báo in và báo điện tử",
                        lead_unit_id=lead, coordinating_unit_ids=list(coordinating),
                        due_date=datetime(2021, 12, 15).date())


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
    add_unit(ctx, name, [("webhook", peer.hook_url("flaky2", name))])
    intake.on_task_assigned(ctx, task_event(name))
    drain(ctx)
    [delivery] = deliveries(ctx)
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
    add_unit(ctx, "gl-xa-iahrung", [("sms", "+84900000001")])
    intake.on_task_assigned(ctx, task_event("gl-xa-iahrung"))
    drain(ctx)
    [delivery] = deliveries(ctx)
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
    add_unit(ctx, "gl-xa-iadok", [("sms", "+84900000002")])
    intake.on_task_assigned(ctx, task_event("gl-xa-iadok"))
    drain(ctx)
    [delivery] = deliveries(ctx)
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
    add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    intake.on_task_assigned(ctx, task_event(name))
    drain(ctx)
    [delivery] = deliveries(ctx)
    assert delivery["status"] == "failed"
    assert delivery["failure_reason"].startswith("address not allowed: loopback")
    assert peer.hook_calls(name) == []


def leases_run_out(ctx, query=None, intents=True):
    """Time passes for a dead dispatcher: its claims (made when the deliveries fell due) and
    intents are older than a lease."""
    now = datetime.now(UTC)
    past = now - timedelta(seconds=1)
    long_ago = now - timedelta(seconds=ctx.settings.lease_seconds + 1)
    ctx.uow.db[DELIVERIES].update_many({"status": "sending", **(query or {})}, {"$set": {
        "lease_until": past, "next_attempt_at": long_ago}})
    if intents:
        ctx.uow.db[DISPATCH_LOG].update_many({"applied": False}, {"$set": {"lease_until": past}})


def test_an_interrupted_send_is_resent_on_webhook_and_not_on_email(ctx, smtp, peer):
    name = f"i{uuid.uuid4().hex[:6]}"
    add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    add_unit(ctx, "gl-mail", [("email", "interrupted@example.org")])
    intake.on_task_assigned(ctx, task_event(name, ["gl-mail"]))
    # A worker claimed both and died before recording anything.
    ctx.uow.db[DELIVERIES].update_many({}, {"$set": {"status": "sending",
                                                 "lease_owner": "dead-worker"}})
    leases_run_out(ctx)
    assert delivery_outcomes.reconcile_interrupted(ctx) == 2
    drain(ctx)
    webhook = deliveries(ctx, channel="webhook")[0]
    mail = deliveries(ctx, channel="email")[0]
    assert webhook["status"] == "delivered" and len(peer.hook_calls(name)) == 1
    assert mail["status"] == "failed" and mail["fallback_channel"] is None
    assert "at most once" in mail["failure_reason"]
    assert smtp.to("interrupted@example.org") == []


def test_a_recorded_outcome_whose_apply_was_interrupted_is_applied_not_resent(ctx, peer):
    name = f"w{uuid.uuid4().hex[:6]}"
    add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    intake.on_task_assigned(ctx, task_event(name))
    dispatcher = dispatch.Dispatcher()
    [claimed] = dispatcher.claim(ctx, datetime.now(UTC), lease_seconds=0.2)
    [outcome] = dispatcher.attempt(ctx, [claimed], channels.load_config(
        ctx, Channel.WEBHOOK), {name: SECRET})
    # The log (results + events) is written; the process dies before applying it.
    ctx.uow.db[DISPATCH_LOG].insert_one({
        "_id": "crashed-batch", "applied": False, "lease_until": claimed["lease_until"],
        "results": [{"id": claimed["_id"], "fields": outcome.fields}]})
    time.sleep(0.3)
    delivery_outcomes.reconcile_interrupted(ctx)
    [delivery] = deliveries(ctx)
    assert delivery["status"] == "delivered"
    drain(ctx)
    assert len(peer.hook_calls(name)) == 1


def test_quiet_hours_hold_normal_notices_and_critical_ones_go_now(ctx):
    now = datetime.now(UTC)
    start = (now + timedelta(hours=7) - timedelta(minutes=30)).strftime("%H:%M")  # ICT
    end = (now + timedelta(hours=7) + timedelta(hours=2)).strftime("%H:%M")
    add_unit(ctx, "gl-quiet", [("inbox", "gl-quiet")],
             preferences={"channel_order": ["inbox"], "quiet_hours": {"start": start,
                                                                        "end": end}})
    for priority in ("high", "critical"):
        notices.create_from_request(ctx, CreateNoticeRequest(
            subject=f"Thông báo {priority}", body="Nội dung", priority=priority,
            recipients=["gl-quiet"], plan_id="plan-25"))
    rows = {d["priority"]: d for d in deliveries(ctx)}
    assert rows["critical"]["next_attempt_at"] <= datetime.now(UTC)
    assert rows["high"]["next_attempt_at"] > now + timedelta(hours=1)


def test_rate_limit_spreads_sends_of_one_channel(ctx):
    channels.configure(ctx, Channel.INBOX, {"rate_capacity": 2, "rate_per_second": 1})
    units = [f"gl-rl{i}" for i in range(5)]
    for unit in units:
        add_unit(ctx, unit, [("inbox", unit)])
    notices.create_from_request(ctx, CreateNoticeRequest(
        subject="Hướng dẫn", body="Nội dung", recipients=units, plan_id="plan-25"))
    dispatch.Dispatcher().run(ctx)
    assert ctx.uow.db[DELIVERIES].count_documents({"status": "delivered"}) == 2
    assert ctx.uow.db[DELIVERIES].count_documents({"status": "pending"}) == 3


def test_deliveries_due_at_once_are_planned_claimed_and_sent_by_their_dispatcher(ctx, peer):
    names = [f"q{uuid.uuid4().hex[:6]}" for _ in range(12)]
    for name in names:
        add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    ctx.settings = ctx.settings.model_copy(update={"dispatch_batch_size": 5})
    ours, other = dispatch.Dispatcher(), dispatch.Dispatcher()
    ctx.sender = ours
    intake.on_plan_issued(ctx, PlanIssued(
        plan_id="plan-q", number="25/KH-STTTT", issuer_unit_id="gl-stttt",
        title="tuyên truyền phòng, chống tội phạm năm 2021", year=2021,
        recipient_unit_ids=names))
    stored = deliveries(ctx)
    assert {(d["status"], d["lease_owner"], d["queued"]) for d in stored} == {
        ("sending", ours.owner, True)}
    assert other.run(ctx) == 0  # not claimable by another dispatcher
    assert ours.run(ctx) == len(names)  # three batches of at most five, pipelined
    for name in names:
        assert len(peer.hook_calls(name)) == 1, name
    sent = deliveries(ctx)
    assert {d["status"] for d in sent} == {"delivered"}
    assert not any("queued" in d or "claim" in d for d in sent)
    assert all(events_of(ctx, d["_id"]) == ["notification.sent", "notification.delivered"]
               for d in sent)


def webhook_and_mail_units(ctx, peer, prefix: str, mail_unit: str) -> tuple[str, str]:
    """A fresh unit reached by webhook (its id is returned) and `mail_unit` reached by email
    (its address is returned): one task assigned to both plans one delivery per channel."""
    name = f"{prefix}{uuid.uuid4().hex[:6]}"
    address = f"{prefix}-{uuid.uuid4().hex[:6]}@example.org"
    add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    add_unit(ctx, mail_unit, [("email", address)])
    return name, address


def test_claimed_at_planning_but_never_attempted_is_released_and_sent_once_even_email(
        ctx, smtp, peer):
    name, address = webhook_and_mail_units(ctx, peer, "never", "gl-never-mail")
    ctx.sender = dispatch.Dispatcher()  # its process dies before sending anything
    intake.on_task_assigned(ctx, task_event(name, ["gl-never-mail"]))
    assert {d["status"] for d in deliveries(ctx)} == {"sending"}
    assert delivery_outcomes.reconcile_interrupted(ctx) == 0  # the lease still holds
    leases_run_out(ctx)
    assert delivery_outcomes.reconcile_interrupted(ctx) == 2
    released = deliveries(ctx)
    assert {d["status"] for d in released} == {"pending"}
    assert not any(d.get("interrupted") for d in released)
    ctx.sender = None
    drain(ctx)
    assert {d["status"] for d in deliveries(ctx)} == {"delivered"}
    assert len(smtp.to(address)) == 1 and len(peer.hook_calls(name)) == 1


def test_an_intent_written_then_interrupted_resends_webhooks_and_fails_email(
        ctx, smtp, peer):
    name, address = webhook_and_mail_units(ctx, peer, "intent", "gl-intent-mail")
    dying = dispatch.Dispatcher()
    ctx.sender = dying
    intake.on_task_assigned(ctx, task_event(name, ["gl-intent-mail"]))
    # The dispatcher wrote its intent for the batches (one per notice), then died sending.
    for _ in range(2):
        batch, intent = dying.take_handed_over(ctx, datetime.now(UTC),
                                               ctx.settings.lease_seconds)
        assert len(batch) == 1 and intent is not None
    leases_run_out(ctx)
    assert delivery_outcomes.reconcile_interrupted(ctx) == 2
    ctx.sender = None
    drain(ctx)
    webhook = deliveries(ctx, channel="webhook")[0]
    mail = deliveries(ctx, channel="email")[0]
    assert webhook["status"] == "delivered" and webhook["interrupted"] is True
    assert len(peer.hook_calls(name)) == 1
    assert mail["status"] == "failed" and "at most once" in mail["failure_reason"]
    assert smtp.to(address) == []


def test_a_handed_over_send_is_covered_by_its_intent_and_one_started_too_late_is_released(
        ctx, peer):
    names = [f"b{uuid.uuid4().hex[:6]}" for _ in range(2)]
    for name in names:
        add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    dying = dispatch.Dispatcher()
    ctx.sender = dying
    intake.on_task_assigned(ctx, task_event(names[0], [names[1]]))  # two notices: two claims
    # The first batch is started (its intent holds the sending lease), then the process dies.
    started, intent = dying.take_handed_over(ctx, datetime.now(UTC), ctx.settings.lease_seconds)
    assert len(started) == 1 and intent is not None
    leases_run_out(ctx, intents=False)  # the short planning leases are over
    # only the one never started is released
    assert delivery_outcomes.reconcile_interrupted(ctx) == 1
    [released] = deliveries(ctx, status="pending")
    assert released["_id"] != started[0]["_id"] and "claim" not in released
    # A dispatcher reaching a claim too late does not start it.
    assert dying.take_handed_over(ctx, datetime.now(UTC), ctx.settings.lease_seconds) == (
        [], None)
    leases_run_out(ctx)  # now the intent's lease is over too: an interrupted webhook
    assert delivery_outcomes.reconcile_interrupted(ctx) == 1
    ctx.sender = None
    drain(ctx)
    assert all(len(peer.hook_calls(name)) == 1 for name in names)
    assert {d["status"] for d in deliveries(ctx)} == {"delivered"}


def test_the_hand_over_is_bounded_and_the_rest_is_stored_for_any_dispatcher(ctx, peer,
                                                                           monkeypatch):
    names = [f"h{uuid.uuid4().hex[:6]}" for _ in range(5)]
    for name in names:
        add_unit(ctx, name, [("webhook", peer.hook_url("ok", name))])
    monkeypatch.setattr(dispatch, "HAND_OVER_LIMIT", 2)
    ctx.settings = ctx.settings.model_copy(update={"dispatch_batch_size": 2})
    ours = dispatch.Dispatcher()
    ctx.sender = ours
    intake.on_plan_issued(ctx, PlanIssued(
        plan_id="plan-h", number="25/KH-STTTT", issuer_unit_id="gl-stttt",
        title="tuyên truyền phòng, chống tội phạm năm 2021", year=2021,
        recipient_unit_ids=names))
    assert sorted(d["status"] for d in deliveries(ctx)) == ["pending"] * 3 + ["sending"] * 2
    assert dispatch.Dispatcher().run(ctx) == 3  # any dispatcher claims what was stored pending
    assert ours.run(ctx) == 2
    assert all(len(peer.hook_calls(name)) == 1 for name in names)
