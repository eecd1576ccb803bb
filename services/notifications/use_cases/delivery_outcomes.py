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
    add_fallback,
    apply_log,
    event_fields,
    failed_event,
    recorded,
    unclaimed_status,
)
from services.notifications.domain.delivery import apply_report, expire_if_due, record_attempt
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.vocabulary import (
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    ReportStatus,
)
from services.notifications.metrics import DELIVERIES as DELIVERY_METRIC
from services.notifications.repositories import NotificationsUnitOfWork
from services.notifications.repositories.deliveries import DeliveryRecord
from services.runtime.unit_of_work import StaleWrite

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
    once: email) or put it back to be sent again with the same key (at least once). Written
    only if the claim that was read still holds (its status and lease)."""
    with ctx.uow as uow:
        record = uow.deliveries.watching(doc)
        if Channel(doc["channel"]) in AT_MOST_ONCE:
            failed = record_attempt(
                record.value, AttemptOutcome.PERMANENT, now, policy=channels.retry_policy(
                    {"max_attempts": 1, "retry_base_seconds": 1, "retry_max_seconds": 1}),
                rng=_rng, reason="interrupted: outcome unknown, not resent (at most once)")
            record.change(failed, NotificationFailed(
                **event_fields(doc), status="failed",
                reason=failed.failure_reason or "interrupted", attempts=len(failed.attempts)),
                fallback_channel=None)
        else:
            record.change(None, status=unclaimed_status(doc), next_attempt_at=now,
                          interrupted=True)
        record.release_claim()
        return int(committed(uow))


def committed(uow: NotificationsUnitOfWork) -> bool:
    """Commit one delivery's change; False when another writer settled or took the delivery
    since it was read (nothing is written then: the other writer's outcome stands)."""
    try:
        uow.commit()
    except StaleWrite:
        return False
    return True


def expire_waiting(ctx: Context) -> int:
    """`sent` deliveries still awaiting a report after their deadline become expired."""
    now = ctx.now()
    count = 0
    for sent in ctx.uow.deliveries.sent_until(now):
        with ctx.uow as uow:
            record = uow.deliveries.watching(sent.stored)
            expired = expire_if_due(record.value, now)
            record.change(expired, failed_event(record.stored, expired))
            settled = int(committed(uow))
        count += settled
        DELIVERY_METRIC.labels(sent.stored["channel"], "expired").inc(settled)
    return count


def delivery_report(ctx: Context, channel: str, provider_message_id: str, status: str,
                    reason: str | None) -> dict[str, Any]:
    """Apply a provider's delivery report (idempotent: a repeated report changes nothing).
    A digest is one provider message for several deliveries: the report applies to each."""
    reported = ctx.uow.deliveries.by_provider_message(channel, provider_message_id)
    if not reported:
        raise NotFoundError("no delivery with this provider message id",
                            {"provider_message_id": provider_message_id})
    answer: dict[str, Any] = {}
    for record in reported:
        answer = _apply_report(ctx, record, channel, status, reason)
    return answer


def _apply_report(ctx: Context, reported: DeliveryRecord, channel: str, status: str,
                  reason: str | None) -> dict[str, Any]:
    """One delivery's report, written if the delivery still awaits it; a failure with a
    channel left opens the fallback delivery first (once: by its key)."""
    doc = reported.stored
    updated, changed = apply_report(reported.value, ReportStatus(status), ctx.now(), reason)
    if changed:
        with ctx.uow as uow:
            if updated.status is DeliveryStatus.DELIVERED:
                event: Any = NotificationDelivered(
                    **event_fields(doc), delivered_at=updated.updated_at or ctx.now())
            else:
                event = failed_event(doc, updated)
                if updated.fallback_channel is not None:
                    add_fallback(ctx, uow, doc, updated)
            uow.deliveries.watching(doc).change(updated, event)
            if committed(uow):
                DELIVERY_METRIC.labels(channel, updated.status.value).inc()
    return {"delivery_id": doc["_id"], "status": updated.status.value, "changed": changed}
