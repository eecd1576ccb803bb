"""Sending: claim due deliveries with a lease, call the channel, record the outcome.

Exactly once: a delivery exists once (its `_id` is the idempotency key); a dispatcher claims
a batch with one guarded `update_many` by `_id`s (pending/retrying -> `sending` with a lease and
a claim token), so two replicas never send the same delivery; the outcome is written only
under the holder's claim token.

Deliveries planned by this process and due at once skip the claim: planning stores them
claimed for this process's dispatcher (`queued`, a short lease) and hands their ids over
(`hand_over`); before sending such a batch the dispatcher writes its intent, a `dispatch_log`
document naming them, with the sending lease. Until then nothing was attempted: if the process
dies first, they are released when their short lease runs out and sent normally, whatever the
channel. The hand-over is bounded (`HAND_OVER_LIMIT`): beyond it, planning stores deliveries
pending, for any dispatcher to claim.

A delivery found in `sending` with an expired lease whose claim (or intent) was written was
interrupted mid-call (a killed worker). What happens then is chosen per channel:
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
import json
import logging
import random
import socket
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.contracts.events.notifications import (
    NotificationDelivered,
    NotificationFailed,
    NotificationSent,
)
from services.notifications import channels
from services.notifications.context import Context
from services.notifications.domain.composition import DigestEntry, compose_digest
from services.notifications.domain.delivery import (
    Delivery,
    expire_if_due,
    new_delivery,
    record_attempt,
)
from services.notifications.domain.preferences import to_local
from services.notifications.domain.ratelimit import TokenBucket, try_take
from services.notifications.domain.vocabulary import AckVia, AttemptOutcome, Channel, DeliveryStatus
from services.notifications.metrics import DELIVERIES as DELIVERY_METRIC
from services.notifications.repositories import NotificationsUnitOfWork
from services.notifications.repositories.codec import delivery_fields, delivery_to_domain
from services.notifications.repositories.deliveries import DeliveryRecord
from services.notifications.use_cases.receipts import acknowledge_unit
from services.runtime.concurrency import Pending
from services.runtime.logging import correlation_id

log = logging.getLogger(__name__)

AT_MOST_ONCE = frozenset({Channel.EMAIL})
LOGS_PER_RECONCILE = 100
# Deliveries handed over and not yet started, at most; beyond, planning stores them pending.
HAND_OVER_LIMIT = 5000
# How long a delivery planned claimed for this process's dispatcher waits for it, plus its
# place in the queue at a rate any dispatcher keeps up (deliveries per second): if the
# process dies, that is how late it goes out.
HAND_OVER_LEASE_SECONDS = 30.0
HAND_OVER_MIN_RATE = 20.0
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


@dataclass
class Attempted:
    """A claimed delivery after its unit of work: the send's result to record, or an outcome
    decided without sending (expired, rate limited, crashed)."""

    doc: dict[str, Any]
    delivery: Delivery | None = None
    config: dict[str, Any] = field(default_factory=dict)
    result: channels.SendResult | None = None
    outcome: Outcome | None = None


@dataclass
class HandedOver:
    """Deliveries planned claimed for this dispatcher (see `Dispatcher.hand_over`)."""

    claim: str
    ids: list[str]
    lease_until: datetime


class Dispatcher:
    """One per process: its owner id marks its leases; its buckets rate-limit its sends.

    A tick claims a batch of due deliveries (one `update_many` with a claim token), sends
    them `dispatch_concurrency` at a time, then records every outcome in one write-ahead
    `dispatch_log` document that also carries the batch's events (the outbox), and applies it
    to the deliveries: one `update_many` by `_id`s per distinct outcome (see `apply_log`). A
    crash between the two leaves the log unapplied: `reconcile_interrupted` applies it before
    treating leftovers as interrupted. A few commits per batch instead of one or more per
    delivery is what makes 500 deliveries fit in seconds (every commit is synced to disk).
    """

    def __init__(self) -> None:
        self.owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.buckets: dict[str, TokenBucket] = {}
        self.handed_over: deque[HandedOver] = deque()

    def hand_over_lease(self, now: datetime) -> datetime | None:
        """The lease of deliveries to plan claimed for us; None while we hold enough."""
        waiting = sum(len(work.ids) for work in self.handed_over)
        if waiting >= HAND_OVER_LIMIT:
            return None
        return lease_end(now, HAND_OVER_LEASE_SECONDS + waiting / HAND_OVER_MIN_RATE)

    def hand_over(self, claim: str, delivery_ids: list[str], lease_until: datetime) -> None:
        """Deliveries planning stored claimed for us (`claim`, `queued`): sent before any
        due delivery is claimed."""
        if delivery_ids:
            self.handed_over.append(HandedOver(claim, list(delivery_ids), lease_until))

    # --- the loop ----------------------------------------------------------------------------

    def run(self, ctx: Context, budget_seconds: float = 5.0) -> int:
        """Send what is due, batch after batch, for at most about `budget_seconds`.

        A batch's outcomes are written while the next batch is claimed and sent: the
        database and the network work side by side instead of in turn."""
        clock = time.monotonic
        deadline = clock() + budget_seconds
        configs: dict[Channel, dict[str, Any]] | None = None
        total = 0
        settling: Pending[int] | None = None  # the previous batch's settle(), beside this one
        try:
            while clock() < deadline:
                batch, intent = self.take_handed_over(ctx, ctx.now(),
                                                      ctx.settings.lease_seconds,
                                                      ctx.settings.dispatch_batch_size)
                if not batch:
                    batch = self.claim(ctx, ctx.now(), ctx.settings.lease_seconds,
                                       ctx.settings.dispatch_batch_size)
                if not batch:
                    break
                if configs is None:
                    configs = {c: channels.load_config(ctx, c) for c in Channel}
                attempted = self.send_batch(ctx, batch, configs)
                try:
                    if settling is not None:
                        total += settling.result()
                finally:  # sent: recorded even when the previous batch's write failed
                    settling = ctx.workers.spawn(self.settle, ctx, attempted, intent)
        finally:
            if settling is not None:
                total += settling.result()
        return total

    def claim(self, ctx: Context, now: datetime, lease_seconds: float = 120,
              limit: int = 100) -> list[dict[str, Any]]:
        """Lease up to `limit` due deliveries, oldest due first, in three round trips."""
        dispatching = ctx.uow.dispatching
        ids = dispatching.due_ids(now, limit)
        if not ids:
            return []
        claimed = dispatching.claim(ids, now, now + timedelta(seconds=lease_seconds),
                                    self.owner, uuid.uuid4().hex)
        due_order = {delivery_id: n for n, delivery_id in enumerate(ids)}
        claimed.sort(key=lambda d: (-int(d.get("priority_rank") or 0), due_order[d["_id"]]))
        return claimed

    def take_handed_over(self, ctx: Context, now: datetime, lease_seconds: float = 120,
                         limit: int = 100) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` handed-over deliveries still held under their claim, and the id of
        the intent written for them: the `dispatch_log` document their outcomes will go to,
        whose lease (`lease_seconds`) covers the sends.

        A claim with less than a third of its short lease left is not started: the
        housekeeping may be releasing those deliveries (nothing attempted); they go the
        claim way."""
        while self.handed_over:
            work = self.handed_over[0]
            ids, work.ids = work.ids[:limit], work.ids[limit:]
            if not work.ids:
                self.handed_over.popleft()
            if work.lease_until - now < timedelta(seconds=HAND_OVER_LEASE_SECONDS / 3):
                continue
            planned_order = {delivery_id: n for n, delivery_id in enumerate(ids)}
            docs = sorted(ctx.uow.dispatching.held_under(ids, [work.claim]),
                          key=lambda d: (-int(d.get("priority_rank") or 0),
                                         planned_order[d["_id"]]))
            if not docs:
                continue
            intent = uuid.uuid4().hex
            ctx.uow.dispatching.write_intent({"_id": intent, "owner": self.owner, "at": now,
                                         "lease_until": lease_end(now, lease_seconds),
                                         "applied": False, "claims": [work.claim],
                                         "ids": [d["_id"] for d in docs]})
            return docs, intent
        return [], None

    def send_batch(self, ctx: Context, docs: list[dict[str, Any]],
                   configs: dict[Channel, dict[str, Any]]) -> list[Attempted]:
        """Send a claimed batch, `dispatch_concurrency` units of work at a time."""
        units = [d["unit_id"] for d in docs if d["channel"] == Channel.WEBHOOK.value]
        secrets = ctx.uow.recipients.webhook_secrets(units)
        claimed_at = ctx.now()

        def send(work: list[dict[str, Any]]) -> list[Attempted]:
            try:
                return self.send_unit(ctx, work, configs[Channel(work[0]["channel"])],
                                      secrets, claimed_at)
            except Exception as exc:  # a bug must not leave the deliveries claimed forever
                log.exception("delivery attempt crashed", extra={"delivery_id": work[0]["_id"]})
                return [Attempted(doc, outcome=Outcome(doc, {
                    "status": unclaimed_status(doc),
                    "next_attempt_at": claimed_at + timedelta(seconds=60),
                    "failure_reason": f"internal: {type(exc).__name__}"})) for doc in work]

        return [a for group in ctx.workers.map(send, units_of_work(docs),
                                               ctx.settings.dispatch_concurrency)
                for a in group]

    def settle(self, ctx: Context, attempted: list[Attempted], intent: str | None = None
               ) -> int:
        """Record a sent batch (`commit`), then open fallbacks and record webhook acks."""
        # One time for the whole batch: outcomes alike are then written by one statement.
        recorded_at = ctx.now()
        outcomes = [self.record(ctx, a, recorded_at) for a in attempted]
        self.commit(ctx, outcomes, intent)
        for outcome in outcomes:
            self.follow_up(ctx, outcome)
        return len(outcomes)

    def attempt(self, ctx: Context, docs: list[dict[str, Any]], config: dict[str, Any],
                secrets: dict[str, Any]) -> list[Outcome]:
        """Send one unit of work (`send_unit`) and record its outcomes now."""
        attempted = self.send_unit(ctx, docs, config, secrets, ctx.now())
        recorded_at = ctx.now()
        return [self.record(ctx, a, recorded_at) for a in attempted]

    def send_unit(self, ctx: Context, docs: list[dict[str, Any]], config: dict[str, Any],
                  secrets: dict[str, Any], now: datetime) -> list[Attempted]:
        """Send one message for `docs` (one delivery, or the digest of a unit's held
        deliveries on one channel); what to record is decided by `record`."""
        attempted: list[Attempted] = []
        live: list[tuple[dict[str, Any], Delivery]] = []
        for doc in docs:
            delivery = delivery_to_domain(doc)
            expired = expire_if_due(delivery, now)
            if expired.status is DeliveryStatus.EXPIRED:
                attempted.append(Attempted(doc, outcome=Outcome(
                    doc, delivery_fields(expired), [failed_event(doc, expired)],
                    expired.status.value, expired)))
            else:
                live.append((doc, delivery))
        if not live:
            return attempted
        lead = live[0][0]
        channel = Channel(lead["channel"])
        wait = self._rate_limited(channel, config, now)
        if wait > 0:
            return attempted + [Attempted(doc, outcome=Outcome(
                doc, {"status": unclaimed_status(doc),
                      "next_attempt_at": now + timedelta(seconds=wait)},
                status="rate_limited")) for doc, _ in live]
        message = lead if len(live) == 1 else digest_message(ctx, [d for d, _ in live])
        result = self.send(ctx, message, channel, config, secrets.get(lead["unit_id"]))
        return attempted + [Attempted(doc, delivery, config, result) for doc, delivery in live]

    def record(self, ctx: Context, attempted: Attempted, now: datetime) -> Outcome:
        """The fields and events of one attempted delivery (decided already, or by the domain
        from the send's result)."""
        if attempted.outcome is not None:
            return attempted.outcome
        doc, delivery, config, result = (attempted.doc, attempted.delivery, attempted.config,
                                         attempted.result)
        assert delivery is not None and result is not None
        updated = record_attempt(delivery, result.outcome, now,
                                 policy=channels.retry_policy(config), rng=_rng,
                                 reason=result.reason,
                                 provider_message_id=result.provider_message_id)
        events: list[Any] = []
        if result.outcome is AttemptOutcome.OK:
            events.append(NotificationSent(**event_fields(doc), attempt=len(updated.attempts)))
        if updated.status is DeliveryStatus.DELIVERED:
            events.append(NotificationDelivered(**event_fields(doc),
                                                delivered_at=updated.updated_at or now))
        if updated.status in (DeliveryStatus.FAILED, DeliveryStatus.EXPIRED):
            events.append(failed_event(doc, updated))
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

    def commit(self, ctx: Context, outcomes: list[Outcome], intent: str | None = None
               ) -> None:
        """One write-ahead log document (results + events; the batch's intent document when
        it has one), then its application."""
        if not outcomes:
            return
        events = [e.to_envelope(correlation_id.get()) for o in outcomes for e in o.events]
        entry = {"_id": intent or uuid.uuid4().hex, "owner": self.owner, "at": ctx.now(),
                 "lease_until": max(o.doc["lease_until"] for o in outcomes), "applied": False,
                 "claims": sorted({o.doc["claim"] for o in outcomes if o.doc.get("claim")}),
                 "outcomes": alike_outcomes((o.doc["_id"], o.fields) for o in outcomes)}
        ctx.uow.dispatching.record_batch(entry, events, intent)
        # Not marked applied here: one rewrite less of a document carrying the batch's
        # events. The housekeeping applies it again once its lease is over (a no-op under
        # the claim guard) and marks it then.
        apply_log(ctx, entry, mark_applied=False)
        for outcome in outcomes:
            DELIVERY_METRIC.labels(outcome.doc["channel"], outcome.status or "released").inc()

    def follow_up(self, ctx: Context, outcome: Outcome) -> None:
        delivery = outcome.delivery
        if (delivery is not None and delivery.status is DeliveryStatus.FAILED
                and delivery.fallback_channel is not None):
            open_fallback(ctx, outcome.doc, delivery)
        if outcome.acknowledged:
            acknowledge_unit(ctx.fresh(), outcome.doc["notice_id"], outcome.doc["unit_id"],
                             AckVia.WEBHOOK_REPLY, actor="webhook")

    def _rate_limited(self, channel: Channel, config: dict[str, Any], now: datetime) -> float:
        capacity, rate = float(config["rate_capacity"]), float(config["rate_per_second"])
        bucket = self.buckets.get(channel.value)
        if bucket is None or (bucket.capacity, bucket.refill_per_second) != (capacity, rate):
            bucket = TokenBucket.full(capacity, rate, now)
        taken = try_take(bucket, now)
        self.buckets[channel.value] = taken.bucket
        return 0.0 if taken.allowed else taken.retry_after_seconds


def send_due(ctx: Context) -> int:
    """The dispatch tick: the process's dispatcher (the context's sender) sends what is due."""
    assert isinstance(ctx.sender, Dispatcher), "the service's context carries its dispatcher"
    return ctx.sender.run(ctx)


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


def lease_end(now: datetime, lease_seconds: float) -> datetime:
    """A lease's end, to the millisecond the database keeps (so it can be matched exactly)."""
    end = now + timedelta(seconds=lease_seconds)
    return end.replace(microsecond=end.microsecond // 1000 * 1000)


def alike_outcomes(results: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Deliveries grouped by identical fields to write (a batch records its outcomes at one
    time, so a batch delivered alike is one group)."""
    groups: dict[str, dict[str, Any]] = {}
    for delivery_id, fields in results:
        key = json.dumps(fields, sort_keys=True, default=str)
        groups.setdefault(key, {"ids": [], "fields": fields})["ids"].append(delivery_id)
    return list(groups.values())


def recorded(entry: dict[str, Any]) -> bool:
    """Whether a dispatch log holds outcomes (else it is a batch's intent only)."""
    return "outcomes" in entry or "results" in entry


def apply_log(ctx: Context, entry: dict[str, Any], mark_applied: bool = True) -> None:
    """Apply a dispatch log's outcomes to the deliveries still held under its claims
    (idempotent: a delivery released or claimed again since is left alone)."""
    outcomes = entry.get("outcomes")
    if outcomes is None:  # the format of one result per delivery
        outcomes = alike_outcomes((r["id"], r["fields"]) for r in entry.get("results") or [])
    ctx.uow.dispatching.apply_log(entry, outcomes, mark_applied)


def event_fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {"notice_id": doc["notice_id"], "delivery_id": doc["_id"], "unit_id": doc["unit_id"],
            "channel": doc["channel"], "language": doc["language"],
            "kind": doc.get("kind") or "", "plan_id": doc.get("plan_id"),
            "task_id": doc.get("task_id")}


def failed_event(doc: dict[str, Any], delivery: Delivery) -> NotificationFailed:
    return NotificationFailed(**event_fields(doc), status=delivery.status.value,
                              reason=delivery.failure_reason or delivery.status.value,
                              attempts=len(delivery.attempts))


def open_fallback(ctx: Context, doc: dict[str, Any], failed: Delivery) -> None:
    """Create the delivery on the next channel in the unit's order (idempotent by key). On a
    unit of work of its own: a batch is settled beside the next one's sends."""
    with ctx.uow.fresh() as uow:
        fallback = add_fallback(ctx, uow, doc, failed)
        if fallback is not None and uow.deliveries.refused(uow.commit(), fallback):
            log.info("fallback exists", extra={"delivery_id": fallback.key})


def add_fallback(ctx: Context, uow: NotificationsUnitOfWork, doc: dict[str, Any],
                 failed: Delivery) -> DeliveryRecord | None:
    """Add to `uow` the delivery on the next channel in the unit's order that has an
    address (None: no channel left); a commit inserts it once (its key)."""
    unit = uow.recipients.find(doc["unit_id"]) or {}
    remaining = list(failed.fallback_channels)
    while remaining:
        channel = remaining.pop(0)
        address = next((c.get("address") for c in unit.get("contacts") or []
                        if c.get("channel") == channel.value and c.get("active", True)
                        and c.get("address")), None)
        if address is None:
            continue
        fallback = DeliveryRecord.fallback(new_delivery(
            doc["notice_id"], doc["unit_id"], channel, doc["language"], address, now=ctx.now(),
            plan_channels=[channel, *remaining], expires_at=doc.get("expires_at")), doc)
        uow.deliveries.add(fallback)
        return fallback
    return None


def unclaimed_status(doc: dict[str, Any]) -> str:
    return (DeliveryStatus.RETRYING if doc.get("attempts") else DeliveryStatus.PENDING).value
