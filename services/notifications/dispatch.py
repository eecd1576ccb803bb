"""Sending: claim due deliveries with a lease, call the channel, record the outcome.

Exactly once: a delivery exists once (its `_id` is the idempotency key); a dispatcher claims
it atomically (`find_one_and_update` pending/retrying -> `sending` with a lease), so two
replicas never send the same delivery; the outcome is written only by the lease holder.

A delivery found in `sending` with an expired lease was interrupted mid-call (a killed
worker). What happens then is chosen per channel:
- webhook, sms, zalo, telegram: at least once. It is sent again with the same
  `webhook-id` / `Idempotency-Key` (the delivery key), so the receiver or provider drops the
  duplicate.
- email: at most once. SMTP has no idempotency key a mail client honours, so an interrupted
  email is marked failed ("interrupted: outcome unknown") and is neither resent nor
  replaced by a fallback channel; operators see it in list_deliveries.
- inbox: local, idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import random
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import eventlet
from pymongo import UpdateOne
from pymongo.database import Database

from services.contracts.events.notifications import (
    NotificationDelivered,
    NotificationFailed,
    NotificationSent,
)
from services.notifications import channels
from services.notifications.domain.ack import AckVia
from services.notifications.domain.composition import DigestEntry, compose_digest
from services.notifications.domain.delivery import (
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    ReportStatus,
    apply_report,
    expire_if_due,
    new_delivery,
    record_attempt,
)
from services.notifications.domain.errors import NotFoundError
from services.notifications.domain.preferences import Channel, to_local
from services.notifications.domain.ratelimit import TokenBucket, try_take
from services.notifications.handlers import Context
from services.notifications.metrics import DELIVERIES as DELIVERY_METRIC
from services.notifications.repository import (
    DELIVERIES,
    DISPATCH_LOG,
    RECIPIENTS,
    SENDING,
    delivery_document,
    delivery_fields,
    delivery_to_domain,
)
from services.runtime.logging import correlation_id
from services.runtime.outbox import PENDING, merge_updates, outbox_push, with_outbox

log = logging.getLogger(__name__)

AT_MOST_ONCE = frozenset({Channel.EMAIL})
_rng = random.SystemRandom()


@dataclass
class Outcome:
    """What one claimed delivery became: the fields to write, its events, what follows."""

    doc: dict[str, Any]
    fields: dict[str, Any]
    events: list[Any] = field(default_factory=list)
    status: str = ""
    delivery: Delivery | None = None
    acknowledged: bool = False


class Dispatcher:
    """One per process: its owner id marks its leases; its buckets rate-limit its sends.

    A tick claims a batch of due deliveries (one `update_many` with a claim token), sends
    them `dispatch_concurrency` at a time, then records every outcome in one write-ahead
    `dispatch_log` document that also carries the batch's events (the outbox), and applies it
    to the deliveries with one bulk write. A crash between the two leaves the log unapplied:
    `reconcile_interrupted` applies it before treating leftovers as interrupted. One commit
    per batch instead of several per delivery is what makes 500 deliveries fit in seconds.
    """

    def __init__(self) -> None:
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.buckets: dict[str, TokenBucket] = {}

    # --- the loop ----------------------------------------------------------------------------

    def run(self, ctx: Context, budget_seconds: float = 5.0) -> int:
        """Send what is due, batch after batch, for at most about `budget_seconds`."""
        clock = eventlet.hubs.get_hub().clock
        deadline = clock() + budget_seconds
        configs: dict[Channel, dict[str, Any]] | None = None
        total = 0
        while clock() < deadline:
            batch = self.claim(ctx.db, ctx.now(), ctx.settings.lease_seconds,
                               ctx.settings.dispatch_batch_size)
            if not batch:
                break
            if configs is None:
                configs = {c: channels.load_config(ctx.db, c, ctx.settings) for c in Channel}
            total += self.process_batch(ctx, batch, configs)
        return total

    def claim(self, db: Database, now: datetime, lease_seconds: float = 120,
              limit: int = 100) -> list[dict[str, Any]]:
        due = {"status": {"$in": [DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value]},
               "next_attempt_at": {"$lte": now}}
        ids = [d["_id"] for d in db[DELIVERIES].find(due, {"_id": 1})
               .sort("next_attempt_at", 1).limit(limit)]
        if not ids:
            return []
        token = uuid.uuid4().hex
        db[DELIVERIES].update_many(
            {**due, "_id": {"$in": ids}},
            {"$set": {"status": SENDING, "lease_until": now + timedelta(seconds=lease_seconds),
                      "lease_owner": self.owner, "claim": token}})
        claimed = list(db[DELIVERIES].find({"claim": token, "status": SENDING}))
        claimed.sort(key=lambda d: (-int(d.get("priority_rank") or 0), d["next_attempt_at"]))
        return claimed

    def process_batch(self, ctx: Context, docs: list[dict[str, Any]],
                      configs: dict[Channel, dict[str, Any]]) -> int:
        units = [d["unit_id"] for d in docs if d["channel"] == Channel.WEBHOOK.value]
        secrets = {u["_id"]: u.get("webhook_secret") for u in ctx.db[RECIPIENTS].find(
            {"_id": {"$in": units}}, {"webhook_secret": 1})} if units else {}

        def attempt(work: list[dict[str, Any]]) -> list[Outcome]:
            try:
                return self.attempt(ctx, work, configs[Channel(work[0]["channel"])], secrets)
            except Exception as exc:  # a bug must not leave the deliveries claimed forever
                log.exception("delivery attempt crashed", extra={"delivery_id": work[0]["_id"]})
                return [Outcome(doc, {"status": unclaimed_status(doc),
                                      "next_attempt_at": ctx.now() + timedelta(seconds=60),
                                      "failure_reason": f"internal: {type(exc).__name__}"})
                        for doc in work]

        pool = eventlet.GreenPool(ctx.settings.dispatch_concurrency)
        outcomes = [o for group in pool.imap(attempt, units_of_work(docs)) for o in group]
        self.commit(ctx, outcomes)
        for outcome in outcomes:
            self.follow_up(ctx, outcome)
        return len(outcomes)

    def attempt(self, ctx: Context, docs: list[dict[str, Any]], config: dict[str, Any],
                secrets: dict[str, Any]) -> list[Outcome]:
        """Send one message for `docs` (one delivery, or the digest of a unit's held
        deliveries on one channel) and record the result on each."""
        now = ctx.now()
        outcomes: list[Outcome] = []
        live: list[tuple[dict[str, Any], Delivery]] = []
        for doc in docs:
            delivery = delivery_to_domain(doc)
            expired = expire_if_due(delivery, now)
            if expired.status is DeliveryStatus.EXPIRED:
                outcomes.append(Outcome(doc, delivery_fields(expired),
                                        [self._failed_event(doc, expired)],
                                        expired.status.value, expired))
            else:
                live.append((doc, delivery))
        if not live:
            return outcomes
        lead = live[0][0]
        channel = Channel(lead["channel"])
        wait = self._rate_limited(channel, config, now)
        if wait > 0:
            return outcomes + [Outcome(doc, {"status": unclaimed_status(doc),
                                             "next_attempt_at": now + timedelta(seconds=wait)},
                                       status="rate_limited") for doc, _ in live]
        message = lead if len(live) == 1 else digest_message(ctx, [d for d, _ in live])
        result = self.send(ctx, message, channel, config, secrets.get(lead["unit_id"]))
        for doc, delivery in live:
            outcomes.append(self._record(ctx, doc, delivery, config, result))
        return outcomes

    def _record(self, ctx: Context, doc: dict[str, Any], delivery: Delivery,
                config: dict[str, Any], result: channels.SendResult) -> Outcome:
        now = ctx.now()
        updated = record_attempt(delivery, result.outcome, now,
                                 policy=channels.retry_policy(config), rng=_rng,
                                 reason=result.reason,
                                 provider_message_id=result.provider_message_id)
        events: list[Any] = []
        if result.outcome is AttemptOutcome.OK:
            events.append(NotificationSent(**_event_fields(doc), attempt=len(updated.attempts)))
        if updated.status is DeliveryStatus.DELIVERED:
            events.append(NotificationDelivered(**_event_fields(doc),
                                                delivered_at=updated.updated_at or now))
        if updated.status in (DeliveryStatus.FAILED, DeliveryStatus.EXPIRED):
            events.append(self._failed_event(doc, updated))
        return Outcome(doc, delivery_fields(updated), events, updated.status.value, updated,
                       result.acknowledged)

    def send(self, ctx: Context, doc: dict[str, Any], channel: Channel,
             config: dict[str, Any], secret: str | None = None) -> channels.SendResult:
        if not config.get("enabled", True):
            return channels.SendResult(AttemptOutcome.PERMANENT, f"channel {channel} disabled")
        allow = ctx.settings.allowlist()
        if channel is Channel.EMAIL:
            return channels.send_email(doc, config)
        if channel is Channel.WEBHOOK:
            return channels.send_webhook(doc, config, secret, allow)
        if channel in channels.PROVIDER_CHANNELS:
            return channels.send_via_provider(doc, channel, config, allow)
        return channels.SendResult(AttemptOutcome.OK)  # inbox: stored, readable by RPC

    def commit(self, ctx: Context, outcomes: list[Outcome]) -> None:
        """One write-ahead log document (results + events), then one bulk write."""
        if not outcomes:
            return
        events = [e.to_envelope(correlation_id.get()) for o in outcomes for e in o.events]
        lease_until = max(o.doc["lease_until"] for o in outcomes)
        entry = {"_id": uuid.uuid4().hex, "owner": self.owner, "at": ctx.now(),
                 "lease_until": lease_until, "applied": False,
                 "results": [{"id": o.doc["_id"], "fields": o.fields} for o in outcomes]}
        ctx.db[DISPATCH_LOG].insert_one(with_outbox(entry, events) if events else entry)
        apply_log(ctx.db, entry)
        for outcome in outcomes:
            DELIVERY_METRIC.labels(outcome.doc["channel"], outcome.status or "released").inc()

    def follow_up(self, ctx: Context, outcome: Outcome) -> None:
        delivery = outcome.delivery
        if (delivery is not None and delivery.status is DeliveryStatus.FAILED
                and delivery.fallback_channel is not None):
            open_fallback(ctx, outcome.doc, delivery)
        if outcome.acknowledged:
            from services.notifications.receipts import acknowledge_unit

            acknowledge_unit(ctx, outcome.doc["notice_id"], outcome.doc["unit_id"],
                             AckVia.WEBHOOK_REPLY, actor="webhook")

    def _rate_limited(self, channel: Channel, config: dict[str, Any], now: datetime) -> float:
        capacity, rate = float(config["rate_capacity"]), float(config["rate_per_second"])
        bucket = self.buckets.get(channel.value)
        if bucket is None or (bucket.capacity, bucket.refill_per_second) != (capacity, rate):
            bucket = TokenBucket.full(capacity, rate, now)
        taken = try_take(bucket, now)
        self.buckets[channel.value] = taken.bucket
        return 0.0 if taken.allowed else taken.retry_after_seconds

    @staticmethod
    def _failed_event(doc: dict[str, Any], delivery: Delivery) -> NotificationFailed:
        return NotificationFailed(**_event_fields(doc), status=delivery.status.value,
                                  reason=delivery.failure_reason or delivery.status.value,
                                  attempts=len(delivery.attempts))


def units_of_work(docs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each delivery alone, except digest deliveries: one group per unit, channel, language."""
    work: list[list[dict[str, Any]]] = []
    digests: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for doc in docs:
        if not doc.get("digest"):
            work.append([doc])
            continue
        key = (doc["unit_id"], doc["channel"], doc["language"])
        if key not in digests:
            digests[key] = []
            work.append(digests[key])
        digests[key].append(doc)
    return work


def digest_message(ctx: Context, docs: list[dict[str, Any]]) -> dict[str, Any]:
    """One message gathering a unit's held normal-priority notices (domain compose_digest);
    its id (webhook-id, Idempotency-Key) is derived from the deliveries it carries."""
    lead = docs[0]
    entries = [DigestEntry(d["subject"], ack_url=d.get("ack_url") or "") for d in docs]
    message = compose_digest(entries, to_local(ctx.now()).date(),
                             recipient_name=lead.get("recipient_name") or lead["unit_id"],
                             sender_name=ctx.settings.sender_name)
    ids = "\x1f".join(sorted(d["_id"] for d in docs)).encode("utf-8")
    return {**lead, "_id": "dgst_" + hashlib.sha256(ids).hexdigest()[:40], "kind": "digest",
            "subject": message.subject, "text": message.text, "html": None, "ack_url": "",
            "notice_id": None}


def apply_log(db: Database, entry: dict[str, Any]) -> None:
    """Apply a dispatch log's results to deliveries still claimed (idempotent)."""
    operations = [UpdateOne({"_id": r["id"], "status": SENDING},
                            {"$set": r["fields"],
                             "$unset": {"lease_until": "", "lease_owner": "", "claim": ""}})
                  for r in entry["results"]]
    if operations:
        db[DELIVERIES].bulk_write(operations, ordered=False)
    db[DISPATCH_LOG].update_one({"_id": entry["_id"]}, {"$set": {"applied": True},
                                                       "$unset": {"results": ""}})


def _event_fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {"notice_id": doc["notice_id"], "delivery_id": doc["_id"], "unit_id": doc["unit_id"],
            "channel": doc["channel"], "language": doc["language"],
            "kind": doc.get("kind") or "", "plan_id": doc.get("plan_id"),
            "task_id": doc.get("task_id")}


def open_fallback(ctx: Context, doc: dict[str, Any], failed: Delivery) -> None:
    """Create the delivery on the next channel in the unit's order (idempotent by key)."""
    unit = ctx.db[RECIPIENTS].find_one({"_id": doc["unit_id"]}) or {}
    remaining = list(failed.fallback_channels)
    while remaining:
        channel = remaining.pop(0)
        address = next((c.get("address") for c in unit.get("contacts") or []
                        if c.get("channel") == channel.value and c.get("active", True)
                        and c.get("address")), None)
        if address is None:
            continue
        fallback = new_delivery(doc["notice_id"], doc["unit_id"], channel, doc["language"],
                                address, now=ctx.now(), plan_channels=[channel, *remaining],
                                expires_at=doc.get("expires_at"))
        copied = {k: doc.get(k) for k in ("subject", "text", "html", "ack_url", "kind",
                                          "priority", "priority_rank", "plan_id", "task_id",
                                          "ack_deadline", "sender_name", "recipient_name")}
        try:
            ctx.db[DELIVERIES].insert_one(delivery_document(fallback, **copied,
                                                            fallback_of=doc["_id"]))
        except Exception as exc:  # DuplicateKeyError: opened already (a re-run)
            log.info("fallback exists", extra={"delivery_id": fallback.key,
                                               "error": type(exc).__name__})
        return


def reconcile_interrupted(ctx: Context) -> int:
    """Deliveries left in `sending` by a dead worker (lease expired): resend (at least once)
    or fail without resending (email, at most once)."""
    now = ctx.now()
    count = 0
    for entry in ctx.db[DISPATCH_LOG].find({"applied": False, "lease_until": {"$lt": now}}):
        apply_log(ctx.db, entry)  # the outcome was recorded: not an interruption
    ctx.db[DISPATCH_LOG].delete_many({"applied": True, PENDING: {"$exists": False}})
    for doc in ctx.db[DELIVERIES].find({"status": SENDING, "lease_until": {"$lt": now}},
                                       limit=200):
        if Channel(doc["channel"]) in AT_MOST_ONCE:
            delivery = delivery_to_domain(doc)
            failed = record_attempt(
                delivery, AttemptOutcome.PERMANENT, now, policy=channels.retry_policy(
                    {"max_attempts": 1, "retry_base_seconds": 1, "retry_max_seconds": 1}),
                rng=_rng, reason="interrupted: outcome unknown, not resent (at most once)")
            fields = delivery_fields(failed)
            fields["fallback_channel"] = None
            event = NotificationFailed(**_event_fields(doc), status="failed",
                                       reason=failed.failure_reason or "interrupted",
                                       attempts=len(failed.attempts))
            update = merge_updates({"$set": fields, "$unset": {"lease_until": "",
                                                               "lease_owner": "", "claim": ""}},
                                   outbox_push([event.to_envelope(correlation_id.get())]))
        else:
            update = {"$set": {"status": unclaimed_status(doc),
                               "next_attempt_at": now, "interrupted": True},
                      "$unset": {"lease_until": "", "lease_owner": "", "claim": ""}}
        result = ctx.db[DELIVERIES].update_one(
            {"_id": doc["_id"], "status": SENDING, "lease_until": doc["lease_until"]}, update)
        count += result.modified_count
    if count:
        log.warning("interrupted deliveries reconciled", extra={"count": count})
    return count


def expire_waiting(ctx: Context) -> int:
    """`sent` deliveries still awaiting a report after their deadline become expired."""
    now = ctx.now()
    count = 0
    for doc in ctx.db[DELIVERIES].find({"status": DeliveryStatus.SENT.value,
                                        "expires_at": {"$lte": now}}, limit=500):
        expired = expire_if_due(delivery_to_domain(doc), now)
        event = Dispatcher._failed_event(doc, expired)
        result = ctx.db[DELIVERIES].update_one(
            {"_id": doc["_id"], "status": DeliveryStatus.SENT.value},
            merge_updates({"$set": delivery_fields(expired)},
                          outbox_push([event.to_envelope(correlation_id.get())])))
        count += result.modified_count
        DELIVERY_METRIC.labels(doc["channel"], "expired").inc(result.modified_count)
    return count


def delivery_report(ctx: Context, channel: str, provider_message_id: str, status: str,
                    reason: str | None) -> dict[str, Any]:
    """Apply a provider's delivery report (idempotent: a repeated report changes nothing).
    A digest is one provider message for several deliveries: the report applies to each."""
    docs = list(ctx.db[DELIVERIES].find({"provider_message_id": provider_message_id,
                                         "channel": channel}))
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
            events.append(NotificationDelivered(**_event_fields(doc),
                                                delivered_at=updated.updated_at or ctx.now()))
        else:
            events.append(Dispatcher._failed_event(doc, updated))
            if updated.fallback_channel is not None:
                open_fallback(ctx, doc, updated)
        result = ctx.db[DELIVERIES].update_one(
            {"_id": doc["_id"], "status": DeliveryStatus.SENT.value},
            merge_updates({"$set": delivery_fields(updated)}, outbox_push(
                [e.to_envelope(correlation_id.get()) for e in events])))
        if result.modified_count:
            DELIVERY_METRIC.labels(channel, updated.status.value).inc()
    return {"delivery_id": doc["_id"], "status": updated.status.value, "changed": changed}


def unclaimed_status(doc: dict[str, Any]) -> str:
    return (DeliveryStatus.RETRYING if doc.get("attempts") else DeliveryStatus.PENDING).value
