"""Delivery state machine: one delivery per (notice, unit, channel, language).

    held --release (translation approved, or its deadline)--> pending
    pending --ok--> sent --report delivered--> delivered
       |            (channels without reports: ok -> delivered)
       |            sent --report failed--> failed (fallback)
       +--transient--> retrying --(attempts left)--> retrying ... --max--> failed (fallback)
       +--permanent--> failed (fallback)
    any non-final --deadline passed--> expired

``failed`` carries ``fallback_channel`` so the service opens the next channel's delivery.
An officer may resend a delivery that is over (sent, delivered, failed, expired): it goes back
to ``pending`` under a new message key, so receivers do not drop it as a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from .errors import InvalidTransitionError, ValidationFailedError
from .notices import Notice
from .planning import next_channel
from .vocabulary import AttemptOutcome, Channel, DeliveryStatus, HoldReason, ReportStatus

CHANNELS_WITH_REPORTS: frozenset[Channel] = frozenset({Channel.SMS, Channel.ZALO})


RESENDABLE = frozenset({DeliveryStatus.SENT, *(s for s in DeliveryStatus if s.is_final)})


class UniformRng(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True)
class Attempt:
    number: int
    at: datetime
    outcome: AttemptOutcome
    reason: str | None = None
    provider_message_id: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay <= timedelta(0):
            raise ValidationFailedError("invalid retry policy", {})

    def delay(self, attempt_number: int, rng: UniformRng) -> timedelta:
        """Full jitter: uniform(0, min(cap, base * 2**(n-1))) after attempt ``n``."""
        ceiling = min(
            self.max_delay.total_seconds(),
            self.base_delay.total_seconds() * 2 ** (attempt_number - 1),
        )
        return timedelta(seconds=rng.uniform(0.0, ceiling))


@dataclass(frozen=True)
class Delivery:
    key: str
    notice_id: str
    unit_id: str
    channel: Channel
    language: str
    address: str
    fallback_channels: tuple[Channel, ...] = ()  # the plan's channels after this one
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: tuple[Attempt, ...] = ()
    next_attempt_at: datetime | None = None
    expires_at: datetime | None = None
    provider_message_id: str | None = None
    failure_reason: str | None = None
    fallback_channel: Channel | None = None
    awaits_report: bool = False
    updated_at: datetime | None = None
    hold_reason: HoldReason | None = None
    resends: int = 0

    @property
    def message_key(self) -> str:
        return message_key(self.key, self.resends)


def message_key(delivery_key: str, resends: int) -> str:
    """The id receivers and providers deduplicate on (webhook-id, Idempotency-Key): the
    delivery key, and a new one for each resend an officer asks for."""
    return delivery_key if resends <= 0 else f"{delivery_key}.r{resends}"


def idempotency_key(notice_id: str, unit_id: str, channel: Channel | str, language: str) -> str:
    """Deterministic key; the repository holds a unique index on it."""
    channel_value = channel.value if isinstance(channel, Channel) else channel
    raw = "\x1f".join((notice_id, unit_id, channel_value, language)).encode("utf-8")
    return "dlv_" + hashlib.sha256(raw).hexdigest()[:40]


def new_delivery(
    notice_id: str,
    unit_id: str,
    channel: Channel,
    language: str,
    address: str,
    *,
    now: datetime,
    plan_channels: Sequence[Channel] = (),
    expires_at: datetime | None = None,
    send_at: datetime | None = None,
    hold: HoldReason | None = None,
) -> Delivery:
    """A planned delivery: due at ``send_at`` (default now), or held for a translation."""
    later: tuple[Channel, ...] = ()
    if channel in plan_channels:
        later = tuple(plan_channels)[list(plan_channels).index(channel) + 1 :]
    return Delivery(
        key=idempotency_key(notice_id, unit_id, channel, language),
        notice_id=notice_id,
        unit_id=unit_id,
        channel=channel,
        language=language,
        address=address,
        fallback_channels=later,
        status=DeliveryStatus.HELD if hold is not None else DeliveryStatus.PENDING,
        next_attempt_at=None if hold is not None else send_at or now,
        expires_at=expires_at,
        awaits_report=channel in CHANNELS_WITH_REPORTS,
        updated_at=now,
        hold_reason=hold,
    )


def release(delivery: Delivery, now: datetime, send_at: datetime | None = None) -> Delivery:
    """A held delivery becomes due (its translation was approved, or its deadline passed)."""
    if delivery.status is not DeliveryStatus.HELD:
        raise InvalidTransitionError(
            f"cannot release a {delivery.status.value} delivery",
            {"key": delivery.key, "from": delivery.status.value, "to": "pending"},
        )
    return replace(delivery, status=DeliveryStatus.PENDING, next_attempt_at=send_at or now,
                   hold_reason=None, updated_at=now)


def resend(delivery: Delivery, now: datetime) -> Delivery:
    """Send a delivery that is over once more, now, under a new message key. The ack deadline
    no longer applies (an officer asked for it), the attempts stay on record."""
    if delivery.status not in RESENDABLE:
        why = ("it is held for a translation" if delivery.status is DeliveryStatus.HELD
               else "it is still being sent")
        raise InvalidTransitionError(
            f"cannot resend a {delivery.status.value} delivery: {why}",
            {"key": delivery.key, "from": delivery.status.value, "to": "pending"},
        )
    return replace(delivery, status=DeliveryStatus.PENDING, next_attempt_at=now,
                   expires_at=None, failure_reason=None, fallback_channel=None,
                   provider_message_id=None, resends=delivery.resends + 1, updated_at=now)


def delivery_expiry(notice: Notice) -> datetime | None:
    """A delivery is pointless after the ack deadline or the notice's TTL, whichever is first."""
    deadlines = [d for d in (notice.ack_deadline, notice.expires_at) if d is not None]
    return min(deadlines) if deadlines else None


def classify_http_status(status: int) -> AttemptOutcome:
    if 200 <= status < 300:
        return AttemptOutcome.OK
    if status in (408, 425, 429) or status >= 500:
        return AttemptOutcome.TRANSIENT
    return AttemptOutcome.PERMANENT


def record_attempt(
    delivery: Delivery,
    outcome: AttemptOutcome,
    now: datetime,
    *,
    policy: RetryPolicy,
    rng: UniformRng,
    reason: str | None = None,
    provider_message_id: str | None = None,
) -> Delivery:
    """Apply the result of one send attempt."""
    if delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING):
        raise InvalidTransitionError(
            f"cannot attempt a {delivery.status.value} delivery",
            {"key": delivery.key, "from": delivery.status.value},
        )
    if delivery.expires_at is not None and now >= delivery.expires_at:
        return _expire(delivery, now)
    number = len(delivery.attempts) + 1
    attempt = Attempt(number, now, outcome, reason, provider_message_id)
    updated = replace(delivery, attempts=(*delivery.attempts, attempt), updated_at=now)
    if outcome is AttemptOutcome.OK:
        status = DeliveryStatus.SENT if delivery.awaits_report else DeliveryStatus.DELIVERED
        return replace(
            updated,
            status=status,
            next_attempt_at=None,
            provider_message_id=provider_message_id,
        )
    if outcome is AttemptOutcome.TRANSIENT and number < policy.max_attempts:
        return replace(
            updated,
            status=DeliveryStatus.RETRYING,
            next_attempt_at=now + policy.delay(number, rng),
            failure_reason=reason,
        )
    why = reason or ("max attempts reached" if outcome is AttemptOutcome.TRANSIENT else "rejected")
    return _fail(updated, why)


def apply_report(
    delivery: Delivery, status: ReportStatus, now: datetime, reason: str | None = None
) -> tuple[Delivery, bool]:
    """Apply a provider delivery report; returns (delivery, changed). Idempotent: a repeated or
    late report on a final delivery changes nothing."""
    if delivery.status.is_final:
        return delivery, False
    if delivery.status is not DeliveryStatus.SENT:
        raise InvalidTransitionError(
            "delivery report for a delivery that was not sent",
            {"key": delivery.key, "from": delivery.status.value, "report": status.value},
        )
    if status is ReportStatus.DELIVERED:
        return replace(delivery, status=DeliveryStatus.DELIVERED, updated_at=now), True
    return _fail(replace(delivery, updated_at=now), reason or "provider reported failure"), True


def expire_if_due(delivery: Delivery, now: datetime) -> Delivery:
    """Expire a non-final delivery whose ack deadline or TTL (``expires_at``) has passed."""
    if delivery.status.is_final or delivery.expires_at is None or now < delivery.expires_at:
        return delivery
    return _expire(delivery, now)


def is_due(delivery: Delivery, now: datetime) -> bool:
    return (
        delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
        and delivery.next_attempt_at is not None
        and delivery.next_attempt_at <= now
    )


def _fail(delivery: Delivery, reason: str) -> Delivery:
    fallback = next_channel((delivery.channel, *delivery.fallback_channels), delivery.channel)
    return replace(
        delivery,
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        failure_reason=reason,
        fallback_channel=fallback,
    )


def _expire(delivery: Delivery, now: datetime) -> Delivery:
    return replace(delivery, status=DeliveryStatus.EXPIRED, next_attempt_at=None, updated_at=now)
