"""Webhook deliveries: signed (Standard Webhooks), one worker per subscription (a subscriber
that hangs delays only itself), a timeout per attempt, retries with exponential backoff and
full jitter, and a subscription disabled after a long failure streak, with a notice to its
owner. Every delivery is a document (`deliveries`), so it survives a restart and can be
replayed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.gateway.events.outbound import UrlNotAllowed, pinned_post
from services.gateway.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_BACKLOG
from services.gateway.repositories import Store, new_id, utc_now
from services.gateway.settings import GatewaySettings
from services.notifications.domain.webhook_signing import WebhookSecret, signing_headers

log = logging.getLogger(__name__)
Doc = dict[str, Any]


def backoff_seconds(attempt: int, base: float, cap: float,
                    rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    ceiling = min(cap, base * (2 ** min(attempt, 30)))
    return (rng or random).uniform(0, ceiling)


def wants(subscription: Doc, event_type: str) -> bool:
    types = subscription.get("event_types", [])
    return "*" in types or event_type in types


def active_secrets(subscription: Doc, now: datetime) -> list[str]:
    return [s["value"] for s in subscription.get("secrets", [])
            if s.get("expires_at") is None or s["expires_at"] > now]


def new_secret() -> str:
    return WebhookSecret.generate().serialize()


# Previous secrets kept signing at most: each stays for its whole grace period unless more
# than this many rotations happen within it (then the oldest stops first).
MAX_PREVIOUS_SECRETS = 10


def rotated_secrets(subscription: Doc, grace_seconds: int,
                    revoke_previous: bool = False) -> tuple[str, list[Doc]]:
    """A new signing secret, and the subscription's secrets with it first. The previous ones
    still valid keep signing until their grace period ends (the receiver can switch without
    losing a delivery), unless `revoke_previous` cuts them off now (a leaked secret). Used by
    the API and by `campaign rotate-secret webhook`."""
    secret = new_secret()
    current = {"value": secret, "expires_at": None}
    if revoke_previous:
        return secret, [current]
    grace = grace_expiry(grace_seconds)
    now = datetime.now(UTC)
    kept = [{**s, "expires_at": s.get("expires_at") or grace}
            for s in subscription.get("secrets", [])
            if s.get("expires_at") is None or _aware(s["expires_at"]) > now]
    return secret, [current, *kept[:MAX_PREVIOUS_SECRETS]]


def _aware(moment: datetime) -> datetime:
    """The database answers naive UTC datetimes unless its client is tz-aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event_body(event: Doc) -> bytes:
    """The delivered body: the CloudEvents envelope as it came from the bus."""
    keys = ("specversion", "source", "type", "time", "subject", "datacontenttype",
            "dataversion", "correlationid", "data")
    body = {"id": event["_id"], **{k: event.get(k) for k in keys if k in event}}
    if isinstance(body.get("time"), datetime):
        body["time"] = body["time"].isoformat()
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def delivery_doc(subscription_id: str, event: Doc, delivery_id: str | None = None,
                 replay_of: str | None = None) -> Doc:
    return {"_id": delivery_id or f"{event['_id']}.{subscription_id}",
            "subscription_id": subscription_id, "event_id": event["_id"],
            "event_type": event["type"], "status": "pending", "attempts": 0,
            "last_status_code": None, "last_error": None, "created_at": utc_now(),
            "delivered_at": None, "replay_of": replay_of}


class WebhookDispatcher:
    def __init__(self, store: Store, settings: GatewaySettings,
                 notify_owner: Any = None) -> None:
        self.store = store
        self.settings = settings
        self.notify_owner = notify_owner
        self.http = httpx.AsyncClient(limits=httpx.Limits(max_connections=200),
                                      headers={"user-agent": "campaign-gateway-webhooks/1"})
        self._queues: dict[str, asyncio.Queue[str]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._closing = False

    async def start(self) -> None:
        for d in await self.store.deliveries.pending():
            self._enqueue(d["subscription_id"], d["_id"])

    async def close(self) -> None:
        self._closing = True
        for task in self._workers.values():
            task.cancel()
        for task in self._workers.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.http.aclose()

    async def on_event(self, event: Doc) -> None:
        """Create (idempotently) one delivery per matching active subscription, then queue."""
        subs = [s for s in await self.store.subscriptions.active() if wants(s, event["type"])]
        docs = [delivery_doc(s["_id"], event) for s in subs]
        if not docs:
            return
        with contextlib.suppress(Exception):  # duplicates: a redelivered event, already queued
            await self.store.deliveries.add(docs)
        for d in docs:
            existing = await self.store.deliveries.get(d["_id"])
            if existing is not None and existing["status"] == "pending":
                self._enqueue(d["subscription_id"], d["_id"])

    async def replay(self, subscription: Doc, events: list[Doc],
                     replay_of: dict[str, str] | None = None) -> list[str]:
        docs = [delivery_doc(subscription["_id"], e, new_id(),
                             (replay_of or {}).get(e["_id"]) or e["_id"]) for e in events]
        await self.store.deliveries.add(docs)
        for d in docs:
            self._enqueue(subscription["_id"], d["_id"])
        return [d["_id"] for d in docs]

    def _enqueue(self, subscription_id: str, delivery_id: str) -> None:
        if self._closing:
            return
        queue = self._queues.setdefault(subscription_id, asyncio.Queue())
        queue.put_nowait(delivery_id)
        worker = self._workers.get(subscription_id)
        if worker is None or worker.done():
            self._workers[subscription_id] = asyncio.create_task(
                self._work(subscription_id, queue), name=f"webhooks-{subscription_id}")
        WEBHOOK_BACKLOG.set(sum(q.qsize() for q in self._queues.values()))

    async def _work(self, subscription_id: str, queue: asyncio.Queue[str]) -> None:
        while not queue.empty():
            delivery_id = queue.get_nowait()
            try:
                await self._deliver(delivery_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook delivery crashed", extra={"delivery_id": delivery_id})
            WEBHOOK_BACKLOG.set(sum(q.qsize() for q in self._queues.values()))

    async def _deliver(self, delivery_id: str) -> None:
        delivery = await self.store.deliveries.get(delivery_id)
        if delivery is None or delivery["status"] != "pending":
            return
        event = await self.store.events.get(delivery["event_id"])
        if event is None:
            await self.store.deliveries.change(delivery_id, {"status": "failed",
                                                           "last_error": "event expired"})
            return
        body = event_body(event)
        attempts = int(delivery.get("attempts", 0))
        while attempts < self.settings.webhook_max_attempts:
            sub = await self.store.subscriptions.get(delivery["subscription_id"])
            if sub is None or not sub.get("active"):
                await self.store.deliveries.change(delivery_id, {
                    "status": "failed", "last_error": "subscription disabled or deleted"})
                return
            attempts += 1
            status, error = await self._attempt(sub, event["_id"], body)
            ok = status is not None and 200 <= status < 300
            WEBHOOK_ATTEMPTS.labels("delivered" if ok else "failed").inc()
            changes: Doc = {"attempts": attempts, "last_status_code": status,
                            "last_error": error, "last_attempt_at": utc_now()}
            if ok:
                await self.store.deliveries.change(delivery_id, {
                    **changes, "status": "delivered", "delivered_at": utc_now()})
                await self.store.subscriptions.change(sub["_id"], {"failure_streak": 0})
                return
            await self.store.deliveries.change(delivery_id, changes)
            if await self._count_failure(sub):
                await self.store.deliveries.change(delivery_id, {"status": "failed"})
                return
            await asyncio.sleep(backoff_seconds(attempts - 1,
                                                self.settings.webhook_retry_base_seconds,
                                                self.settings.webhook_retry_max_seconds))
        await self.store.deliveries.change(delivery_id, {"status": "failed"})

    async def _attempt(self, sub: Doc, message_id: str,
                       body: bytes) -> tuple[int | None, str | None]:
        secrets = active_secrets(sub, datetime.now(UTC))
        headers = {"content-type": "application/json",
                   **signing_headers(secrets, message_id, int(time.time()), body)}
        try:
            response = await asyncio.wait_for(
                pinned_post(self.http, sub["url"], self.settings.allowlist(), body, headers,
                            self.settings.webhook_timeout_seconds),
                timeout=self.settings.webhook_timeout_seconds + 1)
        except UrlNotAllowed as exc:
            return None, f"url not allowed: {exc.reason}"
        except (TimeoutError, httpx.TimeoutException):
            return None, "timeout"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {str(exc)[:200]}"
        return response.status_code, None if response.is_success else \
            f"HTTP {response.status_code}"

    async def _count_failure(self, sub: Doc) -> bool:
        """Count a failed attempt; True when the subscription got disabled by it."""
        streak = await self.store.subscriptions.count_failure(sub["_id"])
        if streak < self.settings.webhook_disable_after_failures:
            return False
        reason = f"disabled after {streak} failed delivery attempts in a row"
        disabled = await self.store.subscriptions.disable(sub["_id"], reason)
        if disabled is not None:
            log.warning("webhook subscription disabled",
                        extra={"subscription_id": sub["_id"], "streak": streak})
            await self._notify(disabled, reason)
        return True

    async def _notify(self, sub: Doc, reason: str) -> None:
        notice = await self.store.owner_notices.add({
            "owner_id": sub.get("owner_id"), "subscription_id": sub["_id"],
            "kind": "subscription_disabled", "message": reason, "url": sub["url"]})
        if self.notify_owner is not None:
            with contextlib.suppress(Exception):
                await self.notify_owner(notice)


def grace_expiry(seconds: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
