"""What the notifications sending tests share: settings over the SMTP sink, units, draining
the dispatcher and reading what it did (the fixtures are in conftest.py)."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from services.contracts.events.plans import TaskAssigned
from services.contracts.notifications import RecipientUnitModel
from services.notifications import dispatch
from services.notifications.domain.webhook_signing import WebhookSecret
from services.notifications.repositories import (
    DELIVERIES,
    DISPATCH_LOG,
)
from services.notifications.settings import NotificationsSettings
from services.notifications.use_cases import directory, intake
from stack.notification_peers import SmtpSink

SECRET = WebhookSecret(b"integration-webhook-secret-0123").serialize()


def make_settings(smtp: SmtpSink, **overrides) -> NotificationsSettings:
    values = {"outbound_allowlist": "127.0.0.0/8,::1", "smtp_host": "127.0.0.1",
              "smtp_port": smtp.port, "ack_link_secret": "integration-ack-secret-0123456789",
              "webhook_timeout_seconds": 2.0, "dispatch_concurrency": 4}
    values.update(overrides)
    return NotificationsSettings(**values)


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


def only_delivery(ctx, unit_id, contacts):
    """The one delivery of a task assigned to a new unit with these contacts, once the
    dispatcher has settled it."""
    add_unit(ctx, unit_id, contacts)
    intake.on_task_assigned(ctx, task_event(unit_id))
    drain(ctx)
    [delivery] = deliveries(ctx)
    return delivery


def task_event(lead, coordinating=(), task_id=None):
    return TaskAssigned(task_id=task_id or f"task-{uuid.uuid4().hex[:6]}", plan_id="plan-25",
                        plan_number="25/KH-STTTT",
                        title="Tuyên truyền phòng, chống ma túy trên báo in và báo điện tử",
                        lead_unit_id=lead, coordinating_unit_ids=list(coordinating),
                        due_date=datetime(2021, 12, 15).date())
