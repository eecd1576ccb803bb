"""Notifications sending over time and across dispatchers: an interrupted send, leases that
run out, intents written before a send, outcomes recorded but not applied, bounded hand-overs
(exactly once where the channel allows it: webhooks resend, email does not), quiet hours, rate
limits and deliveries claimed at planning."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sending_kit import SECRET, add_unit, deliveries, drain, events_of, task_event

from services.contracts.events.plans import PlanIssued
from services.contracts.notifications import CreateNoticeRequest
from services.notifications import channels, dispatch
from services.notifications.domain.vocabulary import Channel
from services.notifications.repositories import (
    DELIVERIES,
    DISPATCH_LOG,
)
from services.notifications.use_cases import delivery_outcomes, intake, notices


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
