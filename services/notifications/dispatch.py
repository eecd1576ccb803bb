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
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import eventlet
from pymongo import UpdateMany
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
CLAIMABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value)
LOGS_PER_RECONCILE = 100
# Deliveries handed over and not yet started, at most; beyond, planning stores them pending.
HAND_OVER_LIMIT = 5000
# How long a delivery planned claimed for this process's dispatcher waits for it, plus its
# place in the queue at a rate any dispatcher keeps up (deliveries per second): if the
# process dies, that is how late it goes out.
HAND_OVER_LEASE_SECONDS = 30.0
HAND_OVER_MIN_RATE = 20.0
# The claim's fields, removed when a delivery's outcome is written or it is released.
RELEASE = {"lease_until": "", "lease_owner": "", "claim": "", "queued": ""}
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
        clock = eventlet.hubs.get_hub().clock
        deadline = clock() + budget_seconds
        configs: dict[Channel, dict[str, Any]] | None = None
        total = 0
        settling: Any = None  # the previous batch's settle(), in its own green thread
        try:
            while clock() < deadline:
                batch, intent = self.take_handed_over(ctx.db, ctx.now(),
                                                      ctx.settings.lease_seconds,
                                                      ctx.settings.dispatch_batch_size)
                if not batch:
                    batch = self.claim(ctx.db, ctx.now(), ctx.settings.lease_seconds,
                                       ctx.settings.dispatch_batch_size)
                if not batch:
                    break
                if configs is None:
                    configs = {c: channels.load_config(ctx.db, c, ctx.settings)
                               for c in Channel}
                attempted = self.send_batch(ctx, batch, configs)
                try:
                    if settling is not None:
                        total += settling.wait()
                finally:  # sent: recorded even when the previous batch's write failed
                    settling = eventlet.spawn(self.settle, ctx, attempted, intent)
        finally:
            if settling is not None:
                total += settling.wait()
        return total

    def claim(self, db: Database, now: datetime, lease_seconds: float = 120,
              limit: int = 100) -> list[dict[str, Any]]:
        """Lease up to `limit` due deliveries, oldest due first, in three round trips."""
        ids = due_ids(db, now, limit)
        if not ids:
            return []
        token = uuid.uuid4().hex
        # `_id` leads the filter: SecantusDB picks the first clause it can serve from an index,
        # and a write planned on `status` would read every pending delivery.
        db[DELIVERIES].update_many(
            {"_id": {"$in": ids}, "status": {"$in": list(CLAIMABLE)},
             "next_attempt_at": {"$lte": now}},
            {"$set": {"status": SENDING, "lease_until": now + timedelta(seconds=lease_seconds),
                      "lease_owner": self.owner, "claim": token}})
        # Re-read under our token: another dispatcher may have won some of these meanwhile.
        claimed = list(db[DELIVERIES].find({"_id": {"$in": ids}, "claim": token}))
        due_order = {delivery_id: n for n, delivery_id in enumerate(ids)}
        claimed.sort(key=lambda d: (-int(d.get("priority_rank") or 0), due_order[d["_id"]]))
        return claimed

    def take_handed_over(self, db: Database, now: datetime, lease_seconds: float = 120,
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
            docs = sorted(db[DELIVERIES].find({"_id": {"$in": ids}, "claim": work.claim}),
                          key=lambda d: (-int(d.get("priority_rank") or 0),
                                         planned_order[d["_id"]]))
            if not docs:
                continue
            intent = uuid.uuid4().hex
            db[DISPATCH_LOG].insert_one({"_id": intent, "owner": self.owner, "at": now,
                                         "lease_until": lease_end(now, lease_seconds),
                                         "applied": False, "claims": [work.claim],
                                         "ids": [d["_id"] for d in docs]})
            return docs, intent
        return [], None

    def send_batch(self, ctx: Context, docs: list[dict[str, Any]],
                   configs: dict[Channel, dict[str, Any]]) -> list[Attempted]:
        """Send a claimed batch, `dispatch_concurrency` units of work at a time."""
        units = [d["unit_id"] for d in docs if d["channel"] == Channel.WEBHOOK.value]
        secrets = {u["_id"]: u.get("webhook_secret") for u in ctx.db[RECIPIENTS].find(
            {"_id": {"$in": units}}, {"webhook_secret": 1})} if units else {}
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

        pool = eventlet.GreenPool(ctx.settings.dispatch_concurrency)
        return [a for group in pool.imap(send, units_of_work(docs)) for a in group]

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
                    doc, delivery_fields(expired), [self._failed_event(doc, expired)],
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
        if intent is None:
            ctx.db[DISPATCH_LOG].insert_one(with_outbox(entry, events) if events else entry)
        else:  # the intent keeps its own lease, the one covering the sends
            update: dict[str, Any] = {"$set": {k: v for k, v in entry.items()
                                               if k not in ("_id", "lease_until")}}
            if events:
                update = merge_updates(update, outbox_push(events))
            ctx.db[DISPATCH_LOG].update_one({"_id": intent}, update)
        # Not marked applied here: one rewrite less of a document carrying the batch's
        # events. The housekeeping applies it again once its lease is over (a no-op under
        # the claim guard) and marks it then.
        apply_log(ctx.db, entry, mark_applied=False)
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


def lease_end(now: datetime, lease_seconds: float) -> datetime:
    """A lease's end, to the millisecond the database keeps (so it can be matched exactly)."""
    end = now + timedelta(seconds=lease_seconds)
    return end.replace(microsecond=end.microsecond // 1000 * 1000)


def due_ids(db: Database, now: datetime, limit: int) -> list[str]:
    """Ids of the `limit` deliveries due first. One query per claimable status: equality on
    `status` plus a range on `next_attempt_at` walks only the due part of the `due` index,
    where `status: {$in: [...]}` would read every pending delivery, held ones included."""
    rows: list[dict[str, Any]] = []
    for status in CLAIMABLE:
        rows += db[DELIVERIES].find({"status": status, "next_attempt_at": {"$lte": now}},
                                    {"_id": 1, "next_attempt_at": 1}
                                    ).sort("next_attempt_at", 1).limit(limit)
    rows.sort(key=lambda d: d["next_attempt_at"])
    return [d["_id"] for d in rows[:limit]]


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


def apply_log(db: Database, entry: dict[str, Any], mark_applied: bool = True) -> None:
    """Apply a dispatch log's outcomes to the deliveries still held under its claims
    (idempotent: a delivery released or claimed again since is left alone).

    One `update_many` by `_id`s per group of alike outcomes: SecantusDB commits, and syncs,
    every statement on its own."""
    claims = entry.get("claims")
    # A log written before claim tokens were recorded: the deliveries it left in `sending`.
    guard: dict[str, Any] = {"claim": {"$in": claims}} if claims else {"status": SENDING}
    outcomes = entry.get("outcomes")
    if outcomes is None:  # the format of one result per delivery
        outcomes = alike_outcomes((r["id"], r["fields"]) for r in entry.get("results") or [])
    operations = [UpdateMany({"_id": {"$in": group["ids"]}, **guard},
                             {"$set": group["fields"], "$unset": RELEASE})
                  for group in outcomes]
    if operations:
        db[DELIVERIES].bulk_write(operations, ordered=False)
    if mark_applied:
        db[DISPATCH_LOG].update_one({"_id": entry["_id"]}, {
            "$set": {"applied": True}, "$unset": {"outcomes": "", "results": ""}})


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
    """Deliveries left in `sending` by a dead worker (lease expired): apply the outcome its
    dispatch log recorded; else, if a send may have started (claimed, or named by an intent),
    resend (at least once) or fail without resending (email, at most once); else (planned
    claimed, never attempted) release it."""
    now = ctx.now()
    count = 0
    logs = list(ctx.db[DISPATCH_LOG].find({"applied": False, "lease_until": {"$lt": now}},
                                          limit=LOGS_PER_RECONCILE))
    for entry in logs:
        if recorded(entry):
            apply_log(ctx.db, entry)  # the outcome was recorded: not an interruption
            continue
        # An intent without results: the batch's sends may have started.
        for doc in ctx.db[DELIVERIES].find({"_id": {"$in": entry["ids"]},
                                            "claim": {"$in": entry["claims"]}}):
            count += _interrupted(ctx, doc, now)
        ctx.db[DISPATCH_LOG].update_one({"_id": entry["_id"]}, {"$set": {"applied": True}})
    # Applied logs whose events are published are done; deleted by `_id` (a delete filtered
    # on another field reads the whole collection on SecantusDB).
    done = [d["_id"] for d in ctx.db[DISPATCH_LOG].find(
        {"applied": True, PENDING: {"$exists": False}}, {"_id": 1}).limit(500)]
    if done:
        ctx.db[DISPATCH_LOG].delete_many({"_id": {"$in": done}, PENDING: {"$exists": False}})
    expired = expired_claims(ctx.db, now, min(ctx.settings.lease_seconds,
                                              HAND_OVER_LEASE_SECONDS))
    started = started_ids(ctx.db, [d for d in expired if d.get("queued")])
    never_started: dict[str, list[str]] = {}
    for doc in expired:
        if not doc.get("queued"):
            count += _interrupted(ctx, doc, now)
        # One an intent names is in flight under the intent's lease, or interrupted (handled
        # above once that lease is over, maybe on the next run).
        elif doc["_id"] not in started and len(logs) < LOGS_PER_RECONCILE:
            never_started.setdefault(doc["claim"], []).append(doc["_id"])
    for claim, ids in never_started.items():  # never attempted: pending again, at once
        count += ctx.db[DELIVERIES].update_many(
            {"_id": {"$in": ids}, "claim": claim, "status": SENDING},
            {"$set": {"status": DeliveryStatus.PENDING.value, "next_attempt_at": now},
             "$unset": RELEASE}).modified_count
    if count:
        log.warning("interrupted deliveries reconciled", extra={"count": count})
    return count


def started_ids(db: Database, queued: list[dict[str, Any]]) -> set[str]:
    """The ones of these handed-over deliveries an intent names (their sends may have
    started)."""
    claims = sorted({d["claim"] for d in queued if d.get("claim")})
    if not claims:
        return set()
    return {delivery_id for log in db[DISPATCH_LOG].find({"claims": {"$in": claims}},
                                                         {"ids": 1})
            for delivery_id in log.get("ids") or []}


def expired_claims(db: Database, now: datetime, lease_seconds: float,
                   limit: int = 200) -> list[dict[str, Any]]:
    """Deliveries in `sending` whose lease is over. Read through the `due` index: a lease
    ends at least `lease_seconds` (the shortest lease given) after the delivery fell due (it
    was claimed, or planned claimed, then), so only those due that long ago can be expired;
    a filter on `status` and `lease_until` would read every delivery in `sending`."""
    candidates = db[DELIVERIES].find(
        {"status": SENDING, "next_attempt_at": {"$lt": now - timedelta(seconds=lease_seconds)}}
    ).limit(limit)
    return [d for d in candidates if d.get("lease_until") is None or d["lease_until"] < now]


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
        event = NotificationFailed(**_event_fields(doc), status="failed",
                                   reason=failed.failure_reason or "interrupted",
                                   attempts=len(failed.attempts))
        update = merge_updates({"$set": fields, "$unset": RELEASE},
                               outbox_push([event.to_envelope(correlation_id.get())]))
    else:
        update = {"$set": {"status": unclaimed_status(doc), "next_attempt_at": now,
                           "interrupted": True},
                  "$unset": RELEASE}
    result = ctx.db[DELIVERIES].update_one(
        {"_id": doc["_id"], "status": SENDING, "lease_until": doc["lease_until"]}, update)
    return result.modified_count


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
