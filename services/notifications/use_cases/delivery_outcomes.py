"""What becomes of deliveries after their send: sends a dead worker interrupted (see
services/notifications/dispatch.py for at most once and at least once per channel), `sent`
deliveries whose report never came, and providers' delivery reports."""

from __future__ import annotations

import logging
import random
from datetime import datetime
from typing import Any

from services.contracts.events.notifications import NotificationDelivered, NotificationFailed
from services.notifications import channels
from services.notifications.context import Context
from services.notifications.dispatch import (
    AT_MOST_ONCE,
    HAND_OVER_LEASE_SECONDS,
    LOGS_PER_RECONCILE,
    apply_log,
    event_fields,
    failed_event,
    open_fallback,
    recorded,
    unclaimed_status,
)
from services.notifications.domain.delivery import (
    AttemptOutcome,
    DeliveryStatus,
    ReportStatus,
    apply_report,
    expire_if_due,
    record_attempt,
)
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.preferences import Channel
from services.notifications.metrics import DELIVERIES as DELIVERY_METRIC
from services.notifications.repositories.codec import delivery_fields, delivery_to_domain
from services.runtime.logging import correlation_id

log = logging.getLogger(__name__)
_rng = random.SystemRandom()


def reconcile_interrupted(ctx: Context) -> int:
    """Deliveries left in `sending` by a dead worker (lease expired): apply the outcome its
    dispatch log recorded; else, if a send may have started (claimed, or named by an intent),
    resend (at least once) or fail without resending (email, at most once); else (planned
    claimed, never attempted) release it."""
    now = ctx.now()
    count = 0
    dispatching = ctx.uow.dispatching
    logs = dispatching.unapplied_logs(now, LOGS_PER_RECONCILE)
    for entry in logs:
        if recorded(entry):
            apply_log(ctx, entry)  # the outcome was recorded: not an interruption
            continue
        # An intent without results: the batch's sends may have started.
        for doc in dispatching.held_under(entry["ids"], entry["claims"]):
            count += _interrupted(ctx, doc, now)
        dispatching.mark_applied(entry["_id"])
    dispatching.delete_settled_logs()
    expired = dispatching.expired_claims(now, min(ctx.settings.lease_seconds,
                                                  HAND_OVER_LEASE_SECONDS))
    started = dispatching.named_by_intents(
        sorted({d["claim"] for d in expired if d.get("queued") and d.get("claim")}))
    never_started: dict[str, list[str]] = {}
    for doc in expired:
        if not doc.get("queued"):
            count += _interrupted(ctx, doc, now)
        # One an intent names is in flight under the intent's lease, or interrupted (handled
        # above once that lease is over, maybe on the next run).
        elif doc["_id"] not in started and len(logs) < LOGS_PER_RECONCILE:
            never_started.setdefault(doc["claim"], []).append(doc["_id"])
    for claim, ids in never_started.items():  # never attempted: pending again, at once
        count += dispatching.release_never_started(claim, ids, now)
    if count:
        log.warning("interrupted deliveries reconciled", extra={"count": count})
    return count


def _interrupted(ctx: Context, doc: dict[str, Any], now: datetime) -> int:
    """A send that may have happened, outcome unknown: fail it without resending (at most
    once: email) or put it back to be sent again with the same key (at least once)."""
    if Channel(doc["channel"]) in AT_MOST_ONCE:
        delivery = delivery_to_domain(doc)
        failed = record_attempt(
            delivery, AttemptOutcome.PERMANENT, now, policy=channels.retry_policy(
                {"max_attempts": 1, "retry_base_seconds": 1, "retry_max_seconds": 1}),
            rng=_rng, reason="interrupted: outcome unknown, not resent (at most once)")
        fields = delivery_fields(failed)
        fields["fallback_channel"] = None
        event = NotificationFailed(**event_fields(doc), status="failed",
                                   reason=failed.failure_reason or "interrupted",
                                   attempts=len(failed.attempts))
        return ctx.uow.dispatching.settle_interrupted(
            doc, fields, [event.to_envelope(correlation_id.get())])
    return ctx.uow.dispatching.settle_interrupted(
        doc, {"status": unclaimed_status(doc), "next_attempt_at": now, "interrupted": True},
        [])


def expire_waiting(ctx: Context) -> int:
    """`sent` deliveries still awaiting a report after their deadline become expired."""
    now = ctx.now()
    count = 0
    for doc in ctx.uow.deliveries.sent_until(now):
        expired = expire_if_due(delivery_to_domain(doc), now)
        event = failed_event(doc, expired)
        settled = ctx.uow.deliveries.settle_sent(doc["_id"], delivery_fields(expired),
                                                 [event.to_envelope(correlation_id.get())])
        count += settled
        DELIVERY_METRIC.labels(doc["channel"], "expired").inc(settled)
    return count


def delivery_report(ctx: Context, channel: str, provider_message_id: str, status: str,
                    reason: str | None) -> dict[str, Any]:
    """Apply a provider's delivery report (idempotent: a repeated report changes nothing).
    A digest is one provider message for several deliveries: the report applies to each."""
    docs = ctx.uow.deliveries.by_provider_message(channel, provider_message_id)
    if not docs:
        raise NotFoundError("no delivery with this provider message id",
                            {"provider_message_id": provider_message_id})
    answer: dict[str, Any] = {}
    for doc in docs:
        answer = _apply_report(ctx, doc, channel, status, reason)
    return answer


def _apply_report(ctx: Context, doc: dict[str, Any], channel: str, status: str,
                  reason: str | None) -> dict[str, Any]:
    delivery = delivery_to_domain(doc)
    updated, changed = apply_report(delivery, ReportStatus(status), ctx.now(), reason)
    if changed:
        events: list[Any] = []
        if updated.status is DeliveryStatus.DELIVERED:
            events.append(NotificationDelivered(**event_fields(doc),
                                                delivered_at=updated.updated_at or ctx.now()))
        else:
            events.append(failed_event(doc, updated))
            if updated.fallback_channel is not None:
                open_fallback(ctx, doc, updated)
        if ctx.uow.deliveries.settle_sent(doc["_id"], delivery_fields(updated),
                                          [e.to_envelope(correlation_id.get())
                                           for e in events]):
            DELIVERY_METRIC.labels(channel, updated.status.value).inc()
    return {"delivery_id": doc["_id"], "status": updated.status.value, "changed": changed}
